/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.impl;

import java.lang.management.ManagementFactory;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;

/**
 * What a node tells others about itself that it has to find out: the address it is reached at, and how busy it
 * is.
 */
final class Advertised {
    private Advertised() {
        // static only
    }

    /**
     * The address to announce for listeners bound to this address: itself, unless it is a wildcard; then the
     * first IPv4 address of an interface that is up and not loopback, else its first global IPv6 address, or
     * 127.0.0.1 on a machine without either. Set advertise.address where this guess is wrong (NAT, several
     * interfaces).
     */
    static String address(final InetSocketAddress bound) {
        if (bound != null && !bound.getAddress().isAnyLocalAddress()) {
            return bound.getAddress().getHostAddress();
        }
        String ipv6 = null;
        try {
            for (var nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nic.isUp() || nic.isLoopback()) {
                    continue;
                }
                for (var address : Collections.list(nic.getInetAddresses())) {
                    if (address.isLinkLocalAddress() || address.isLoopbackAddress()) {
                        continue;
                    }
                    if (address instanceof Inet4Address) {
                        return address.getHostAddress();
                    }
                    if (ipv6 == null) {
                        // without the scope: a global address needs none, and others could not parse it
                        final var text = address.getHostAddress();
                        final int scope = text.indexOf('%');
                        ipv6 = scope < 0 ? text : text.substring(0, scope);
                    }
                }
            }
        } catch (SocketException e) {
            // fall through
        }
        return ipv6 != null ? ipv6 : "127.0.0.1";
    }

    /**
     * The process's recent CPU use, 0..100 (of all cores), or 0 where the JVM cannot tell.
     */
    static int cpuPercent() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            final double load = os.getProcessCpuLoad();
            return load < 0 ? 0 : (int) Math.min(100, Math.round(load * 100));
        }
        return 0;
    }
}
