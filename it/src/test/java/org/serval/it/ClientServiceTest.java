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

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The client as a service its user steers (issue 13), on the real distribution with real TAP interfaces: the
 * client runs as systemd would run it ({@code serval-client run --config FILE}), and everything else goes through
 * its control socket with the CLI ({@code join}, {@code leave}, {@code status --json}, {@code list --json},
 * {@code up}) or through the server's RESTCONF ({@code join-vlan}, {@code leave-vlan}, {@code disconnect-client}).
 * The interfaces are moved into namespaces this test makes, so that the overlay's pings stay in them.
 */
class ClientServiceTest {
    private static ServalServer server;
    private static Path dir;
    private final List<Process> services = new ArrayList<>();
    private final List<String> namespaces = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        RealParts.require(NetnsHosts.available(), "needs root, /dev/net/tun, ip, ping and a built client");
        server = new ServalServer();
        server.start();
        dir = server.home().resolve("client-service");
        Files.createDirectories(dir);
        for (var vlan : List.of("svc-red", "svc-blue", "svc-green")) {
            assertEquals(204, server.rpc("create-vlan", "{\"name\":\"" + vlan + "\",\"open\":true}").statusCode());
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (var service : services) {
            service.destroy();
        }
        for (var service : services) {
            if (!service.waitFor(10, TimeUnit.SECONDS)) {
                service.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        for (var ns : namespaces) {
            NetnsHosts.exitCode("ip", "netns", "del", ns);
        }
    }

    /**
     * Writes a client's configuration file as an operator would, and starts the client with it.
     */
    private Process service(final String name, final String transport) throws Exception {
        final var password = dir.resolve(name + ".password");
        Files.writeString(password, ServalServer.PASSWORD + "\n", UTF_8);
        Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("rw-------"));
        final var config = dir.resolve(name + ".conf");
        Files.writeString(config, String.join("\n",
            "# written by ClientServiceTest",
            "server = 127.0.0.1:" + ServalServer.DATAPLANE_PORT,
            "pin = " + ServalServer.fingerprint(),
            "user = " + ServalServer.USER,
            "password-file = " + password,
            "id = " + clientId(name),
            "transport = " + transport,
            "control-socket = " + socket(name),
            "state-dir = " + dir.resolve(name + "-state"),
            ""), UTF_8);
        final var builder = new ProcessBuilder(NetnsHosts.CLIENT.toString(), "run", "--config", config.toString())
            .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log(name).toFile()));
        builder.environment().remove("SERVAL_PASSWORD");
        final var process = builder.start();
        services.add(process);
        awaitStatus(name, "connected", status -> "connected".equals(text(status, "state")));
        return process;
    }

    private static String clientId(final String name) {
        return "it-svc-" + name;
    }

    private static Path socket(final String name) {
        return dir.resolve(name + ".sock");
    }

    private static Path log(final String name) {
        return dir.resolve(name + ".log");
    }

    /**
     * Runs one CLI command against a service's control socket.
     *
     * @return the exit code, then the output
     */
    private static Result cli(final String name, final String... args) throws IOException, InterruptedException {
        final var command = new ArrayList<String>();
        command.add(NetnsHosts.CLIENT.toString());
        command.add(args[0]);
        command.add("--socket");
        command.add(socket(name).toString());
        command.addAll(List.of(args).subList(1, args.length));
        final var process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final var output = new String(process.getInputStream().readAllBytes(), UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), String.join(" ", command) + " did not end");
        return new Result(process.exitValue(), output);
    }

    record Result(int exitCode, String output) {
        JsonObject json() {
            return JsonParser.parseString(output.strip()).getAsJsonObject();
        }
    }

    private static JsonObject status(final String name) throws IOException, InterruptedException {
        final var result = cli(name, "status", "--json");
        assertEquals(0, result.exitCode(), result.output());
        return result.json();
    }

    private static JsonObject vlan(final JsonObject status, final String vlan) {
        for (var element : status.getAsJsonArray("vlans")) {
            if (vlan.equals(text(element.getAsJsonObject(), "name"))) {
                return element.getAsJsonObject();
            }
        }
        return null;
    }

    private static String text(final JsonObject object, final String key) {
        final var value = object.get(key);
        return value == null || value.isJsonNull() ? null : value.getAsString();
    }

    private static JsonObject awaitStatus(final String name, final String what, final Predicate<JsonObject> condition)
            throws Exception {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            if (Files.exists(socket(name))) {
                final var result = cli(name, "status", "--json");
                if (result.exitCode() == 0) {
                    final var status = result.json();
                    if (condition.test(status)) {
                        return status;
                    }
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError("timed out waiting until " + name + " is " + what + ": " + status);
                    }
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + name + " is " + what + "; its log: "
                    + Files.readString(log(name)));
            }
            Thread.sleep(200);
        }
    }

    private static boolean interfaceExists(final String ns, final String iface)
            throws IOException, InterruptedException {
        return ns == null ? NetnsHosts.exitCode("ip", "link", "show", iface) == 0
            : NetnsHosts.exitCode("ip", "-n", ns, "link", "show", iface) == 0;
    }

    /**
     * Moves a service's interface into a namespace of its own, with an address.
     */
    private String host(final String name, final String iface, final String cidr)
            throws IOException, InterruptedException {
        final var ns = "svit" + ProcessHandle.current().pid() % 10_000 + "-" + name;
        NetnsHosts.run("ip", "netns", "add", ns);
        namespaces.add(ns);
        NetnsHosts.run("ip", "link", "set", iface, "netns", ns);
        NetnsHosts.run("ip", "-n", ns, "addr", "add", cidr, "dev", iface);
        NetnsHosts.run("ip", "-n", ns, "link", "set", iface, "up");
        return ns;
    }

    /**
     * Two services, over TCP and over sealed UDP, join a VLAN while they run, ping each other through it, show it
     * in status and list, and leave it: the interface goes, no restart anywhere.
     */
    @Test
    void joinPingAndLeaveWhileTheServiceRuns() throws Exception {
        service("a", "tcp");
        service("b", "udp");
        final var joinA = cli("a", "join", "svc-red", "--iface", "svca0");
        assertEquals(0, joinA.exitCode(), joinA.output());
        final var joinB = cli("b", "join", "svc-red", "--iface", "svcb0");
        assertEquals(0, joinB.exitCode(), joinB.output());
        final var nsA = host("a", "svca0", "10.77.0.1/24");
        final var nsB = host("b", "svcb0", "10.77.0.2/24");
        NetnsHosts.run("ip", "netns", "exec", nsA, "ping", "-c", "3", "-i", "0.2", "-W", "5", "10.77.0.2");

        final var status = status("a");
        assertEquals(clientId("a"), text(status, "clientId"), status.toString());
        assertEquals("tcp", text(status, "transport"), status.toString());
        final var red = vlan(status, "svc-red");
        assertTrue(red != null && "svca0".equals(text(red, "interface")) && "joined".equals(text(red, "state")),
            status.toString());
        assertEquals("udp", text(status("b"), "transport"));

        final var list = cli("a", "list", "--json");
        assertEquals(0, list.exitCode(), list.output());
        final var listed = list.output();
        assertTrue(listed.contains("svc-red") && listed.contains("svc-blue"), listed);

        final var leave = cli("a", "leave", "svc-red");
        assertEquals(0, leave.exitCode(), leave.output());
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (interfaceExists(nsA, "svca0") && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertFalse(interfaceExists(nsA, "svca0"), "leave removed the interface");
        assertTrue(vlan(status("a"), "svc-red") == null, "no longer in the status");
        assertEquals(1, NetnsHosts.exitCode("ip", "netns", "exec", nsB, "ping", "-c", "1", "-W", "1", "10.77.0.1"),
            "nothing answers for the member that left");
    }

    /**
     * An administrator's join-vlan makes an interface appear on the running client; leave-vlan removes it, and
     * for good: the restarted client does not join it again, and its own join is refused until an administrator
     * assigns the VLAN again.
     */
    @Test
    void anAdministratorsJoinAndLeaveReachTheClientAndStay() throws Exception {
        service("c", "tcp");
        final var id = clientId("c");
        assertEquals(204, server.rpc("join-vlan", "{\"client-id\":\"" + id + "\",\"vlan\":\"svc-blue\"}")
            .statusCode());
        final var assigned = awaitStatus("c", "in svc-blue", s -> {
            final var blue = vlan(s, "svc-blue");
            return blue != null && "joined".equals(text(blue, "state"));
        });
        final var iface = text(vlan(assigned, "svc-blue"), "interface");
        assertTrue(interfaceExists(null, iface), "the assigned VLAN's interface exists: " + assigned);

        assertEquals(204, server.rpc("leave-vlan", "{\"client-id\":\"" + id + "\",\"vlan\":\"svc-blue\"}")
            .statusCode());
        awaitStatus("c", "out of svc-blue", s -> vlan(s, "svc-blue") == null);
        assertFalse(interfaceExists(null, iface), "leave-vlan removed the interface");

        // a restart keeps the administrator's decision
        final var first = services.remove(services.size() - 1);
        first.destroy();
        assertTrue(first.waitFor(20, TimeUnit.SECONDS));
        service("c", "tcp");
        Thread.sleep(2000);
        assertTrue(vlan(status("c"), "svc-blue") == null, "not rejoined after a restart: " + status("c"));
        final var refused = cli("c", "join", "svc-blue");
        assertEquals(4, refused.exitCode(), refused.output());
        assertTrue(refused.output().contains("administrator"), refused.output());

        assertEquals(204, server.rpc("join-vlan", "{\"client-id\":\"" + id + "\",\"vlan\":\"svc-blue\"}")
            .statusCode());
        awaitStatus("c", "in svc-blue again", s -> {
            final var blue = vlan(s, "svc-blue");
            return blue != null && "joined".equals(text(blue, "state"));
        });
    }

    /**
     * disconnect-client ends the session and the client stays off (no reconnection of its own) until its user
     * says up.
     */
    @Test
    void aDisconnectedClientStaysOffUntilUp() throws Exception {
        final var process = service("d", "udp");
        // The node writes the registry entry disconnect-client reads in the background, after the login.
        final long registered = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (server.get("/data/serval:clients/client=" + clientId("d") + "?content=nonconfig").statusCode() != 200
                && System.nanoTime() < registered) {
            Thread.sleep(100);
        }
        assertEquals(204, server.rpc("disconnect-client", "{\"client-id\":\"" + clientId("d") + "\"}")
            .statusCode());
        awaitStatus("d", "disconnected", s -> !"connected".equals(text(s, "state")));
        Thread.sleep(3 * ServalServer.KEEPALIVE_MILLIS);
        final var status = status("d");
        assertFalse("connected".equals(text(status, "state")), "it did not reconnect on its own: " + status);
        assertTrue(process.isAlive(), "the service keeps running");
        final var up = cli("d", "up");
        assertEquals(0, up.exitCode(), up.output());
        awaitStatus("d", "connected again", s -> "connected".equals(text(s, "state")));
    }
}
