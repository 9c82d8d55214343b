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
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Addresses from the VLAN's switch (issue 14), on the real distribution with real TAP interfaces in namespaces and
 * stock clients: busybox's {@code udhcpc} and ISC {@code dhclient} get an IPv4 address from a VLAN's pool over TCP
 * and over UDP, the hosts ping each other by it without anyone typing an address, a second VLAN's pool never
 * leaks, the kernel forms an IPv6 address from the VLAN's prefix (SLAAC), and a member's own DHCP server is not
 * heard while the rogue guard is on (and is when it is off). A member that set a pool address by hand, and has said
 * nothing with it, answers the switch's ARP probe: a client asking for that very address is offered another.
 */
class AddressingTest {
    private static final String RED = "addr-red";
    private static final String BLUE = "addr-blue";
    private static final Pattern INET = Pattern.compile("inet (10\\.\\d+\\.\\d+\\.\\d+)/24");
    private static ServalServer server;
    private final List<Path> netnsFiles = new ArrayList<>();
    private final List<Path> pidFiles = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        RealParts.require(NetnsHosts.available(), "needs root, /dev/net/tun, ip, ping and a built client");
        RealParts.require(NetnsHosts.onPath("udhcpc") && NetnsHosts.onPath("dhclient")
            && NetnsHosts.onPath("python3"), "needs udhcpc, dhclient and python3 (scripts/install-test-deps.sh)");
        server = new ServalServer();
        server.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private static String vlanJson(final String name, final String ipv4, final String ipv6) {
        return "{\"serval:vlan\":[{\"name\":\"" + name + "\",\"addressing\":{" + ipv4
            + (ipv6 == null ? "" : ",\"ipv6\":{\"prefix\":\"" + ipv6 + "\"}") + "}}]}";
    }

    private static String ipv4(final String subnet, final String start, final String end) {
        return "\"ipv4\":{\"subnet\":\"" + subnet + "\",\"pool\":[{\"start\":\"" + start + "\",\"end\":\"" + end
            + "\"}],\"lease-time\":600}";
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

    private static String addressOf(final String ns) throws IOException, InterruptedException {
        final var matcher = INET.matcher(NetnsHosts.run("ip", "-n", ns, "-4", "-o", "addr", "show", "dev",
            NetnsHosts.tapOf(ns)));
        return matcher.find() ? matcher.group(1) : null;
    }

    private static String udhcpc(final String ns) throws IOException, InterruptedException {
        // -n: give up rather than run on; -q: quit once bound. The stock script sets the address.
        NetnsHosts.run("ip", "netns", "exec", ns, "udhcpc", "-i", NetnsHosts.tapOf(ns), "-n", "-q", "-f", "-t", "5",
            "-T", "2");
        return addressOf(ns);
    }

    /**
     * udhcpc asking for an address in its DISCOVER (-r: option 50).
     */
    private static String udhcpc(final String ns, final String requested) throws IOException, InterruptedException {
        NetnsHosts.run("ip", "netns", "exec", ns, "udhcpc", "-i", NetnsHosts.tapOf(ns), "-n", "-q", "-f", "-t", "5",
            "-T", "2", "-r", requested);
        return addressOf(ns);
    }

    private String dhclient(final String ns) throws IOException, InterruptedException {
        final var pid = server.home().resolve(ns + "-dhclient.pid");
        pidFiles.add(pid);
        // -1: try once and fail if no lease; once bound it goes to the background to renew, and is killed after.
        NetnsHosts.run("ip", "netns", "exec", ns, "dhclient", "-1", "-4", "-v", "-pf", pid.toString(), "-lf",
            server.home().resolve(ns + "-dhclient.leases").toString(), NetnsHosts.tapOf(ns));
        return addressOf(ns);
    }

    private static boolean inPool(final String address, final String prefix) {
        if (address == null || !address.startsWith(prefix)) {
            return false;
        }
        final int last = Integer.parseInt(address.substring(address.lastIndexOf('.') + 1));
        return last >= 100 && last <= 149;
    }

    private static String slaacAddress(final String ns, final String prefix) throws Exception {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            final var out = NetnsHosts.run("ip", "-n", ns, "-6", "-o", "addr", "show", "dev", NetnsHosts.tapOf(ns),
                "scope", "global");
            final var matcher = Pattern.compile("inet6 (" + Pattern.quote(prefix) + "[0-9a-f:]+)/64").matcher(out);
            if (matcher.find() && !out.contains("tentative")) {
                return matcher.group(1);
            }
            Thread.sleep(250);
        }
        return null;
    }

    /**
     * Whether a host hears a DHCP server's broadcast (UDP 67 to 68) that another host sends on the VLAN.
     */
    private static boolean hearsServer(final String listener, final String sender, final String broadcast)
            throws Exception {
        final var listen = new ProcessBuilder("ip", "netns", "exec", listener, "python3", "-c",
            "import socket\n"
            + "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
            + "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
            + "s.bind(('', 68))\n"
            + "s.settimeout(4)\n"
            + "print('ready', flush=True)\n"
            + "try:\n"
            + "    s.recvfrom(2048)\n"
            + "    print('heard')\n"
            + "except socket.timeout:\n"
            + "    print('silent')\n").redirectErrorStream(true).start();
        try {
            final var reader = new java.io.BufferedReader(new java.io.InputStreamReader(listen.getInputStream(),
                UTF_8));
            assertEquals("ready", reader.readLine());
            NetnsHosts.run("ip", "netns", "exec", sender, "python3", "-c",
                "import socket, time\n"
                + "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
                + "s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)\n"
                + "s.bind(('', 67))\n"
                + "for i in range(10):\n"
                + "    s.sendto(b'\\x02' + bytes(299), ('" + broadcast + "', 68))\n"
                + "    time.sleep(0.1)\n");
            final var verdict = reader.readLine();
            assertTrue(listen.waitFor(10, TimeUnit.SECONDS));
            return "heard".equals(verdict);
        } finally {
            listen.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void stockClientsGetAddressesFromTheVlansPoolAndTheRogueGuardSilencesMembersServers() throws Exception {
        final var bad = server.send("PUT", "/data/serval:vlans/vlan=addr-bad", vlanJson("addr-bad",
            ipv4("10.63.0.0/24", "10.64.0.100", "10.64.0.149"), null), "admin", "admin");
        // Refused by the commit check, with its reason and the RFC 8040 tag.
        assertEquals(400, bad.statusCode(), bad.body());
        assertTrue(bad.body().contains("invalid-value"), bad.body());
        assertTrue(bad.body().contains("outside subnet 10.63.0.0/24"), bad.body());
        final var slaacTooLong = server.send("PUT", "/data/serval:vlans/vlan=addr-bad", vlanJson("addr-bad",
            ipv4("10.63.0.0/24", "10.63.0.100", "10.63.0.149"), "fd00:63::/80"), "admin", "admin");
        assertEquals(400, slaacTooLong.statusCode(), slaacTooLong.body());
        assertTrue(slaacTooLong.body().contains("invalid-value"), slaacTooLong.body());
        assertEquals(409, server.get("/data/serval:vlans/vlan=addr-bad").statusCode(), "nothing was written");

        assertEquals(201, server.send("PUT", "/data/serval:vlans/vlan=" + RED, vlanJson(RED,
            ipv4("10.61.0.0/24", "10.61.0.100", "10.61.0.149"), "fd00:61::/64"), "admin", "admin").statusCode());
        assertEquals(201, server.send("PUT", "/data/serval:vlans/vlan=" + BLUE, vlanJson(BLUE,
            ipv4("10.62.0.0/24", "10.62.0.100", "10.62.0.149"), null), "admin", "admin").statusCode());
        try (var hosts = new NetnsHosts(server.home())) {
            final var tcp = hosts.host("atcp", RED, null, "tcp");
            final var udp = hosts.host("audp", RED, null, "udp");
            final var blue = hosts.host("ablue", BLUE, null, "tcp");
            final var rogue = hosts.host("arogue", RED, "10.61.0.2/24", "udp");
            // Holds a pool address by hand and stays silent, so only the switch's probe can find it.
            hosts.host("asquat", RED, "10.61.0.120/24", "tcp");
            final var asker = hosts.host("aask", RED, null, "tcp");
            for (var ns : List.of(tcp, udp, blue, rogue, asker)) {
                ownResolvConf(ns);
            }
            final var probed = udhcpc(asker, "10.61.0.120");
            assertTrue(inPool(probed, "10.61.0.") && !"10.61.0.120".equals(probed),
                "asked for the squatter's address, got " + probed);
            final var toSquatter = NetnsHosts.run("ip", "netns", "exec", asker, "ping", "-c", "2", "-i", "0.2", "-W",
                "2", "10.61.0.120");
            assertTrue(toSquatter.contains(" 0% packet loss"), "the squatter kept its address: " + toSquatter);
            assertFalse(server.get("/data/serval:leases?content=nonconfig").body().contains("\"10.61.0.120\""),
                "the squatter's address was leased to no one");
            final var a = udhcpc(tcp);
            final var b = dhclient(udp);
            final var c = udhcpc(blue);
            assertTrue(inPool(a, "10.61.0."), "udhcpc over TCP got " + a);
            assertTrue(inPool(b, "10.61.0."), "dhclient over UDP got " + b);
            assertNotEquals(a, b);
            assertTrue(inPool(c, "10.62.0."), "the blue host got " + c + " from blue's pool, not red's");

            final var ping = NetnsHosts.run("ip", "netns", "exec", tcp, "ping", "-c", "3", "-i", "0.2", "-W", "2", b);
            assertTrue(ping.contains(" 0% packet loss"), ping);
            // Blue's host has only blue's subnet: red's addresses are not even routable from it (ping exits 2).
            assertNotEquals(0, NetnsHosts.exitCode("ip", "netns", "exec", blue, "ping", "-c", "2", "-W", "1", a),
                "blue cannot reach red");
            assertEquals(a, udhcpc(tcp), "asking twice gets the same address");

            final var leases = server.get("/data/serval:leases?content=nonconfig");
            assertEquals(200, leases.statusCode(), leases.body());
            for (var address : List.of(a, b, c)) {
                assertTrue(leases.body().contains("\"" + address + "\""), address + " in " + leases.body());
            }
            assertTrue(leases.body().contains(NetnsHosts.macOf(tcp)), leases.body());
            final var list = server.shell("serval:client-list");
            assertTrue(list.contains(a) && list.contains(b), list);

            // SLAAC: the kernel's solicitation at link-up is answered with the prefix; blue has none.
            for (var ns : List.of(tcp, udp, blue)) {
                NetnsHosts.run("ip", "netns", "exec", ns, "sysctl", "-q", "-w",
                    "net.ipv6.conf." + NetnsHosts.tapOf(ns) + ".accept_ra=1");
                NetnsHosts.run("ip", "-n", ns, "link", "set", NetnsHosts.tapOf(ns), "down");
                NetnsHosts.run("ip", "-n", ns, "link", "set", NetnsHosts.tapOf(ns), "up");
            }
            final var a6 = slaacAddress(tcp, "fd00:61:");
            final var b6 = slaacAddress(udp, "fd00:61:");
            assertTrue(a6 != null && b6 != null, "SLAAC addresses from red's prefix: " + a6 + ", " + b6);
            final var ping6 = NetnsHosts.run("ip", "netns", "exec", tcp, "ping", "-6", "-c", "3", "-i", "0.2", "-W",
                "2", b6);
            assertTrue(ping6.contains(" 0% packet loss"), ping6);
            assertFalse(NetnsHosts.run("ip", "-n", blue, "-6", "addr").contains("fd00:61:"), "red's prefix in blue");
            // The addresses survived the link's bounce (udhcpc's lease is the kernel's address now).
            if (addressOf(tcp) == null) {
                assertEquals(a, udhcpc(tcp));
            }

            // A member's DHCP server: silenced by the guard, heard once an administrator turns the guard off.
            assertFalse(hearsServer(tcp, rogue, "10.61.0.255"), "a member's DHCP server was heard");
            final var patched = server.send("PATCH", "/data/serval:vlans/vlan=" + RED + "/addressing",
                "{\"serval:addressing\":{\"rogue-guard\":false}}", "admin", "admin");
            assertEquals(2, patched.statusCode() / 100, patched.body());
            Thread.sleep(500);
            assertTrue(hearsServer(tcp, rogue, "10.61.0.255"), "with the guard off the member is heard");
        } finally {
            for (var pid : pidFiles) {
                if (Files.exists(pid)) {
                    NetnsHosts.exitCode("kill", Files.readString(pid).strip());
                }
            }
            for (var file : netnsFiles) {
                Files.deleteIfExists(file);
                Files.deleteIfExists(file.getParent());
            }
        }
    }
}
