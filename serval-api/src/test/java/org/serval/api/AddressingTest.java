/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class AddressingTest {
    private static List<String[]> pool(final String... ends) {
        final var ranges = new java.util.ArrayList<String[]>();
        for (int i = 0; i < ends.length; i += 2) {
            ranges.add(new String[] {ends[i], ends[i + 1]});
        }
        return ranges;
    }

    private static Addressing v4(final String subnet, final List<String[]> pool, final String gateway) {
        return Addressing.of(subnet, pool, null, gateway, List.of(), null, null, null);
    }

    private static void refused(final String expected, final Runnable build) {
        final var e = assertThrows(IllegalArgumentException.class, build::run);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void aGoodConfiguration() {
        final var addressing = Addressing.of("10.1.0.0/24", pool("10.1.0.100", "10.1.0.199", "10.1.0.20", "10.1.0.29"),
            7200L, "10.1.0.1", List.of("10.1.0.53", "9.9.9.9"), "lan", "2001:db8:1::/64", false);
        final var ipv4 = addressing.ipv4();
        assertEquals(110, ipv4.poolSize());
        assertEquals(Addressing.parseV4("10.1.0.20"), ipv4.poolAddress(0), "ranges in address order");
        assertEquals(Addressing.parseV4("10.1.0.100"), ipv4.poolAddress(10));
        assertEquals(Addressing.parseV4("10.1.0.254"), ipv4.serverAddress());
        assertEquals(7200, ipv4.leaseSeconds());
        assertEquals(0x2001_0db8_0001_0000L, addressing.ipv6().prefix());
        assertEquals(64, addressing.ipv6().prefixLength());
        assertEquals(false, addressing.rogueGuard());
        assertNull(Addressing.of(null, List.of(), null, null, List.of(), null, "fd00::/48", null).ipv4());
        assertTrue(Addressing.of(null, List.of(), null, null, List.of(), null, null, null).rogueGuard(),
            "the guard is on by default");
    }

    @Test
    void badInputIsRefusedWithAReason() {
        refused("outside subnet", () -> v4("10.1.0.0/24", pool("10.1.1.10", "10.1.1.20"), null));
        refused("outside subnet", () -> v4("10.1.0.0/24", pool("10.1.0.10", "10.1.1.20"), null));
        refused("overlap", () -> v4("10.1.0.0/24", pool("10.1.0.10", "10.1.0.20", "10.1.0.20", "10.1.0.30"), null));
        refused("ends before it starts", () -> v4("10.1.0.0/24", pool("10.1.0.20", "10.1.0.10"), null));
        refused("network or broadcast", () -> v4("10.1.0.0/24", pool("10.1.0.0", "10.1.0.10"), null));
        refused("gateway 10.1.0.15 is inside the pool", () -> v4("10.1.0.0/24", pool("10.1.0.10", "10.1.0.20"),
            "10.1.0.15"));
        refused("outside subnet", () -> v4("10.1.0.0/24", pool("10.1.0.10", "10.1.0.20"), "10.2.0.1"));
        refused("more than 65536", () -> v4("10.0.0.0/8", pool("10.0.0.1", "10.1.0.1"), null));
        refused("/8 to /30", () -> v4("10.1.0.0/31", pool("10.1.0.0", "10.1.0.1"), null));
        refused("no address outside the pool", () -> v4("10.1.0.0/30", pool("10.1.0.1", "10.1.0.2"), null));
        refused("no range", () -> v4("10.1.0.0/24", List.of(), null));
        refused("not an IPv4 address", () -> v4("10.1.0.0/24", pool("10.1.0.300", "10.1.0.310"), null));
        refused("longer than /64", () -> Addressing.of(null, List.of(), null, null, List.of(), null,
            "2001:db8::/80", null));
        refused("link-local", () -> Addressing.of(null, List.of(), null, null, List.of(), null, "fe80::/64", null));
        refused("not an IPv6 prefix", () -> Addressing.of(null, List.of(), null, null, List.of(), null,
            "2001:db8::1::/64", null));
    }
}
