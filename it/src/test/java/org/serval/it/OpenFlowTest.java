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
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * SERVAL as the OpenFlow controller of a real Open vSwitch (userspace datapath, private daemons): hosts in
 * namespaces on access ports of red reach each other through the switch, and a blue host reaches neither them nor
 * red's side of the trunk; frames leave the trunk port tagged with their VLAN's vid, and tagged frames from the trunk
 * reach the VLAN's access ports untagged. The far side of the trunk is a second, standalone OVS bridge with 802.1Q
 * access ports for each vid, standing in for a SERVAL node's bridge (this machine's kernel has no 8021q module for
 * VLAN subinterfaces). The switch and its ports are in OPERATIONAL and follow port changes; the flows come back when
 * the switch restarts and are gone when the mapping is deleted.
 */
class OpenFlowTest {
    private static final String DPID = "00000000000000a1";
    // names and vids of this test's own: the ITs share one installation's data
    private static final String RED = "of-red";
    private static final String BLUE = "of-blue";
    private static final int RED_VID = 1100;
    private static final int BLUE_VID = 1200;
    private static final String OUR_COOKIE = "cookie=0x53455256414c0000";
    private static final String BRIDGE = "svof0";
    private static final String TRUNK_SIDE = "svoftr0";
    /** The veth end SERVAL's node bridges as a trunk; its peer is the switch's port 11. */
    private static final String NODE_TRUNK = "svofn";
    /** Drop, four access ports, each of the two trunks for red and for blue. */
    private static final int FLOWS = 9;

    @Test
    void switchIsProgrammedFromTheMapping() throws Exception {
        RealParts.require(OpenVSwitch.available() && NetnsHosts.onPath("ping") && NetnsHosts.onPath("tcpdump")
            && NetnsHosts.onPath("udhcpc") && NetnsHosts.onPath("udhcpd"),
            "needs root, /dev/net/tun, ip, ping, tcpdump, udhcpc, udhcpd and Open vSwitch "
            + "(scripts/install-test-deps.sh)");
        final var dir = Files.createDirectories(Path.of("target/openflow").toAbsolutePath());
        try (var server = new ServalServer(); var ovs = new OpenVSwitch(Files.createTempDirectory(dir, "ovs"));
                var clients = new NetnsHosts(Files.createTempDirectory(dir, "clients"))) {
            try {
                run(server, ovs, clients);
            } finally {
                cleanUp(server);
            }
        }
    }

    /**
     * Leaves no mapping or VLAN of this test's behind: the ITs share one installation's data.
     */
    private static void cleanUp(final ServalServer server) throws InterruptedException {
        try {
            server.send("DELETE", "/data/serval:openflow", null, "admin", "admin");
            server.send("DELETE", "/data/serval:vlans/vlan=" + RED, null, "admin", "admin");
            server.send("DELETE", "/data/serval:vlans/vlan=" + BLUE, null, "admin", "admin");
        } catch (IOException e) {
            // the server never answered: nothing was written
        }
    }

    /**
     * Every bundle of the distribution is Active (or a resolved fragment): openflowjava's and serval-openflow
     * beside SERVAL's model, which the binding route could not wire (docs/openflow.md, "openflowjava").
     */
    private static void allBundlesActive(final ServalServer server) throws IOException, InterruptedException {
        final var list = server.shell("bundle:list -s -t 0 --no-format");
        assertTrue(list.lines().anyMatch(line -> line.contains("Active") && line.contains("org.serval.openflow")),
            "serval-openflow is not Active:\n" + list);
        assertTrue(list.lines().anyMatch(line -> line.contains("Active")
            && line.contains("openflow-protocol-impl")), "openflowjava is not Active:\n" + list);
        final var notActive = list.lines().filter(line -> line.matches("^\\s*\\d+ .*")
            && !line.contains("Active") && !line.contains("Resolved")).toList();
        assertTrue(notActive.isEmpty(), "bundles not Active:\n" + String.join("\n", notActive) + "\n"
            + server.shell("bundle:diag"));
    }

    private static void run(final ServalServer server, final OpenVSwitch ovs, final NetnsHosts clients)
            throws Exception {
        ovs.start();
        // Secure fail mode: without a controller's flows the switch forwards nothing, as an operator would set it.
        ovs.bridge(BRIDGE, "protocols=OpenFlow13", "fail-mode=secure", "other-config:datapath-id=" + DPID);
        ovs.bridge(TRUNK_SIDE, "fail-mode=standalone");
        access(ovs, "svor1", 1, "10.88.0.1/24");
        access(ovs, "svor2", 2, "10.88.0.2/24");
        access(ovs, "svob3", 3, "10.88.0.3/24");
        // a red host without an address, for DHCP across the switch and the node's bridge
        access(ovs, "svor4", 4, null);
        ovs.veth("svoft", "svoftp");
        ovs.vsctl("add-port", BRIDGE, "svoft", "--", "set", "interface", "svoft", "ofport_request=10");
        ovs.vsctl("add-port", TRUNK_SIDE, "svoftp");
        // the trunk toward the SERVAL node: the node bridges NODE_TRUNK (nodes-config/node/bridge), the switch has
        // its peer as port 11
        ovs.veth(NODE_TRUNK, NODE_TRUNK + "p");
        ovs.vsctl("add-port", BRIDGE, NODE_TRUNK + "p", "--", "set", "interface", NODE_TRUNK + "p",
            "ofport_request=11");
        // the VLANs' hosts on the far side of the trunk, untagged on ports tagged with their vids
        ovs.veth("svotr", "svotrp");
        ovs.vsctl("add-port", TRUNK_SIDE, "svotr", "tag=" + RED_VID);
        ovs.host("svotr", "svotrp", "10.88.0.10/24");
        ovs.veth("svotb", "svotbp");
        ovs.vsctl("add-port", TRUNK_SIDE, "svotb", "tag=" + BLUE_VID);
        ovs.host("svotb", "svotbp", "10.88.0.20/24");

        server.start();
        allBundlesActive(server);
        assertEquals(204, server.rpc("create-vlan", "{\"name\":\"" + RED + "\",\"vid\":" + RED_VID + "}")
            .statusCode());
        assertEquals(204, server.rpc("create-vlan", "{\"name\":\"" + BLUE + "\",\"vid\":" + BLUE_VID + "}")
            .statusCode());
        final var mapping = server.send("PUT", "/data/serval:openflow", "{\"serval:openflow\":{\"switch\":[{"
            + "\"dpid\":\"" + DPID + "\",\"port\":["
            + "{\"number\":1,\"mode\":\"access\",\"vlan\":\"" + RED + "\"},"
            + "{\"number\":2,\"mode\":\"access\",\"vlan\":\"" + RED + "\"},"
            + "{\"number\":3,\"mode\":\"access\",\"vlan\":\"" + BLUE + "\"},"
            + "{\"number\":4,\"mode\":\"access\",\"vlan\":\"" + RED + "\"},"
            + "{\"number\":10,\"mode\":\"trunk\"},"
            + "{\"number\":11,\"mode\":\"trunk\"}]}]}}", "admin", "admin");
        assertEquals(201, mapping.statusCode(), mapping.body());

        ovs.vsctl("set-controller", BRIDGE, "tcp:127.0.0.1:6653");
        awaitSwitch(server, "connected with its ports", sw -> connected(sw) && portState(sw, 1).equals("up")
            && portName(sw, 1).equals("svor1") && portState(sw, 10).equals("up"));
        awaitFlows(ovs, FLOWS);

        // red's access ports reach each other, and red's side of the trunk; blue reaches its side only
        assertEquals(0, ping("svor1", "10.88.0.2"), "red to red through the switch");
        assertEquals(0, ping("svor1", "10.88.0.10"), "red to red's side of the trunk");
        assertEquals(0, ping("svob3", "10.88.0.20"), "blue to blue's side of the trunk");
        assertNotEquals(0, ping("svob3", "10.88.0.1"), "blue reached a red host");
        assertNotEquals(0, ping("svob3", "10.88.0.10"), "blue reached red's side of the trunk");
        assertNotEquals(0, ping("svor2", "10.88.0.20"), "red reached blue's side of the trunk");

        // on the wire between the switch and the trunk: each VLAN's frames carry its vid
        assertTrue(capture("vlan " + RED_VID + " and icmp", () -> ping("svor1", "10.88.0.10"))
            .contains("vlan " + RED_VID));
        assertTrue(capture("vlan " + BLUE_VID + " and icmp", () -> ping("svob3", "10.88.0.20"))
            .contains("vlan " + BLUE_VID));

        endToEnd(server, clients);

        // a port-status message updates OPERATIONAL: the host's end of port 2 goes down, the port loses its link
        NetnsHosts.run("ip", "-n", "svor2", "link", "set", "svor2p", "down");
        awaitSwitch(server, "port 2 shown without link", sw -> portState(sw, 2).equals("link-down"));
        NetnsHosts.run("ip", "-n", "svor2", "link", "set", "svor2p", "up");
        awaitSwitch(server, "port 2 up again", sw -> portState(sw, 2).equals("up"));

        // the switch restarts with no flows; SERVAL sees it go and programs it again when it is back
        ovs.stopSwitch();
        awaitSwitch(server, "the switch shown disconnected", sw -> !connected(sw));
        ovs.startSwitch();
        awaitSwitch(server, "the switch connected again", OpenFlowTest::connected);
        awaitFlows(ovs, FLOWS);
        assertEquals(0, ping("svor1", "10.88.0.2"), "red to red after the restart");
        assertEquals(0, ping("svor1", "10.88.0.10"), "red to the trunk after the restart");

        // the mapping deleted: no flow of SERVAL's is left and nothing is forwarded
        final var deleted = server.send("DELETE", "/data/serval:openflow/switch=" + DPID, null, "admin", "admin");
        assertEquals(204, deleted.statusCode(), deleted.body());
        awaitFlows(ovs, 0);
        assertNotEquals(0, ping("svor1", "10.88.0.2"), "red still forwarded without a mapping");
    }

    /**
     * Issue 15's proof: the switch's trunk toward the SERVAL node's bridge carries red and blue by their vids, so
     * that hosts behind the switch and SERVAL's clients are on one LAN per VLAN: a red host pings red clients over
     * TCP and UDP and they ping it back (IPv4, and IPv6 by neighbour discovery), blue's host reaches none of them,
     * and a stock DHCP client behind the switch gets an address from red's pool, served by SERVAL's switch of red on
     * the far side of the trunk, then with red's addressing off from a stock DHCP server behind a SERVAL client.
     */
    private static void endToEnd(final ServalServer server, final NetnsHosts clients) throws Exception {
        final var nodes = server.get("/data/serval:nodes?content=nonconfig").body();
        final var id = Pattern.compile("\"id\":\"([^\"]+)\"").matcher(nodes);
        assertTrue(id.find(), nodes);
        final var bridgePath = "/data/serval:nodes-config/node=" + id.group(1) + "/bridge=" + NODE_TRUNK;
        final var bridge = server.send("PUT", bridgePath, "{\"serval:bridge\":[{\"interface\":\"" + NODE_TRUNK
            + "\",\"mode\":\"trunk\",\"trunk-vlan\":[\"" + RED + "\",\"" + BLUE + "\"]}]}", "admin", "admin");
        assertEquals(201, bridge.statusCode(), bridge.body());
        try {
            final var tcp = clients.host("oftcp", RED, "10.88.0.31/24", "tcp");
            final var udp = clients.host("ofudp", RED, "10.88.0.32/24", "udp");
            assertTrue(pingsWithin("svor1", "10.88.0.31", 30), "a host behind the switch pings a red client (TCP)");
            assertTrue(pingsWithin("svor2", "10.88.0.32", 30), "a host behind the switch pings a red client (UDP)");
            assertEquals(0, ping(tcp, "10.88.0.1"), "the red client pings the host behind the switch");
            assertEquals(0, ping(udp, "10.88.0.10"), "a red client reaches red's side of the other trunk");
            assertNotEquals(0, ping("svob3", "10.88.0.31"), "blue's host reached a red client");
            // IPv6 neighbour discovery crosses as well: solicitations to a solicited-node multicast group go out
            // through the switch and the trunk, the advertisement comes back unicast
            addIpv6("svor1", "fd88::1/64");
            addIpv6(tcp, "fd88::31/64");
            assertTrue(pingsWithin("svor1", "fd88::31", 20), "a host behind the switch pings a red client over IPv6");
            assertEquals(0, ping(tcp, "fd88::1"), "the red client pings the host behind the switch over IPv6");

            final var addressing = server.send("PATCH", "/data/serval:vlans/vlan=" + RED, "{\"serval:vlan\":[{"
                + "\"name\":\"" + RED + "\",\"addressing\":{\"ipv4\":{\"subnet\":\"10.88.0.0/24\",\"pool\":[{"
                + "\"start\":\"10.88.0.100\",\"end\":\"10.88.0.150\"}],\"lease-time\":600}}}]}", "admin", "admin");
            assertEquals(2, addressing.statusCode() / 100, addressing.body());
            // -s /bin/true: the lease is only reported, nothing in the namespace (or the host's resolv.conf) changed
            final var dhcp = NetnsHosts.run("ip", "netns", "exec", "svor4", "udhcpc", "-i", "svor4p", "-n", "-q",
                "-f", "-t", "5", "-T", "2", "-s", "/bin/true");
            assertTrue(Pattern.compile("lease of 10\\.88\\.0\\.1([0-4]\\d|50) obtained").matcher(dhcp).find(),
                "udhcpc behind the switch got no address from red's pool:\n" + dhcp);

            // red's own addressing off: a stock DHCP server behind the TCP client serves the host behind the switch
            final var off = server.send("DELETE", "/data/serval:vlans/vlan=" + RED + "/addressing", null, "admin",
                "admin");
            assertEquals(204, off.statusCode(), off.body());
            // the switch's listener drops the VLAN's pool within moments; until then it would still answer
            Thread.sleep(1000);
            final var home = Files.createTempDirectory("serval-openflow-dhcp");
            final var conf = home.resolve("udhcpd.conf");
            Files.writeString(home.resolve("udhcpd.leases"), "");
            Files.writeString(conf, "start 10.88.0.200\nend 10.88.0.209\ninterface " + NetnsHosts.tapOf(tcp)
                + "\nlease_file " + home.resolve("udhcpd.leases") + "\npidfile " + home.resolve("udhcpd.pid")
                + "\noption subnet 255.255.255.0\noption lease 600\n");
            final var udhcpd = new ProcessBuilder("ip", "netns", "exec", tcp, "udhcpd", "-f", conf.toString())
                .redirectErrorStream(true).redirectOutput(home.resolve("udhcpd.log").toFile()).start();
            try {
                final var fromClient = NetnsHosts.run("ip", "netns", "exec", "svor4", "udhcpc", "-i", "svor4p", "-n",
                    "-q", "-f", "-t", "5", "-T", "2", "-s", "/bin/true");
                assertTrue(Pattern.compile("lease of 10\\.88\\.0\\.20\\d obtained from 10\\.88\\.0\\.31")
                    .matcher(fromClient).find(), "udhcpc behind the switch got no address from the udhcpd behind the "
                    + "TCP client:\n" + fromClient + "\nudhcpd: " + Files.readString(home.resolve("udhcpd.log")));
            } finally {
                udhcpd.destroy();
                udhcpd.waitFor(10, TimeUnit.SECONDS);
            }
        } finally {
            server.send("DELETE", bridgePath, null, "admin", "admin");
        }
    }

    /**
     * Gives the namespace's one interface besides lo an IPv6 address, without duplicate address detection (no
     * second wait before the first ping).
     */
    private static void addIpv6(final String namespace, final String cidr) throws IOException, InterruptedException {
        final String dev = NetnsHosts.run("ip", "-n", namespace, "-o", "link", "show").lines()
            .map(line -> line.split(": ")[1].split("@")[0])
            .filter(name -> !"lo".equals(name))
            .findFirst().orElseThrow(() -> new IOException("no interface in " + namespace));
        NetnsHosts.run("ip", "-n", namespace, "-6", "addr", "add", cidr, "dev", dev, "nodad");
    }

    private static boolean pingsWithin(final String namespace, final String address, final int seconds)
            throws IOException, InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (ping(namespace, address) == 0) {
                return true;
            }
        }
        return false;
    }

    private static void access(final OpenVSwitch ovs, final String name, final int port, final String cidr)
            throws IOException, InterruptedException {
        ovs.veth(name, name + "p");
        ovs.vsctl("add-port", BRIDGE, name, "--", "set", "interface", name, "ofport_request=" + port);
        ovs.host(name, name + "p", cidr);
    }

    private static int ping(final String namespace, final String address) throws IOException, InterruptedException {
        return NetnsHosts.exitCode("ip", "netns", "exec", namespace, "ping", "-c", "2", "-i", "0.2", "-W", "1",
            address);
    }

    /**
     * What tcpdump -e shows of the frames matching a filter on the trunk's far end while the traffic runs.
     */
    private static String capture(final String filter, final Traffic traffic) throws IOException,
            InterruptedException {
        final var tcpdump = new ProcessBuilder("tcpdump", "-e", "-nn", "-l", "-c", "2", "-i", "svoftp", filter)
            .redirectErrorStream(true).start();
        final var output = new StringBuilder();
        try (var reader = new BufferedReader(new InputStreamReader(tcpdump.getInputStream(), UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                output.append(line).append('\n');
                if (line.contains("listening on")) {
                    break;
                }
            }
            traffic.send();
            if (!tcpdump.waitFor(10, TimeUnit.SECONDS)) {
                tcpdump.destroy();
            }
            while ((line = reader.readLine()) != null) {
                output.append(line).append('\n');
            }
        } finally {
            tcpdump.destroyForcibly();
        }
        return output.toString();
    }

    private static void awaitFlows(final OpenVSwitch ovs, final int count) throws IOException, InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String flows = "";
        while (System.nanoTime() < deadline) {
            flows = ovs.ofctl("dump-flows", BRIDGE);
            if (flows.lines().filter(line -> line.contains(OUR_COOKIE)).count() == count
                && flows.lines().filter(line -> line.contains("cookie=")).count() == count) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("expected " + count + " flows of SERVAL's, the switch has:\n" + flows);
    }

    private static void awaitSwitch(final ServalServer server, final String what, final Predicate<JsonObject> test)
            throws IOException, InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String body = "";
        while (System.nanoTime() < deadline) {
            final var response = server.get("/data/serval:openflow-switches?content=nonconfig");
            body = response.body();
            if (response.statusCode() == 200) {
                for (JsonElement sw : JsonParser.parseString(body).getAsJsonObject()
                        .getAsJsonObject("serval:openflow-switches").getAsJsonArray("switch")) {
                    if (DPID.equals(sw.getAsJsonObject().get("dpid").getAsString())
                        && test.test(sw.getAsJsonObject())) {
                        return;
                    }
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("timed out waiting until " + what + "; OPERATIONAL has: " + body);
    }

    private static boolean connected(final JsonObject sw) {
        return sw.has("connected") && sw.get("connected").getAsBoolean();
    }

    private static JsonObject port(final JsonObject sw, final int number) {
        if (!sw.has("port")) {
            return new JsonObject();
        }
        for (JsonElement port : sw.getAsJsonArray("port")) {
            if (port.getAsJsonObject().get("number").getAsInt() == number) {
                return port.getAsJsonObject();
            }
        }
        return new JsonObject();
    }

    private static String portState(final JsonObject sw, final int number) {
        final var port = port(sw, number);
        return port.has("state") ? port.get("state").getAsString() : "";
    }

    private static String portName(final JsonObject sw, final int number) {
        final var port = port(sw, number);
        return port.has("name") ? port.get("name").getAsString() : "";
    }

    /** Traffic to capture. */
    private interface Traffic {
        int send() throws IOException, InterruptedException;
    }
}
