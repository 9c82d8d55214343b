/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.serval.client.control.ControlClient;
import org.serval.client.control.ControlException;
import org.serval.client.control.ControlRequests;
import org.serval.client.control.ControlServer;
import org.serval.dataplane.protocol.Message;

/**
 * The client as a service, with real TAP interfaces, its real control socket and a fake server on loopback: live
 * join and leave, the server's ASSIGN, REMOVED and BYE admin, down and up, a refused VLAN that does not stop the
 * service, and the joined VLANs kept for the next start. Needs root and /dev/net/tun.
 */
class ServiceTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final String PREFIX = "svt" + ProcessHandle.current().pid() % 10_000;

    @TempDir
    Path dir;

    private FakeServer server;
    private Path socket;
    private Path state;
    private ServalClient client;
    private ControlServer control;
    private CompletableFuture<Boolean> running;
    // Threads of their own: the common pool may have a single thread on a small machine, which the client holds.
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @BeforeEach
    void setUp() throws Exception {
        final boolean tapAllowed = "root".equals(System.getProperty("user.name"))
            && Files.exists(Path.of("/dev/net/tun"));
        if ("true".equals(System.getenv("CI")) && !tapAllowed) {
            fail("CI=true and TAP devices cannot be made here: they need root and /dev/net/tun");
        }
        assumeTrue(tapAllowed, "TAP devices need root and /dev/net/tun");
        server = new FakeServer("red", "blue", "green", "white");
        socket = dir.resolve("control.sock");
        state = dir.resolve("state");
    }

    @AfterEach
    void tearDown() throws Exception {
        stop();
        if (server != null) {
            server.close();
        }
        threads.shutdownNow();
    }

    private void start(final Map<String, String> vlans) throws Exception {
        launch(vlans);
        await(() -> "connected".equals(status().get("state").getAsString()), "connected");
    }

    private void launch(final Map<String, String> vlans) throws Exception {
        final var options = new ClientOptions("127.0.0.1", server.port(), "tcp", "svc-test", vlans, 0, 0, 5, "alice",
            "pw", null, null, true, null, false, false);
        client = new ServalClient(options, new ServiceOptions(true, socket, state));
        control = ControlServer.open(socket, new ControlRequests(new ServiceControl(client)));
        running = CompletableFuture.supplyAsync(() -> {
            try {
                client.start();
                return client.awaitEnd(new PrintWriter(Writer.nullWriter()));
            } catch (ClientFailure | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }, threads);
    }

    private void stop() throws Exception {
        if (control != null) {
            control.close();
            control = null;
        }
        if (client != null) {
            client.close();
            running.get(10, TimeUnit.SECONDS);
            client = null;
        }
    }

    private JsonObject ask(final String json) throws ControlException {
        return ControlClient.call(socket, JsonParser.parseString(json).getAsJsonObject(), TIMEOUT);
    }

    private JsonObject status() throws ControlException {
        return ask("{\"cmd\":\"status\"}");
    }

    private JsonObject vlan(final String name) throws ControlException {
        for (var element : status().getAsJsonArray("vlans")) {
            if (name.equals(element.getAsJsonObject().get("name").getAsString())) {
                return element.getAsJsonObject();
            }
        }
        return null;
    }

    private static String vlanState(final JsonObject status) {
        final var vlans = status.getAsJsonArray("vlans");
        return vlans.isEmpty() ? "none" : vlans.get(0).getAsJsonObject().get("state").getAsString();
    }

    private static boolean exists(final String iface) {
        return Files.exists(Path.of("/sys/class/net", iface));
    }

    private static void await(final CheckedCondition condition, final String what) throws Exception {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                fail("not within 20 s: " + what);
            }
            Thread.sleep(20);
        }
    }

    @FunctionalInterface
    private interface CheckedCondition {
        boolean holds() throws Exception;
    }

    private Map<String, String> saved() {
        return new JoinedVlans(state).load();
    }

    @Test
    void joinLeaveAndTheServersChangesWhileRunning() throws Exception {
        final var red = PREFIX + "r";
        final var vlans = new LinkedHashMap<String, String>();
        vlans.put("red", red);
        vlans.put("nothere", PREFIX + "n");
        start(vlans);
        await(() -> vlan("red") != null && "joined".equals(vlan("red").get("state").getAsString()), "red joined");
        assertTrue(exists(red));
        await(() -> "refused".equals(vlan("nothere").get("state").getAsString()),
            "a refused VLAN does not stop the service");
        final var refused = vlan("nothere");
        assertTrue(refused.get("reason").getAsString().contains("no VLAN nothere"), refused.toString());
        await(() -> !exists(PREFIX + "n"), "a refused VLAN keeps no interface");
        final var status = status();
        assertEquals("fake", status.get("node").getAsString());
        assertEquals("tcp", status.get("transport").getAsString());
        assertTrue(status.get("connected").getAsBoolean());
        assertTrue(status.get("server").getAsString().startsWith("127.0.0.1:"));
        assertTrue((server.received(Message.Hello.class).get(0).flags() & Message.Hello.MANAGED) != 0,
            "the client says it follows the server's changes");

        // live join, with and without a name
        final var blue = PREFIX + "b";
        final var joined = ask("{\"cmd\":\"join\",\"vlan\":\"blue\",\"iface\":\"" + blue + "\"}");
        assertEquals(blue, joined.get("interface").getAsString());
        assertEquals("joined", joined.get("state").getAsString());
        assertTrue(exists(blue), "join made the interface");
        assertEquals(Map.of("red", red, "nothere", PREFIX + "n", "blue", blue), saved());
        final var again = assertThrows(ControlException.class,
            () -> ask("{\"cmd\":\"join\",\"vlan\":\"blue\"}"));
        assertEquals("already-joined", again.code());
        final var unknown = assertThrows(ControlException.class,
            () -> ask("{\"cmd\":\"join\",\"vlan\":\"nothing\",\"iface\":\"" + PREFIX + "x\"}"));
        assertEquals(ClientFailure.VLAN_REFUSED, unknown.exitCode());
        await(() -> !exists(PREFIX + "x"), "a refused join leaves no interface");

        // list, over more than one page
        final var list = ask("{\"cmd\":\"list\"}").getAsJsonArray("vlans");
        assertEquals(4, list.size(), list.toString());
        final var blueListed = list.get(0).getAsJsonObject();
        assertEquals("blue", blueListed.get("name").getAsString());
        assertTrue(blueListed.get("joined").getAsBoolean());
        assertEquals(blue, blueListed.get("interface").getAsString());
        assertFalse(list.get(1).getAsJsonObject().get("joined").getAsBoolean(), "green is not joined");

        // live leave
        ask("{\"cmd\":\"leave\",\"vlan\":\"blue\"}");
        await(() -> !exists(blue), "leave removed the interface");
        assertEquals(1, server.received(Message.Leave.class).size());
        assertFalse(saved().containsKey("blue"));
        assertEquals("not-joined", assertThrows(ControlException.class,
            () -> ask("{\"cmd\":\"leave\",\"vlan\":\"blue\"}")).code());

        // the server assigns a VLAN, then removes it
        server.push(new Message.Assign("green"));
        await(() -> vlan("green") != null && "joined".equals(vlan("green").get("state").getAsString()),
            "green assigned and joined");
        final var green = vlan("green").get("interface").getAsString();
        assertTrue(exists(green));
        assertTrue(saved().containsKey("green"));
        final int greenRef = server.received(Message.Join.class).size();
        assertTrue(greenRef > 0);
        server.push(new Message.Removed(0, Message.Removed.ADMIN, "green"));
        await(() -> vlan("green") == null, "green removed");
        await(() -> !exists(green), "green's interface removed");
        // saved once the interface is gone
        await(() -> !saved().containsKey("green"), "a VLAN the server removed is not joined again");

        // create, delete, members
        ask("{\"cmd\":\"create\",\"vlan\":\"pink\",\"open\":true}");
        assertTrue(server.vlans.contains("pink"));
        assertEquals("vlan-refused", assertThrows(ControlException.class,
            () -> ask("{\"cmd\":\"create\",\"vlan\":\"pink\"}")).code(), "ERROR exists");
        ask("{\"cmd\":\"delete\",\"vlan\":\"pink\"}");
        assertFalse(server.vlans.contains("pink"));
        final var members = ask("{\"cmd\":\"members\",\"vlan\":\"red\"}").getAsJsonArray("members");
        assertEquals("02:53:56:00:00:02", members.get(0).getAsJsonObject().get("mac").getAsString());
        assertEquals("127.0.0.1", members.get(0).getAsJsonObject().getAsJsonArray("addresses").get(0).getAsString());
    }

    @Test
    void downUpAndAnAdministratorsBye() throws Exception {
        final var red = PREFIX + "r";
        start(Map.of("red", red));
        await(() -> "joined".equals(vlan("red").get("state").getAsString()), "red joined");
        final int joins = server.received(Message.Join.class).size();

        assertEquals("down", ask("{\"cmd\":\"down\"}").get("state").getAsString());
        await(() -> !server.received(Message.Bye.class).isEmpty(), "BYE sent");
        assertTrue(exists(red), "the interface stays while down");
        assertEquals("not-connected", assertThrows(ControlException.class,
            () -> ask("{\"cmd\":\"join\",\"vlan\":\"blue\"}")).code());
        assertEquals(ClientFailure.CONNECTION_LOST, assertThrows(ControlException.class,
            () -> ask("{\"cmd\":\"list\"}")).exitCode());

        assertEquals("connected", ask("{\"cmd\":\"up\"}").get("state").getAsString());
        await(() -> server.received(Message.Join.class).size() == joins + 1, "red joined again after up");

        server.push(new Message.Bye(Message.Bye.ADMIN));
        await(() -> "disconnected".equals(status().get("state").getAsString()), "disconnected by the admin");
        assertTrue(status().get("reason").getAsString().contains("administrator"));
        Thread.sleep(300);
        assertEquals(2, server.received(Message.Hello.class).size(), "no reconnection on its own after BYE admin");
        assertEquals("connected", ask("{\"cmd\":\"up\"}").get("state").getAsString());
        assertEquals(3, server.received(Message.Hello.class).size());
    }

    @Test
    void aRestartJoinsWhatWasJoinedAtRunTime() throws Exception {
        start(Map.of("red", PREFIX + "r"));
        ask("{\"cmd\":\"join\",\"vlan\":\"blue\",\"iface\":\"" + PREFIX + "b\"}");
        ask("{\"cmd\":\"leave\",\"vlan\":\"red\"}");
        stop();
        await(() -> !exists(PREFIX + "b"), "the interfaces go with the client");

        // the configured VLANs count only while there is no state file
        start(Map.of("white", PREFIX + "w"));
        await(() -> vlan("blue") != null && "joined".equals(vlan("blue").get("state").getAsString()),
            "blue joined at start");
        assertTrue(exists(PREFIX + "b"));
        assertEquals(List.of("blue"), status().getAsJsonArray("vlans").asList().stream()
            .map(v -> v.getAsJsonObject().get("name").getAsString()).toList());
    }

    @Test
    void statusAnswersWhileAJoinWaitsForTheServer() throws Exception {
        start(Map.of());
        server.holdJoins = true;
        final var join = CompletableFuture.supplyAsync(() -> {
            try {
                ask("{\"cmd\":\"join\",\"vlan\":\"red\",\"iface\":\"" + PREFIX + "s\"}");
                return "joined";
            } catch (ControlException e) {
                return e.code();
            }
        }, threads);
        await(() -> !server.received(Message.Join.class).isEmpty() || join.isDone(), "the JOIN at the server");
        assertFalse(join.isDone(), () -> "the join ended before the server answered: " + join.join());
        // the server answers the join only once status has answered: a status waiting for the join would wait
        // until the join timed out, and the join would fail
        assertEquals("joining", vlanState(status()));
        server.releaseJoins();
        assertEquals("joined", join.get(30, TimeUnit.SECONDS), "status was answered while the join waited");
        assertTrue(exists(PREFIX + "s"));
    }

    @Test
    void connectedOnlyOnceLoggedIn() throws Exception {
        server.holdHellos = true;
        launch(Map.of());
        await(() -> !server.received(Message.Hello.class).isEmpty(), "the HELLO at the server");
        // the TCP connection is up and the server has not welcomed the client: a join now would be refused
        assertEquals("connecting", status().get("state").getAsString());
        assertFalse(status().get("connected").getAsBoolean());
        server.releaseHellos();
        await(() -> "connected".equals(status().get("state").getAsString()), "connected after the WELCOME");
        assertEquals("red", ask("{\"cmd\":\"join\",\"vlan\":\"red\",\"iface\":\"" + PREFIX + "c\"}")
            .get("name").getAsString());
    }
}
