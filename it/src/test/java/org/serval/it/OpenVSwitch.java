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
 * A private Open vSwitch: its own database and switch daemon, with the userspace datapath (no kernel module), every
 * socket, pid and log file in one directory of the test's, so that it touches no system OVS. Stopped on close, with
 * the ports and namespaces the test made through it.
 */
final class OpenVSwitch implements AutoCloseable {
    private static final Path SCHEMA = Path.of("/usr/share/openvswitch/vswitch.ovsschema");

    private final Path dir;
    private final List<String> links = new ArrayList<>();
    private final List<String> namespaces = new ArrayList<>();
    private final List<String> bridges = new ArrayList<>();
    private boolean started;

    OpenVSwitch(final Path dir) {
        this.dir = dir;
    }

    static boolean available() {
        return NetnsHosts.onPath("ovs-vswitchd") && NetnsHosts.onPath("ovsdb-server") && NetnsHosts.onPath("ovs-vsctl")
            && NetnsHosts.onPath("ovs-ofctl") && Files.exists(SCHEMA) && Files.exists(Path.of("/dev/net/tun"))
            && "root".equals(System.getProperty("user.name")) && NetnsHosts.onPath("ip");
    }

    Path dir() {
        return dir;
    }

    void start() throws IOException, InterruptedException {
        Files.createDirectories(dir);
        started = true;
        run("ovsdb-tool", "create", dir.resolve("conf.db").toString(), SCHEMA.toString());
        run("ovsdb-server", dir.resolve("conf.db").toString(), "--remote=punix:" + dir.resolve("db.sock"),
            "--pidfile=" + dir.resolve("ovsdb-server.pid"), "--unixctl=" + dir.resolve("ovsdb-server.ctl"),
            "--log-file=" + dir.resolve("ovsdb-server.log"), "--detach");
        vsctl("--no-wait", "init");
        startSwitch();
    }

    /** Starts the switch daemon (again). */
    void startSwitch() throws IOException, InterruptedException {
        run("ovs-vswitchd", "unix:" + dir.resolve("db.sock"), "--pidfile=" + dir.resolve("ovs-vswitchd.pid"),
            "--unixctl=" + dir.resolve("ovs-vswitchd.ctl"), "--log-file=" + dir.resolve("ovs-vswitchd.log"),
            "--detach");
    }

    /** Stops the switch daemon, as a restart would: its flows go with it. */
    void stopSwitch() throws IOException, InterruptedException {
        run("ovs-appctl", "-t", dir.resolve("ovs-vswitchd.ctl").toString(), "exit");
    }

    String vsctl(final String... args) throws IOException, InterruptedException {
        final var command = new ArrayList<>(List.of("ovs-vsctl", "--timeout=30",
            "--db=unix:" + dir.resolve("db.sock")));
        command.addAll(List.of(args));
        return run(command.toArray(String[]::new));
    }

    String ofctl(final String... args) throws IOException, InterruptedException {
        final var command = new ArrayList<>(List.of("ovs-ofctl", "-O", "OpenFlow13"));
        command.addAll(List.of(args));
        return run(command.toArray(String[]::new));
    }

    /** A userspace bridge; removed on close. */
    void bridge(final String name, final String... settings) throws IOException, InterruptedException {
        final var args = new ArrayList<>(List.of("add-br", name, "--", "set", "bridge", name, "datapath_type=netdev"));
        args.addAll(List.of(settings));
        vsctl(args.toArray(String[]::new));
        bridges.add(name);
    }

    /** A veth pair, both ends up; deleted on close. */
    void veth(final String name, final String peer) throws IOException, InterruptedException {
        NetnsHosts.run("ip", "link", "add", name, "type", "veth", "peer", "name", peer);
        links.add(name);
        NetnsHosts.run("ip", "link", "set", name, "up");
        NetnsHosts.run("ip", "link", "set", peer, "up");
    }

    /** A namespace holding one end of a veth with an address (none for a null cidr); deleted on close. */
    void host(final String namespace, final String link, final String cidr) throws IOException, InterruptedException {
        NetnsHosts.run("ip", "netns", "add", namespace);
        namespaces.add(namespace);
        NetnsHosts.run("ip", "link", "set", link, "netns", namespace);
        if (cidr != null) {
            NetnsHosts.run("ip", "-n", namespace, "addr", "add", cidr, "dev", link);
        }
        NetnsHosts.run("ip", "-n", namespace, "link", "set", link, "up");
        NetnsHosts.run("ip", "-n", namespace, "link", "set", "lo", "up");
    }

    String run(final String... command) throws IOException, InterruptedException {
        final var builder = new ProcessBuilder(command).redirectErrorStream(true);
        for (var variable : List.of("OVS_RUNDIR", "OVS_DBDIR", "OVS_LOGDIR", "OVS_SYSCONFDIR")) {
            builder.environment().put(variable, dir.toString());
        }
        final var process = builder.start();
        final var output = new String(process.getInputStream().readAllBytes(), UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output);
        }
        return output;
    }

    private void kill(final String daemon) throws InterruptedException {
        final var pidFile = dir.resolve(daemon + ".pid");
        try {
            final long pid = Long.parseLong(Files.readString(pidFile).strip());
            final var process = ProcessHandle.of(pid);
            if (process.isPresent()) {
                process.orElseThrow().destroy();
                process.orElseThrow().onExit().get(10, TimeUnit.SECONDS);
            }
        } catch (IOException | NumberFormatException | java.util.concurrent.ExecutionException
                | java.util.concurrent.TimeoutException e) {
            ProcessHandle.of(readPid(pidFile)).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    private static long readPid(final Path pidFile) {
        try {
            return Long.parseLong(Files.readString(pidFile).strip());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (!started) {
            return;
        }
        for (var bridge : bridges) {
            try {
                vsctl("--if-exists", "del-br", bridge);
            } catch (IOException e) {
                // the daemons may be gone already; the links below go anyway
            }
        }
        kill("ovs-vswitchd");
        kill("ovsdb-server");
        for (var namespace : namespaces) {
            try {
                NetnsHosts.run("ip", "netns", "del", namespace);
            } catch (IOException e) {
                // gone already
            }
        }
        for (var link : links) {
            try {
                NetnsHosts.exitCode("ip", "link", "del", link);
            } catch (IOException e) {
                // went with its namespace
            }
        }
    }
}
