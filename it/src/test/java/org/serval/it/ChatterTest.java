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
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Chatter and multicast (issue 14) on the real distribution, with real clients' TAP interfaces in namespaces:
 * mDNS discovery works across the VLAN under the default chatter policy (avahi-daemon publishes a service in one
 * host; another asks for it over multicast; a third asks the same a moment later and is answered by the switch's
 * mDNS cache, as avahi's multicast response, while the second host never hears that question), and a multicast
 * stream reaches only the member that joined its group
 * (a socket joining it, so the kernel sends the IGMP report the switch snoops), not a member that did not, which
 * counts the group's frames on its interface with a packet socket. The per-VLAN counters show it in OPERATIONAL.
 *
 * <p>avahi-daemon runs without D-Bus (enable-dbus=no), so avahi-browse, which needs the daemon's D-Bus API, cannot
 * ask; the asking side is a small mDNS querier over a real socket ({@code chatter/mdns_query.py}), which sends
 * what avahi-browse would (a PTR question for the service type from port 5353) and reads the multicast answer.
 */
class ChatterTest {
    private static final Path AVAHI = Path.of("/usr/sbin/avahi-daemon");
    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final String VLAN = "chat";
    private static final String GROUP = "239.77.1.2";
    private static final String GROUP_MAC = "01:00:5e:4d:01:02";
    private static final String MDNS_MAC = "01:00:5e:00:00:fb";
    private static final int DATAGRAMS = 200;

    @Test
    void discoveryWorksAndAGroupReachesOnlyItsMember() throws Exception {
        RealParts.require(NetnsHosts.available() && Files.isExecutable(AVAHI) && Files.isExecutable(PYTHON),
            "needs root, /dev/net/tun, ip, a built client, avahi-daemon and python3 (scripts/install-test-deps.sh)");
        final var logs = Files.createDirectories(Path.of("target/chatter").toAbsolutePath());
        final var processes = new ArrayList<Process>();
        try (var server = new ServalServer(); var hosts = new NetnsHosts(logs)) {
            try {
                run(server, hosts, logs, processes);
            } finally {
                // before the namespaces go
                for (var process : processes) {
                    process.destroy();
                }
                for (var process : processes) {
                    if (!process.waitFor(10, TimeUnit.SECONDS)) {
                        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                    }
                }
            }
        }
    }

    private static void run(final ServalServer server, final NetnsHosts hosts, final Path logs,
            final List<Process> processes) throws Exception {
        server.start();
        assertEquals(204, server.rpc("create-vlan", "{\"name\":\"" + VLAN + "\",\"open\":true}").statusCode());
        final var a = hosts.host("cha", VLAN, "10.96.0.1/24", "tcp");
        final var b = hosts.host("chb", VLAN, "10.96.0.2/24", "udp");
        final var c = hosts.host("chc", VLAN, "10.96.0.3/24", "tcp");

        // mDNS: a publishes a service, b finds it
        final var avahi = avahi(a, logs, processes);
        awaitLog(avahi, "Server startup complete", 30);
        final var query = NetnsHosts.exitCode("ip", "netns", "exec", b, PYTHON.toString(), script("mdns_query.py"),
            "10.96.0.2", "_servalit._tcp.local", "serval-it", "20");
        assertEquals(0, query, "b discovered a's service over mDNS; avahi's log: " + Files.readString(avahi));
        // c asks the same: the switch answers from what it learned of a's response, and b does not hear c ask
        final var bHears = python(b, processes, "sniff", NetnsHosts.tapOf(b), MDNS_MAC, "5", NetnsHosts.macOf(c));
        assertEquals("ready", bHears.readLine());
        final var cached = NetnsHosts.exitCode("ip", "netns", "exec", c, PYTHON.toString(), script("mdns_query.py"),
            "10.96.0.3", "_servalit._tcp.local", "serval-it", "20");
        assertEquals(0, cached, "c discovered a's service too");
        assertEquals(0, Long.parseLong(bHears.readLine().strip()), "b heard c's mDNS question");

        // Multicast: b joins the group, c does not; a sends to it
        final var receiver = python(b, processes, "recv", "10.96.0.2", GROUP, "5004", "8");
        final var joinedTap = python(b, processes, "sniff", NetnsHosts.tapOf(b), GROUP_MAC, "8");
        final var otherTap = python(c, processes, "sniff", NetnsHosts.tapOf(c), GROUP_MAC, "8");
        for (var ready : List.of(receiver, joinedTap, otherTap)) {
            assertEquals("ready", ready.readLine());
        }
        // the kernel sends its report when the socket joins; give it the time to reach the switch
        Thread.sleep(1000);
        NetnsHosts.run("ip", "netns", "exec", a, PYTHON.toString(), script("mcast.py"), "send", "10.96.0.1",
            GROUP, "5004", Integer.toString(DATAGRAMS));
        final long received = Long.parseLong(receiver.readLine().strip());
        final long atJoined = Long.parseLong(joinedTap.readLine().strip());
        final long atOther = Long.parseLong(otherTap.readLine().strip());
        assertTrue(received >= DATAGRAMS * 9 / 10, "the member that joined got " + received);
        assertTrue(atJoined >= DATAGRAMS * 9 / 10, "frames on the joined member's interface: " + atJoined);
        assertEquals(0, atOther, "frames to the group on the interface of the member that did not join");

        // the counters, written every few seconds
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        JsonObject node = null;
        while (System.nanoTime() < deadline) {
            node = statistics(server);
            if (node != null && node.get("snooped").getAsLong() >= received && mdnsFrames(node) > 0
                    && node.get("answered").getAsLong() > 0) {
                break;
            }
            Thread.sleep(500);
        }
        assertTrue(node != null && node.get("snooped").getAsLong() >= received && mdnsFrames(node) > 0
            && node.get("answered").getAsLong() > 0, "vlan statistics: " + node);
    }

    /**
     * Starts avahi-daemon in a host's namespace with its own configuration (no D-Bus, the host's TAP only, a
     * static service) and its own /run/avahi-daemon, so that it neither needs nor meets the machine's.
     *
     * @return its log
     */
    private static Path avahi(final String ns, final Path logs, final List<Process> processes) throws IOException {
        final var conf = Files.createDirectories(logs.resolve("avahi-" + ns));
        Files.createDirectories(conf.resolve("services"));
        Files.writeString(conf.resolve("avahi-daemon.conf"), String.join("\n", "[server]", "host-name=servalit-a",
            "use-ipv4=yes", "use-ipv6=yes", "enable-dbus=no", "allow-interfaces=" + NetnsHosts.tapOf(ns),
            "[publish]", "publish-workstation=no", ""));
        Files.writeString(conf.resolve("services/it.service"), String.join("\n",
            "<?xml version=\"1.0\" standalone='no'?>", "<!DOCTYPE service-group SYSTEM \"avahi-service.dtd\">",
            "<service-group><name>serval-it</name>",
            "<service><type>_servalit._tcp</type><port>7777</port></service></service-group>", ""));
        final var log = logs.resolve("avahi-" + ns + ".log");
        processes.add(new ProcessBuilder("ip", "netns", "exec", ns, "unshare", "-m", "sh", "-c",
            "mkdir -p /run/avahi-daemon && mount -t tmpfs none /run/avahi-daemon && mount --bind " + conf
                + " /etc/avahi && exec " + AVAHI + " --no-drop-root --no-chroot --no-rlimits"
                + " -f /etc/avahi/avahi-daemon.conf")
            .redirectErrorStream(true).redirectOutput(log.toFile()).start());
        return log;
    }

    private static void awaitLog(final Path log, final String line, final int seconds) throws Exception {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!Files.readString(log).contains(line)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no \"" + line + "\" in " + log + ": " + Files.readString(log));
            }
            Thread.sleep(200);
        }
    }

    private static BufferedReader python(final String ns, final List<Process> processes, final String... args)
            throws IOException, URISyntaxException {
        final var command = new ArrayList<>(List.of("ip", "netns", "exec", ns, PYTHON.toString(),
            script("mcast.py")));
        command.addAll(List.of(args));
        final var process = new ProcessBuilder(command).redirectErrorStream(true).start();
        processes.add(process);
        return new BufferedReader(new InputStreamReader(process.getInputStream(), UTF_8));
    }

    private static String script(final String name) throws URISyntaxException {
        return Path.of(ChatterTest.class.getResource("/chatter/" + name).toURI()).toString();
    }

    /**
     * This node's counters of the VLAN, or null before the first are written.
     */
    private static JsonObject statistics(final ServalServer server) throws IOException, InterruptedException {
        final var response = server.get("/data/serval:vlan-statistics?content=nonconfig");
        if (response.statusCode() != 200) {
            return null;
        }
        final var entries = JsonParser.parseString(response.body()).getAsJsonObject()
            .getAsJsonObject("serval:vlan-statistics").getAsJsonArray("vlan");
        for (var entry : entries) {
            if (VLAN.equals(entry.getAsJsonObject().get("name").getAsString())) {
                return entry.getAsJsonObject();
            }
        }
        return null;
    }

    private static long mdnsFrames(final JsonObject node) {
        for (var protocol : node.getAsJsonArray("protocol")) {
            final var entry = protocol.getAsJsonObject();
            if ("mdns".equals(entry.get("name").getAsString())) {
                return entry.get("frames").getAsLong();
            }
        }
        return 0;
    }
}
