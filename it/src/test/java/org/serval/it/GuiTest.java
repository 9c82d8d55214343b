/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.awt.Component;
import java.awt.Container;
import java.awt.Point;
import java.awt.Rectangle;
import java.awt.Robot;
import java.awt.event.InputEvent;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.Callable;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import javax.swing.JButton;
import javax.swing.JLabel;
import javax.swing.JTable;
import javax.swing.SwingUtilities;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.serval.client.gui.ServalGui;

/**
 * The GUI (issue 17) on a real X server (Xvfb, started here on a free display), a real client service and the
 * real server: a mouse click in the window (java.awt.Robot) joins a VLAN, its TAP interface appears and pings
 * another member through it; the members, MACs and IPs show; a click leaves and the interface goes; a stopped
 * service is said so. The GUI talks to the client's control socket only. It writes screenshots of the real window
 * into {@code serval.it.screenshots} (default target/gui-screenshots), from which docs/images was taken.
 */
class GuiTest {
    private static final String RED = "gui-red";
    private static ServalServer server;
    private static Path dir;
    private static Process xvfb;
    private static Process service;
    private static NetnsHosts hosts;
    private static ServalGui gui;
    private static String namespace;
    private static final Path SHOTS = Path.of(System.getProperty("serval.it.screenshots", "target/gui-screenshots"));

    /**
     * The C library's setenv: AWT opens the display named by the process's environment, which Java cannot
     * change otherwise, and the display is known only once Xvfb has picked it.
     */
    interface LibC extends Library {
        int setenv(String name, String value, int overwrite);
    }

    @BeforeAll
    static void start() throws Exception {
        RealParts.require(NetnsHosts.available(), "needs root, /dev/net/tun, ip, ping and a built client");
        RealParts.require(NetnsHosts.onPath("Xvfb"), "needs Xvfb (scripts/install-test-deps.sh)");
        startXvfb();
        server = new ServalServer();
        server.start();
        dir = server.home().resolve("gui");
        Files.createDirectories(dir);
        Files.createDirectories(SHOTS);
        for (var vlan : new String[] {RED, "gui-blue", "gui-green"}) {
            assertEquals(204, server.rpc("create-vlan", "{\"name\":\"" + vlan + "\",\"open\":true}").statusCode());
        }
        hosts = new NetnsHosts(dir);
    }

    /**
     * Xvfb on a display it picks itself ({@code -displayfd}: no race with another X server), then this JVM's
     * DISPLAY, before AWT starts. Xvfb must outlive this JVM's connection to it: Xlib ends a process whose X server
     * goes away (exit code 1, which would hide the test's result), and AWT keeps its connection until the JVM
     * ends. So a watchdog shell kills Xvfb within a second after this JVM has ended, however it ended.
     */
    private static void startXvfb() throws IOException {
        final var watchdog = "Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>&1 >/dev/null 2>&1 & x=$!; "
            + "while kill -0 " + ProcessHandle.current().pid() + " 2>/dev/null && kill -0 $x 2>/dev/null; do "
            + "sleep 1; done; kill $x 2>/dev/null";
        xvfb = new ProcessBuilder("sh", "-c", watchdog).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        final var reader = new BufferedReader(new InputStreamReader(xvfb.getInputStream(), UTF_8));
        final var display = reader.readLine();
        if (display == null || !display.strip().matches("\\d+")) {
            throw new IOException("Xvfb said no display number: " + display);
        }
        Native.load("c", LibC.class).setenv("DISPLAY", ":" + display.strip(), 1);
        // AWT decides headless from the environment Java read at start, in which DISPLAY was not set.
        System.setProperty("java.awt.headless", "false");
    }

    @AfterAll
    static void stop() throws Exception {
        // Xvfb stays until this JVM ends (startXvfb says why); its watchdog removes it then.
        if (gui != null) {
            gui.quit();
        }
        if (service != null) {
            service.destroy();
            if (!service.waitFor(10, TimeUnit.SECONDS)) {
                service.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        if (namespace != null) {
            NetnsHosts.exitCode("ip", "netns", "del", namespace);
        }
        if (hosts != null) {
            hosts.close();
        }
        if (server != null) {
            server.close();
        }
    }

    /**
     * The client as its service runs it, with a control socket the GUI uses.
     */
    private static Path startService() throws IOException {
        final var password = dir.resolve("a.password");
        Files.writeString(password, ServalServer.PASSWORD + "\n", UTF_8);
        Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("rw-------"));
        final var socket = dir.resolve("a.sock");
        final var config = dir.resolve("a.conf");
        Files.writeString(config, String.join("\n",
            "server = 127.0.0.1:" + ServalServer.DATAPLANE_PORT,
            "pin = " + ServalServer.fingerprint(),
            "user = " + ServalServer.USER,
            "password-file = " + password,
            "id = it-gui-laptop",
            "control-socket = " + socket,
            "state-dir = " + dir.resolve("a-state"),
            ""), UTF_8);
        final var builder = new ProcessBuilder(NetnsHosts.CLIENT.toString(), "run", "--config", config.toString())
            .redirectErrorStream(true).redirectOutput(dir.resolve("a.log").toFile());
        builder.environment().remove("SERVAL_PASSWORD");
        service = builder.start();
        return socket;
    }

    private static <T> T onEdt(final Callable<T> what) throws Exception {
        if (SwingUtilities.isEventDispatchThread()) {
            return what.call();
        }
        final var task = new FutureTask<>(what);
        SwingUtilities.invokeAndWait(task);
        return task.get();
    }

    /**
     * A condition that may look at the window (on the event dispatch thread, which may throw).
     */
    @FunctionalInterface
    interface Condition {
        boolean holds() throws Exception;
    }

    private static void await(final String what, final Condition condition) throws Exception {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what + "; the GUI shows "
                    + gui.model().state());
            }
            Thread.sleep(100);
        }
    }

    private static <T extends Component> T find(final Class<T> type, final String name) throws Exception {
        return onEdt(() -> type.cast(find(gui.window(), name)));
    }

    private static Component find(final Container container, final String name) {
        for (var child : container.getComponents()) {
            if (name.equals(child.getName())) {
                return child;
            }
            if (child instanceof Container inner) {
                final var found = find(inner, name);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    private static String text(final String label) throws Exception {
        final var component = find(JLabel.class, label);
        return onEdt(component::getText);
    }

    private static int row(final JTable table, final String vlan) throws Exception {
        return onEdt(() -> {
            for (int i = 0; i < table.getRowCount(); i++) {
                if (vlan.equals(table.getValueAt(i, 1))) {
                    return i;
                }
            }
            return -1;
        });
    }

    /**
     * A real click: the mouse moved onto the component's spot on the X screen, pressed and released.
     */
    private static void click(final Robot robot, final Component component, final Rectangle area) throws Exception {
        final Point at = onEdt(() -> {
            final var origin = component.getLocationOnScreen();
            return new Point(origin.x + area.x + area.width / 2, origin.y + area.y + area.height / 2);
        });
        robot.mouseMove(at.x, at.y);
        robot.mousePress(InputEvent.BUTTON1_DOWN_MASK);
        robot.mouseRelease(InputEvent.BUTTON1_DOWN_MASK);
        robot.waitForIdle();
    }

    private static void click(final Robot robot, final JButton button) throws Exception {
        await(button.getName() + " enabled", () -> onEdt(button::isEnabled));
        click(robot, button, onEdt(() -> new Rectangle(0, 0, button.getWidth(), button.getHeight())));
    }

    private static void clickCell(final Robot robot, final JTable table, final String vlan, final int column)
            throws Exception {
        final int row = row(table, vlan);
        assertTrue(row >= 0, vlan + " is listed");
        click(robot, table, onEdt(() -> table.getCellRect(row, column, false)));
    }

    private static void screenshot(final Robot robot, final String name) throws Exception {
        // let the window draw the state it has before the picture is taken
        robot.waitForIdle();
        Thread.sleep(300);
        final var bounds = onEdt(() -> new Rectangle(gui.window().getLocationOnScreen(), gui.window().getSize()));
        ImageIO.write(robot.createScreenCapture(bounds), "png", SHOTS.resolve(name).toFile());
    }

    private static boolean exists(final String ns, final String iface) throws IOException, InterruptedException {
        return (ns == null ? NetnsHosts.exitCode("ip", "link", "show", iface)
            : NetnsHosts.exitCode("ip", "-n", ns, "link", "show", iface)) == 0;
    }

    @Test
    void aClickJoinsTheTapAppearsPingsAndAClickLeaves() throws Exception {
        final var socket = startService();
        // another member of the VLAN, in a namespace of its own
        final var peer = hosts.host("gpeer", RED, "10.78.0.2/24", "tcp");
        gui = ServalGui.open(socket);
        final var robot = new Robot();
        robot.setAutoDelay(40);
        final var vlans = find(JTable.class, "vlans");
        await("connected, " + RED + " listed",
            () -> text("headline").startsWith("Connected to 127.0.0.1:") && row(vlans, RED) >= 0);
        await("one member before the click: the peer",
            () -> "1".equals(onEdt(() -> String.valueOf(vlans.getValueAt(row(vlans, RED), 2)))));
        assertTrue(text("identity").contains("it-gui-laptop"), text("identity"));
        screenshot(robot, "gui-connected.png");

        // select the VLAN, then one click on Join
        clickCell(robot, vlans, RED, 1);
        click(robot, find(JButton.class, "join"));
        await(RED + " joined", () -> {
            final var status = gui.model().state().status();
            return status != null && status.vlan(RED) != null && "joined".equals(status.vlan(RED).state());
        });
        final var iface = gui.model().state().status().vlan(RED).iface();
        await("the GUI shows the interface", () -> iface.equals(text("detail.interface")));
        assertTrue(exists(null, iface), "the join made the TAP interface " + iface);
        namespace = "svit" + ProcessHandle.current().pid() % 10_000 + "-gui";
        NetnsHosts.run("ip", "netns", "add", namespace);
        NetnsHosts.run("ip", "link", "set", iface, "netns", namespace);
        NetnsHosts.run("ip", "-n", namespace, "addr", "add", "10.78.0.1/24", "dev", iface);
        NetnsHosts.run("ip", "-n", namespace, "link", "set", iface, "up");
        NetnsHosts.run("ip", "netns", "exec", namespace, "ping", "-c", "5", "-i", "0.2", "-W", "5", "10.78.0.2");
        await("both members with their addresses in the GUI", () -> {
            final var members = gui.model().state().members();
            return members.size() == 2 && members.stream().allMatch(m -> !m.addresses().isEmpty());
        });
        final var mac = gui.model().state().status().vlan(RED).mac();
        assertEquals(mac, text("detail.mac"));
        final var memberTable = find(JTable.class, "members");
        assertTrue(onEdt(() -> {
            final var shown = new StringBuilder();
            for (int i = 0; i < memberTable.getRowCount(); i++) {
                shown.append(memberTable.getValueAt(i, 2)).append(' ').append(memberTable.getValueAt(i, 3))
                    .append('\n');
            }
            return shown.toString();
        }).contains("10.78.0.2"), "the peer's IP in the members table");
        await("frames counted", () -> gui.model().state().status().vlan(RED).framesIn() > 0);
        screenshot(robot, "gui-joined.png");

        // one click on the Joined box leaves
        clickCell(robot, vlans, RED, 0);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (exists(namespace, iface) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertFalse(exists(namespace, iface), "the leave removed the TAP interface");
        await("the GUI shows " + RED + " left", () -> {
            final var status = gui.model().state().status();
            return status != null && status.vlan(RED) == null;
        });
        assertEquals(Boolean.FALSE, onEdt(() -> vlans.getValueAt(row(vlans, RED), 0)));
        assertEquals(1, NetnsHosts.exitCode("ip", "netns", "exec", peer, "ping", "-c", "1", "-W", "1", "10.78.0.1"),
            "nothing answers the peer for the member that left");

        // the service stopped: the window says so
        service.destroy();
        assertTrue(service.waitFor(20, TimeUnit.SECONDS));
        await("the GUI says the service is not running", () -> text("headline").equals("Client service not running")
            && text("banner").contains("not running"));
        screenshot(robot, "gui-no-service.png");
        assertTrue(onEdt(() -> gui.window().isShowing()));
    }
}
