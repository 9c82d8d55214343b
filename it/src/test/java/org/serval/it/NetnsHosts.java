/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.it;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Test hosts made of network namespaces, each with a SERVAL client's TAP interface moved into it. The clients run
 * in the test's own namespace and reach the server over loopback; their TAP interfaces, and so all the overlay
 * traffic, live in namespaces this class made and removes again, also when a test fails. {@link #hostIn} runs a
 * client inside a namespace someone else made (a host with its own address on a {@link NetnsLan}) instead.
 */
final class NetnsHosts implements AutoCloseable {
    static final Path CLIENT = Path.of(System.getProperty("serval.it.client", "../client/bin/serval-client"));

    private final String prefix = "svit" + ProcessHandle.current().pid() % 10_000;
    private final List<String> namespaces = new ArrayList<>();
    private final List<Process> clients = new ArrayList<>();
    private final Path logs;

    NetnsHosts(final Path logs) {
        this.logs = logs;
    }

    static boolean available() {
        return "root".equals(System.getProperty("user.name")) && Files.exists(Path.of("/dev/net/tun"))
            && Files.isExecutable(CLIENT) && onPath("ip") && onPath("ping");
    }

    static boolean onPath(final String tool) {
        for (var dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    static String run(final String... command) throws IOException, InterruptedException {
        final var process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final var output = new String(process.getInputStream().readAllBytes(), UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output);
        }
        return output;
    }

    static int exitCode(final String... command) throws IOException, InterruptedException {
        final var process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getInputStream().readAllBytes();
        return process.waitFor(60, TimeUnit.SECONDS) ? process.exitValue() : -1;
    }

    /**
     * Starts a client that joins one VLAN, waits for its TAP interface, and moves it into a new namespace with an
     * address (none for a null cidr: the host gets one over DHCP or SLAAC).
     *
     * @return the namespace
     */
    String host(final String name, final String vlan, final String cidr, final String transport)
            throws IOException, InterruptedException {
        return host(name, vlan, cidr, transport, ServalServer.DATAPLANE_PORT, ServalServer.fingerprint());
    }

    /**
     * The same, for a client of the server at a given port with a given certificate (a cluster member).
     */
    String host(final String name, final String vlan, final String cidr, final String transport, final int port,
            final String pin) throws IOException, InterruptedException {
        final var ns = prefix + "-" + name;
        final var tap = tapOf(ns);
        run("ip", "netns", "add", ns);
        namespaces.add(ns);
        final var builder = new ProcessBuilder(CLIENT.toString(),
            "--server", "127.0.0.1:" + port, "--transport", transport, "--id", "it-" + name,
            "--vlan", vlan + "=" + tap, "--status", "0",
            "--user", ServalServer.USER, "--pin", pin)
            .redirectErrorStream(true).redirectOutput(logs.resolve("client-" + name + ".log").toFile());
        builder.environment().put("SERVAL_PASSWORD", ServalServer.PASSWORD);
        final var client = builder.start();
        clients.add(client);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        // The client creates the interface, then sets its MAC and MTU and brings it up: only once it is up may it
        // move to the namespace, or the client's last steps find no device (ENODEV) and it exits.
        while (!isUp(tap)) {
            if (!client.isAlive() || System.nanoTime() > deadline) {
                throw new IOException("client " + name + " made no interface; see " + logs.resolve("client-" + name
                    + ".log") + ": " + Files.readString(logs.resolve("client-" + name + ".log")));
            }
            Thread.sleep(200);
        }
        run("ip", "link", "set", tap, "netns", ns);
        if (cidr != null) {
            run("ip", "-n", ns, "addr", "add", cidr, "dev", tap);
        }
        run("ip", "-n", ns, "link", "set", tap, "up");
        return ns;
    }

    /**
     * Starts a client inside an existing namespace (a host of its own, with its own route to the server, such as a
     * {@link NetnsLan} host), where it makes its TAP interface; gives that an address (none for a null cidr). The
     * namespace is its maker's to remove; the client is stopped at {@link #close()}.
     *
     * @return the namespace
     */
    String hostIn(final String ns, final String name, final String vlan, final String cidr, final String transport,
            final String server, final String pin) throws IOException, InterruptedException {
        final var tap = tapOf(ns);
        final var log = logs.resolve("client-" + name + ".log");
        final var builder = new ProcessBuilder("ip", "netns", "exec", ns, CLIENT.toAbsolutePath().toString(),
            "--server", server, "--transport", transport, "--id", "it-" + name, "--vlan", vlan + "=" + tap,
            "--status", "0", "--user", ServalServer.USER, "--pin", pin)
            .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("SERVAL_PASSWORD", ServalServer.PASSWORD);
        final var client = builder.start();
        clients.add(client);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!isUp(ns, tap)) {
            if (!client.isAlive() || System.nanoTime() > deadline) {
                throw new IOException("client " + name + " made no interface in " + ns + "; see " + log + ": "
                    + Files.readString(log));
            }
            Thread.sleep(200);
        }
        if (cidr != null) {
            run("ip", "-n", ns, "addr", "add", cidr, "dev", tap);
        }
        return ns;
    }

    /**
     * Runs iperf3 for 3 s from one host to another's address (its server bound there, one test) and returns what
     * the receiver got: the JSON's end.sum_received.
     */
    static com.google.gson.JsonObject iperf(final String from, final String to, final String address)
            throws IOException, InterruptedException {
        final var server = new ProcessBuilder("ip", "netns", "exec", to, "iperf3", "-s", "-1", "-B", address)
            .redirectErrorStream(true).start();
        try {
            Thread.sleep(500);
            final var json = run("ip", "netns", "exec", from, "iperf3", "-c", address, "-t", "3", "-J");
            return com.google.gson.JsonParser.parseString(json).getAsJsonObject().getAsJsonObject("end")
                .getAsJsonObject("sum_received");
        } finally {
            server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static boolean isUp(final String tap) throws IOException, InterruptedException {
        return isUp(null, tap);
    }

    private static boolean isUp(final String ns, final String tap) throws IOException, InterruptedException {
        final var process = new ProcessBuilder(ns == null ? List.of("ip", "-o", "link", "show", tap)
            : List.of("ip", "-n", ns, "-o", "link", "show", tap)).redirectErrorStream(true).start();
        final var output = new String(process.getInputStream().readAllBytes(), UTF_8);
        return process.waitFor(60, TimeUnit.SECONDS) && process.exitValue() == 0
            && output.matches("(?s).*<[^>]*\\bUP\\b[^>]*>.*");
    }

    /**
     * Frames the client of a host has written into its TAP interface: everything the server sent it.
     */
    static long framesReceived(final String ns) throws IOException, InterruptedException {
        final var json = run("ip", "-n", ns, "-s", "-j", "link", "show", "dev", tapOf(ns));
        return com.google.gson.JsonParser.parseString(json).getAsJsonArray().get(0).getAsJsonObject()
            .getAsJsonObject("stats64").getAsJsonObject("rx").get("packets").getAsLong();
    }

    /**
     * The MLD queries (ICMPv6 type 130) a host's network namespace received: what a VLAN's switch sends a member on
     * its own, as the querier of a VLAN with multicast listeners.
     */
    static long mldQueriesReceived(final String ns) throws IOException, InterruptedException {
        for (var line : run("ip", "netns", "exec", ns, "cat", "/proc/net/snmp6").split("\n")) {
            final var fields = line.trim().split("\\s+");
            if (fields.length == 2 && fields[0].equals("Icmp6InType130")) {
                return Long.parseLong(fields[1]);
            }
        }
        // The kernel lists a message type only once it has counted one.
        return 0;
    }

    /**
     * The MAC address of a host's TAP interface, as {@code ip} prints it.
     */
    static String macOf(final String ns) throws IOException, InterruptedException {
        final var json = run("ip", "-n", ns, "-j", "link", "show", "dev", tapOf(ns));
        return com.google.gson.JsonParser.parseString(json).getAsJsonArray().get(0).getAsJsonObject()
            .get("address").getAsString();
    }

    static String tapOf(final String ns) {
        final var name = ns.replace("-", "");
        return name.substring(0, Math.min(15, name.length()));
    }

    Process client(final int index) {
        return clients.get(index);
    }

    @Override
    public void close() throws InterruptedException {
        for (var client : clients) {
            client.destroy();
        }
        for (var client : clients) {
            if (!client.waitFor(10, TimeUnit.SECONDS)) {
                client.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        for (var ns : namespaces) {
            try {
                run("ip", "netns", "del", ns);
            } catch (IOException e) {
                // already gone
            }
        }
    }
}
