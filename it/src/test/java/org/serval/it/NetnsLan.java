/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.it;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A LAN of network namespaces, as separate hosts on one Ethernet segment would be: a Linux bridge in a namespace of
 * its own, and each host a namespace with one veth port on it ({@code eth0}, its own address, its own loopback).
 * The test's own namespace gets a port too, so that the test reaches the hosts' addresses. Everything it made is
 * removed again by {@link #close()}, and leftovers of a run that died are removed when the next one starts.
 */
final class NetnsLan implements AutoCloseable {
    private final String name;
    private final String hostLink;
    private final List<String> namespaces = new ArrayList<>();
    private int ports;

    /**
     * Makes the LAN: a namespace NAME-lan with bridge br0, and a port HOSTLINK in the test's namespace with
     * {@code hostCidr}.
     */
    NetnsLan(final String name, final String hostCidr) throws IOException, InterruptedException {
        this.name = name;
        hostLink = name + "-host";
        removeLeftovers();
        final var lan = lan();
        NetnsHosts.run("ip", "netns", "add", lan);
        namespaces.add(lan);
        NetnsHosts.run("ip", "-n", lan, "link", "add", "br0", "type", "bridge");
        NetnsHosts.run("ip", "-n", lan, "link", "set", "br0", "up");
        NetnsHosts.run("ip", "link", "add", hostLink, "type", "veth", "peer", "name", "phost", "netns", lan);
        NetnsHosts.run("ip", "-n", lan, "link", "set", "phost", "master", "br0", "up");
        NetnsHosts.run("ip", "addr", "add", hostCidr, "dev", hostLink);
        NetnsHosts.run("ip", "link", "set", hostLink, "up");
    }

    private String lan() {
        return name + "-lan";
    }

    /**
     * A new namespace on the LAN, removed again at {@link #close()}.
     *
     * @return the namespace
     */
    String host(final String host, final String cidr) throws IOException, InterruptedException {
        final var ns = name + "-" + host;
        NetnsHosts.run("ip", "netns", "add", ns);
        namespaces.add(ns);
        attach(ns, cidr);
        return ns;
    }

    /**
     * Gives an existing namespace (one someone else removes) a port on the LAN with an address, as {@code eth0}.
     */
    void attach(final String ns, final String cidr) throws IOException, InterruptedException {
        final var port = "p" + ports++;
        NetnsHosts.run("ip", "-n", lan(), "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", ns);
        NetnsHosts.run("ip", "-n", lan(), "link", "set", port, "master", "br0", "up");
        NetnsHosts.run("ip", "-n", ns, "addr", "add", cidr, "dev", "eth0");
        NetnsHosts.run("ip", "-n", ns, "link", "set", "eth0", "up");
        // The host's own services (the Karaf shell, RESTCONF) answer on its loopback.
        NetnsHosts.run("ip", "-n", ns, "link", "set", "lo", "up");
    }

    private void removeLeftovers() throws IOException, InterruptedException {
        for (var line : NetnsHosts.run("ip", "netns", "list").split("\n")) {
            final var ns = line.split(" ")[0];
            if (ns.startsWith(name + "-")) {
                NetnsHosts.exitCode("ip", "netns", "del", ns);
            }
        }
        NetnsHosts.exitCode("ip", "link", "del", hostLink);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        // The LAN's namespace last: its veth ends go with it, and with them their peers.
        for (var ns : namespaces.reversed()) {
            NetnsHosts.exitCode("ip", "netns", "del", ns);
        }
        NetnsHosts.exitCode("ip", "link", "del", hostLink);
    }
}
