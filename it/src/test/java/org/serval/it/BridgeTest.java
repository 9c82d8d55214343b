/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Bridging a VLAN to a Linux interface (issue 15), on the real distribution: a host in a namespace of its own
 * ("lan") behind a veth whose other end SERVAL bridges as an access port of red is pinged by SERVAL clients in red
 * over TCP and over UDP, resolves them by ARP, and is out of reach of a client in blue; a trunk veth with two 802.1Q
 * subinterfaces on the lan side (or, on a kernel without 8021q, a host per vid that answers tagged frames itself,
 * {@code bridge/vlan_hosts.py}) carries red and blue by their vids and nothing across; the interface deleted is
 * reported missing and attached again when made anew; bad configurations get RESTCONF's error-tags, and the shell's
 * commands work; the port is in ietf-interfaces' operational list too. A stock DHCP client behind the bridge gets
 * its address from the VLAN's addressing, and with that off from a stock DHCP server behind a SERVAL client.
 */
class BridgeTest {
    private static final String RED = "br-red";
    private static final String BLUE = "br-blue";
    private static final int RED_VID = 110;
    private static final int BLUE_VID = 120;
    private static final String DHCP = "br-dhcp";
    private static final Pattern INET = Pattern.compile("inet (10\\.\\d+\\.\\d+\\.\\d+)/24");
    private static ServalServer server;
    private static String nodeId;
    private final String prefix = "svb" + ProcessHandle.current().pid() % 10_000;
    private final List<String> namespaces = new ArrayList<>();
    private final List<String> links = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();
    private final List<Path> netnsFiles = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        RealParts.require(NetnsHosts.available(), "needs root, /dev/net/tun, ip, ping and a built client");
        server = new ServalServer();
        server.start();
        final var nodes = server.get("/data/serval:nodes?content=nonconfig").body();
        final var id = Pattern.compile("\"id\":\"([^\"]+)\"").matcher(nodes);
        assertTrue(id.find(), nodes);
        nodeId = id.group(1);
        for (var vlan : List.of(RED + ":" + RED_VID, BLUE + ":" + BLUE_VID)) {
            final var parts = vlan.split(":");
            final var put = server.send("PUT", "/data/serval:vlans/vlan=" + parts[0], "{\"serval:vlan\":[{\"name\":\""
                + parts[0] + "\",\"vid\":" + parts[1] + "}]}", "admin", "admin");
            assertEquals(201, put.statusCode(), put.body());
        }
        final var plain = server.send("PUT", "/data/serval:vlans/vlan=br-plain",
            "{\"serval:vlan\":[{\"name\":\"br-plain\"}]}", "admin", "admin");
        assertEquals(201, plain.statusCode(), plain.body());
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            try {
                // The server's data outlives this class (the other ITs start the same installation): its VLANs and
                // their vids, and the node's bridge entries, must not be left to them.
                server.send("DELETE", "/data/serval:nodes-config/node=" + nodeId, null, "admin", "admin");
                for (var vlan : List.of(RED, BLUE, "br-plain", DHCP)) {
                    server.send("DELETE", "/data/serval:vlans/vlan=" + vlan, null, "admin", "admin");
                }
            } finally {
                server.close();
            }
        }
    }

    private String namespace(final String name) throws IOException, InterruptedException {
        final var ns = prefix + "-" + name;
        NetnsHosts.run("ip", "netns", "add", ns);
        namespaces.add(ns);
        return ns;
    }

    /**
     * A veth pair: {@code name} stays in SERVAL's namespace, up and without an address; its peer goes to {@code ns}.
     */
    private String veth(final String name, final String ns) throws IOException, InterruptedException {
        NetnsHosts.run("ip", "link", "add", name, "type", "veth", "peer", "name", name + "p");
        links.add(name);
        NetnsHosts.run("ip", "link", "set", name + "p", "netns", ns);
        NetnsHosts.run("ip", "link", "set", name, "up");
        NetnsHosts.run("ip", "-n", ns, "link", "set", name + "p", "up");
        return name + "p";
    }

    private void cleanUp() throws IOException, InterruptedException {
        for (var process : processes) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        for (var link : links) {
            NetnsHosts.exitCode("ip", "link", "del", link);
        }
        for (var ns : namespaces) {
            NetnsHosts.exitCode("ip", "netns", "del", ns);
        }
        for (var file : netnsFiles) {
            Files.deleteIfExists(file);
            Files.deleteIfExists(file.getParent());
        }
    }

    /**
     * Keeps what a DHCP client's script writes to /etc/resolv.conf inside its namespace: {@code ip netns exec}
     * mounts /etc/netns/NS/resolv.conf over it.
     */
    private void ownResolvConf(final String ns) throws IOException {
        final var file = Path.of("/etc/netns", ns, "resolv.conf");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "");
        netnsFiles.add(file);
    }

    /**
     * Runs busybox's stock DHCP client once on an interface of a namespace (-n: give up rather than run on; -q:
     * quit once bound; its default script sets the address) and returns the IPv4 address the interface has then.
     */
    private static String udhcpc(final String ns, final String dev) throws IOException, InterruptedException {
        NetnsHosts.exitCode("ip", "netns", "exec", ns, "udhcpc", "-i", dev, "-n", "-q", "-f", "-t", "5", "-T", "2");
        final var matcher = INET.matcher(NetnsHosts.run("ip", "-n", ns, "-4", "-o", "addr", "show", "dev", dev));
        return matcher.find() ? matcher.group(1) : null;
    }

    private static boolean inRange(final String address, final String prefix, final int first, final int last) {
        if (address == null || !address.startsWith(prefix)) {
            return false;
        }
        final int host = Integer.parseInt(address.substring(prefix.length()));
        return host >= first && host <= last;
    }

    private static String bridgePath(final String iface) {
        return "/data/serval:nodes-config/node=" + nodeId + "/bridge=" + iface;
    }

    private static java.net.http.HttpResponse<String> putBridge(final String iface, final String body)
            throws IOException, InterruptedException {
        return server.send("PUT", bridgePath(iface), "{\"serval:bridge\":[{\"interface\":\"" + iface + "\"," + body
            + "}]}", "admin", "admin");
    }

    private static boolean pings(final String ns, final String address) throws IOException, InterruptedException {
        return NetnsHosts.exitCode("ip", "netns", "exec", ns, "ping", "-c", "1", "-W", "1", address) == 0;
    }

    private static boolean pingsWithin(final String ns, final String address, final int seconds)
            throws IOException, InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (pings(ns, address)) {
                return true;
            }
        }
        return false;
    }

    private static String portState(final String iface, final Predicate<String> until)
            throws IOException, InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        String body = "";
        while (System.nanoTime() < deadline) {
            final var got = server.get("/data/serval:bridge-ports/bridge-port=" + nodeId + "," + iface
                + "?content=nonconfig");
            body = got.body();
            if (got.statusCode() == 200 && until.test(body)) {
                return body;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("bridge-port " + iface + " never got there: " + body);
    }

    /**
     * The node's ietf-interfaces entry for an interface once {@code until} holds ("" while there is none).
     */
    private static String ietfInterface(final String iface, final Predicate<String> until)
            throws IOException, InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        String body = "";
        while (System.nanoTime() < deadline) {
            final var got = server.get("/data/ietf-interfaces:interfaces/interface=" + nodeId + "%3A" + iface
                + "?content=nonconfig");
            body = got.statusCode() == 200 ? got.body() : "";
            if (until.test(body)) {
                return body;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("ietf-interfaces entry of " + iface + " never got there: " + body);
    }

    private static long counter(final String body, final String name) {
        final var matcher = Pattern.compile("\"" + name + "\":\"?(\\d+)").matcher(body);
        return matcher.find() ? Long.parseLong(matcher.group(1)) : -1;
    }

    @Test
    void accessPortBridgesRedToTheLan() throws Exception {
        try (var hosts = new NetnsHosts(Files.createTempDirectory("serval-bridge"))) {
            final var lan = namespace("lan");
            final var iface = prefix + "a";
            final var hostSide = veth(iface, lan);
            NetnsHosts.run("ip", "-n", lan, "addr", "add", "10.77.0.1/24", "dev", hostSide);
            assertEquals(201, putBridge(iface, "\"mode\":\"access\",\"vlan\":\"" + RED + "\"").statusCode());
            final var tcp = hosts.host("brtcp", RED, "10.77.0.11/24", "tcp");
            final var udp = hosts.host("brudp", RED, "10.77.0.12/24", "udp");
            final var blue = hosts.host("brblue", BLUE, "10.77.0.13/24", "tcp");

            assertTrue(pingsWithin(tcp, "10.77.0.1", 30), "a red client over TCP pings the host behind the bridge");
            assertTrue(pingsWithin(udp, "10.77.0.1", 30), "a red client over UDP pings it");
            // ARP went across: the host knows the client's MAC
            final var neighbours = NetnsHosts.run("ip", "-n", lan, "neigh", "show", "10.77.0.11");
            assertTrue(neighbours.contains(NetnsHosts.macOf(tcp)), neighbours);
            assertTrue(pings(lan, "10.77.0.12"), "the host pings the UDP client back");
            assertTrue(!pings(blue, "10.77.0.1") && !pings(blue, "10.77.0.1"), "blue reaches nothing in red");

            final var state = portState(iface, body -> body.contains("\"state\":\"up\"")
                && counter(body, "in-unicast-pkts") > 0);
            assertTrue(counter(state, "out-octets") > 0, state);
            // and as ietf-interfaces (RFC 8343) has it, for an NMS that reads that model
            final var mirrored = ietfInterface(iface, body -> body.contains("\"oper-status\":\"up\""));
            assertTrue(mirrored.contains("bridged-interface") && counter(mirrored, "in-unicast-pkts") > 0
                && mirrored.contains("discontinuity-time"), mirrored);

            // the interface goes away: missing; made again: attached again, frames flow. The host keeps its MAC,
            // as a NIC that comes back does (with a new one, the clients' ARP caches would point at the old one
            // until they expire, since nothing announces the change).
            final var mac = com.google.gson.JsonParser.parseString(NetnsHosts.run("ip", "-n", lan, "-j", "link",
                "show", "dev", hostSide)).getAsJsonArray().get(0).getAsJsonObject().get("address").getAsString();
            NetnsHosts.run("ip", "link", "del", iface);
            portState(iface, body -> body.contains("\"state\":\"missing\""));
            final var again = veth(iface, lan);
            NetnsHosts.run("ip", "-n", lan, "link", "set", again, "down");
            NetnsHosts.run("ip", "-n", lan, "link", "set", again, "address", mac);
            NetnsHosts.run("ip", "-n", lan, "link", "set", again, "up");
            NetnsHosts.run("ip", "-n", lan, "addr", "add", "10.77.0.1/24", "dev", again);
            portState(iface, body -> body.contains("\"state\":\"up\""));
            assertTrue(pingsWithin(tcp, "10.77.0.1", 30), "pings again across the interface made anew");

            assertEquals(204, server.send("DELETE", bridgePath(iface), null, "admin", "admin").statusCode());
            assertTrue(!pings(tcp, "10.77.0.1") && !pings(tcp, "10.77.0.1"), "no bridge, no host");
            ietfInterface(iface, body -> body.isEmpty());
        } finally {
            cleanUp();
        }
    }

    @Test
    void trunkCarriesRedAndBlueByTheirVids() throws Exception {
        try (var hosts = new NetnsHosts(Files.createTempDirectory("serval-bridge"))) {
            final var lan = namespace("trunk");
            final var iface = prefix + "t";
            final var hostSide = veth(iface, lan);
            if (NetnsHosts.exitCode("ip", "-n", lan, "link", "add", "link", hostSide, "name", "t" + RED_VID, "type",
                    "vlan", "id", Integer.toString(RED_VID)) == 0) {
                // 802.1Q subinterfaces, and the lan answers ARP only on the one that has the address, so that the
                // VLANs are told apart
                NetnsHosts.run("ip", "netns", "exec", lan, "sysctl", "-qw", "net.ipv4.conf.all.arp_ignore=1");
                for (var vid : List.of(RED_VID, BLUE_VID)) {
                    final var sub = "t" + vid;
                    if (vid != RED_VID) {
                        NetnsHosts.run("ip", "-n", lan, "link", "add", "link", hostSide, "name", sub, "type", "vlan",
                            "id", Integer.toString(vid));
                    }
                    NetnsHosts.run("ip", "-n", lan, "addr", "add", "10.78." + vid + ".1/24", "dev", sub);
                    NetnsHosts.run("ip", "-n", lan, "link", "set", sub, "up");
                }
            } else {
                // A kernel without the 8021q module (no VLAN subinterfaces, as on the machines this was written
                // on): one host per vid answering ARP and ping on the tagged frames themselves.
                RealParts.require(NetnsHosts.onPath("python3"), "python3, for hosts on vids without 8021q");
                final var script = Files.createTempFile("vlan_hosts", ".py");
                try (var in = BridgeTest.class.getResourceAsStream("/bridge/vlan_hosts.py")) {
                    Files.write(script, in.readAllBytes());
                }
                final var responder = new ProcessBuilder("ip", "netns", "exec", lan, "python3", script.toString(),
                    hostSide, RED_VID + "=10.78." + RED_VID + ".1", BLUE_VID + "=10.78." + BLUE_VID + ".1")
                    .redirectErrorStream(true).start();
                processes.add(responder);
                final var ready = new java.io.BufferedReader(new java.io.InputStreamReader(
                    responder.getInputStream(), java.nio.charset.StandardCharsets.UTF_8)).readLine();
                assertEquals("ready", ready);
            }
            // over the shell, as an operator would
            final var added = server.shell("serval:bridge-add --trunk " + iface + " " + RED + " " + BLUE,
                "serval:bridge-list");
            assertTrue(added.contains("bridged to " + RED + "," + BLUE + " (trunk)"), added);
            assertTrue(added.contains(iface), added);
            final var red = hosts.host("trred", RED, "10.78." + RED_VID + ".11/24", "tcp");
            final var blue = hosts.host("trblue", BLUE, "10.78." + BLUE_VID + ".11/24", "udp");
            assertTrue(pingsWithin(red, "10.78." + RED_VID + ".1", 30), "red reaches the lan's vid 110");
            assertTrue(pingsWithin(blue, "10.78." + BLUE_VID + ".1", 30), "blue reaches the lan's vid 120");
            // red with an address in blue's subnet still only gets to vid 110, where that address is not
            NetnsHosts.run("ip", "-n", red, "addr", "add", "10.78." + BLUE_VID + ".12/24", "dev",
                NetnsHosts.tapOf(red));
            assertTrue(!pings(red, "10.78." + BLUE_VID + ".1") && !pings(red, "10.78." + BLUE_VID + ".1"),
                "red crosses into vid 120");
            final var state = portState(iface, body -> body.contains("\"state\":\"up\"")
                && counter(body, "in-unicast-pkts") > 0);
            assertTrue(state.contains("\"vid\":" + RED_VID) && state.contains("\"vid\":" + BLUE_VID), state);
            final var removed = server.shell("serval:bridge-remove " + iface);
            assertTrue(removed.contains("no longer bridged"), removed);
        } finally {
            cleanUp();
        }
    }

    @Test
    void badConfigurationsGetTheirErrorTags() throws Exception {
        try {
            final var unknown = putBridge(prefix + "none", "\"mode\":\"access\",\"vlan\":\"" + RED + "\"");
            assertEquals(400, unknown.statusCode(), unknown.body());
            assertTrue(unknown.body().contains("invalid-value") && unknown.body().contains("no interface"),
                unknown.body());

            final var lan = namespace("bad");
            final var iface = prefix + "b";
            veth(iface, lan);
            final var noVid = putBridge(iface, "\"mode\":\"trunk\",\"trunk-vlan\":[\"" + RED + "\",\"br-plain\"]");
            assertEquals(400, noVid.statusCode(), noVid.body());
            assertTrue(noVid.body().contains("invalid-value") && noVid.body().contains("has no vid"), noVid.body());

            final var accessWithout = putBridge(iface, "\"mode\":\"access\"");
            assertEquals(400, accessWithout.statusCode(), accessWithout.body());
            assertTrue(accessWithout.body().contains("invalid-value"), accessWithout.body());

            // already bridged: by SERVAL (POST of an entry that exists), and by a Linux bridge
            assertEquals(201, putBridge(iface, "\"mode\":\"access\",\"vlan\":\"" + RED + "\"").statusCode());
            final var twice = server.send("POST", "/data/serval:nodes-config/node=" + nodeId,
                "{\"serval:bridge\":[{\"interface\":\"" + iface + "\",\"mode\":\"access\",\"vlan\":\"" + BLUE
                + "\"}]}", "admin", "admin");
            assertEquals(409, twice.statusCode(), twice.body());
            assertTrue(twice.body().contains("data-exists"), twice.body());
            final var shellTwice = server.shell("serval:bridge-add " + iface + " " + BLUE);
            assertTrue(shellTwice.contains("already bridged") && shellTwice.contains("data-exists"), shellTwice);

            final var linuxBridge = prefix + "br";
            NetnsHosts.run("ip", "link", "add", linuxBridge, "type", "bridge");
            links.add(linuxBridge);
            final var enslaved = prefix + "m";
            veth(enslaved, lan);
            NetnsHosts.run("ip", "link", "set", enslaved, "master", linuxBridge);
            final var taken = putBridge(enslaved, "\"mode\":\"access\",\"vlan\":\"" + RED + "\"");
            assertEquals(409, taken.statusCode(), taken.body());
            assertTrue(taken.body().contains("data-exists") && taken.body().contains(linuxBridge), taken.body());

            final var shellUnknown = server.shell("serval:bridge-add " + prefix + "none " + RED);
            assertTrue(shellUnknown.contains("Error:") && shellUnknown.contains("no interface"), shellUnknown);
            assertNotEquals(200, server.get(bridgePath(prefix + "none")).statusCode());
            assertEquals(204, server.send("DELETE", bridgePath(iface), null, "admin", "admin").statusCode());
        } finally {
            cleanUp();
        }
    }

    /**
     * DHCP across the bridge: a host behind an access port gets its address from the VLAN's own addressing, as a
     * member does; with the VLAN's addressing off, from a stock DHCP server (busybox udhcpd) behind a SERVAL client.
     * Each time the host and the clients (over TCP and UDP) then ping each other by those addresses.
     */
    @Test
    void dhcpCrossesTheBridge() throws Exception {
        RealParts.require(NetnsHosts.onPath("udhcpc") && NetnsHosts.onPath("udhcpd"),
            "needs udhcpc and udhcpd (scripts/install-test-deps.sh)");
        assertEquals(201, server.send("PUT", "/data/serval:vlans/vlan=" + DHCP, "{\"serval:vlan\":[{\"name\":\""
            + DHCP + "\",\"addressing\":{\"ipv4\":{\"subnet\":\"10.79.0.0/24\",\"pool\":[{\"start\":"
            + "\"10.79.0.100\",\"end\":\"10.79.0.149\"}],\"lease-time\":600}}}]}", "admin", "admin").statusCode());
        final var home = Files.createTempDirectory("serval-bridge");
        try (var hosts = new NetnsHosts(home)) {
            final var lan = namespace("dhcp");
            ownResolvConf(lan);
            final var iface = prefix + "d";
            final var hostSide = veth(iface, lan);
            assertEquals(201, putBridge(iface, "\"mode\":\"access\",\"vlan\":\"" + DHCP + "\"").statusCode());
            final var tcp = hosts.host("dhtcp", DHCP, null, "tcp");
            final var udp = hosts.host("dhudp", DHCP, "10.79.0.12/24", "udp");
            ownResolvConf(tcp);
            portState(iface, body -> body.contains("\"state\":\"up\""));

            // the VLAN's switch answers the host's DISCOVER as a member's
            final var host = udhcpc(lan, hostSide);
            assertTrue(inRange(host, "10.79.0.", 100, 149), "the host behind the bridge got " + host);
            final var client = udhcpc(tcp, NetnsHosts.tapOf(tcp));
            assertTrue(inRange(client, "10.79.0.", 100, 149), "the TCP client got " + client);
            assertNotEquals(host, client);
            final var leases = server.get("/data/serval:leases?content=nonconfig").body();
            assertTrue(leases.contains("\"" + host + "\"") && leases.contains("\"bridge:" + iface + "\""),
                host + " leased to bridge:" + iface + " in " + leases);
            assertTrue(pingsWithin(lan, client, 10), "the host pings the TCP client");
            assertTrue(pings(tcp, host), "the TCP client pings the host");
            assertTrue(pingsWithin(lan, "10.79.0.12", 10), "the host pings the UDP client");
            assertTrue(pings(udp, host), "the UDP client pings the host");

            // addressing off: a DHCP server behind the TCP client serves the host across the bridge
            final var off = server.send("DELETE", "/data/serval:vlans/vlan=" + DHCP + "/addressing", null, "admin",
                "admin");
            assertEquals(204, off.statusCode(), off.body());
            // the switch's listener drops the VLAN's pool within moments; until then it would still answer
            Thread.sleep(1000);
            final var conf = home.resolve("udhcpd.conf");
            Files.writeString(conf, "start 10.79.0.200\nend 10.79.0.209\ninterface " + NetnsHosts.tapOf(tcp)
                + "\nlease_file " + home.resolve("udhcpd.leases") + "\npidfile " + home.resolve("udhcpd.pid")
                + "\noption subnet 255.255.255.0\noption lease 600\n");
            Files.writeString(home.resolve("udhcpd.leases"), "");
            processes.add(new ProcessBuilder("ip", "netns", "exec", tcp, "udhcpd", "-f", conf.toString())
                .redirectErrorStream(true).redirectOutput(home.resolve("udhcpd.log").toFile()).start());
            NetnsHosts.run("ip", "-n", lan, "addr", "flush", "dev", hostSide);
            final var fromMember = udhcpc(lan, hostSide);
            assertTrue(inRange(fromMember, "10.79.0.", 200, 209), "the host got " + fromMember
                + " rather than an address of udhcpd's; its log: " + Files.readString(home.resolve("udhcpd.log")));
            assertTrue(pingsWithin(tcp, fromMember, 10), "the TCP client pings the host at its new address");
            assertTrue(pings(lan, client), "and the host pings it");
            assertTrue(pings(udp, fromMember), "the UDP client pings the host");
            assertTrue(pings(lan, "10.79.0.12"), "and the host pings it");
            assertEquals(204, server.send("DELETE", bridgePath(iface), null, "admin", "admin").statusCode());
        } finally {
            cleanUp();
        }
    }
}
