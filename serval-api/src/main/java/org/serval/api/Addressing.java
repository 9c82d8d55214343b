/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.api;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The addresses a VLAN's switch gives its members (YANG {@code vlans/vlan/addressing}): a DHCPv4 pool, an IPv6
 * prefix for router advertisements, and whether members' own DHCP servers and routers are silenced. Built only
 * through {@link #of}, which refuses what the switch could not serve with an {@link IllegalArgumentException} whose
 * message says why (the controller answers it with invalid-value).
 *
 * @param ipv4 DHCPv4, or null for none
 * @param ipv6 router advertisements, or null for none
 * @param rogueGuard whether DHCPv4 server messages and router advertisements from members are dropped for the
 *     families the switch serves
 */
public record Addressing(Ipv4 ipv4, Ipv6 ipv6, boolean rogueGuard) {
    /** Addresses one VLAN's pool may hold: every address is a possible lease, and leases are held in memory. */
    public static final int MAX_POOL_ADDRESSES = 65_536;
    /** The shortest and longest IPv4 subnet: a /31 or /32 has no room for a pool. */
    public static final int MIN_V4_PREFIX = 8;
    public static final int MAX_V4_PREFIX = 30;
    /** SLAAC forms addresses from a 64-bit interface identifier (RFC 4862, RFC 4291). */
    public static final int SLAAC_PREFIX = 64;
    public static final int DEFAULT_LEASE_SECONDS = 3600;

    /**
     * One range of the pool, both ends included, as unsigned 32-bit addresses.
     */
    public record Range(int start, int end) {
        public long size() {
            return Integer.toUnsignedLong(end) - Integer.toUnsignedLong(start) + 1;
        }

        public boolean contains(final int address) {
            return Integer.compareUnsigned(address, start) >= 0 && Integer.compareUnsigned(address, end) <= 0;
        }
    }

    /**
     * DHCPv4 settings.
     *
     * @param network the subnet's address (host bits zero)
     * @param prefixLength its length
     * @param pool the ranges given out, sorted, not overlapping
     * @param gateway the router option, or 0 for none
     * @param dns DNS servers, in order
     * @param domain the domain name, or null
     */
    public record Ipv4(int network, int prefixLength, List<Range> pool, int leaseSeconds, int gateway,
            List<Integer> dns, String domain) {
        public Ipv4 {
            pool = List.copyOf(pool);
            dns = List.copyOf(dns);
        }

        public int netmask() {
            return (int) (0xFFFF_FFFFL << (32 - prefixLength));
        }

        public int broadcast() {
            return network | ~netmask();
        }

        public boolean inSubnet(final int address) {
            return (address & netmask()) == network;
        }

        public boolean inPool(final int address) {
            return pool.stream().anyMatch(range -> range.contains(address));
        }

        /**
         * The address the switch's DHCP server speaks from: the highest of the subnet outside the pool and other
         * than the gateway, or 0 when there is none (refused by {@link Addressing#of}).
         */
        public int serverAddress() {
            for (int candidate = broadcast() - 1; candidate != network; candidate--) {
                if (candidate != gateway && !inPool(candidate)) {
                    return candidate;
                }
            }
            return 0;
        }

        public int poolSize() {
            return (int) pool.stream().mapToLong(Range::size).sum();
        }

        /**
         * The pool's address at an index 0..poolSize-1, counting through the ranges in order.
         */
        public int poolAddress(final int index) {
            long left = index;
            for (var range : pool) {
                if (left < range.size()) {
                    return (int) (Integer.toUnsignedLong(range.start()) + left);
                }
                left -= range.size();
            }
            throw new IndexOutOfBoundsException(index);
        }
    }

    /**
     * An IPv6 prefix announced for SLAAC: its upper 64 bits and length (at most 64).
     */
    public record Ipv6(long prefix, int prefixLength) {
    }

    /**
     * Checks and builds a VLAN's addressing from the model's values, as strings.
     *
     * @param subnet the ipv4 subnet ("10.1.0.0/24"), or null for no DHCPv4
     * @param pool the pool's ranges as {start, end} pairs
     * @param leaseSeconds the lease time, or null for the default
     * @param gateway the gateway, or null
     * @param dns the DNS servers
     * @param domain the domain, or null
     * @param prefix6 the IPv6 prefix ("2001:db8:1::/64"), or null for no router advertisements
     * @param rogueGuard the rogue-guard leaf, or null for its default (true)
     * @throws IllegalArgumentException for anything the switch could not serve
     */
    @SuppressWarnings("checkstyle:ParameterNumber")
    public static Addressing of(final String subnet, final List<String[]> pool, final Long leaseSeconds,
            final String gateway, final List<String> dns, final String domain, final String prefix6,
            final Boolean rogueGuard) {
        return new Addressing(subnet == null ? null : ipv4(subnet, pool, leaseSeconds, gateway, dns, domain),
            prefix6 == null ? null : ipv6(prefix6), rogueGuard == null || rogueGuard);
    }

    public boolean servesV4() {
        return ipv4 != null;
    }

    public boolean servesV6() {
        return ipv6 != null;
    }

    private static Ipv4 ipv4(final String subnet, final List<String[]> pool, final Long leaseSeconds,
            final String gateway, final List<String> dns, final String domain) {
        final int slash = subnet.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("subnet " + subnet + " has no prefix length");
        }
        final int length = parseLength(subnet.substring(slash + 1), 32, subnet);
        if (length < MIN_V4_PREFIX || length > MAX_V4_PREFIX) {
            throw new IllegalArgumentException("subnet " + subnet + " must be a /" + MIN_V4_PREFIX + " to /"
                + MAX_V4_PREFIX);
        }
        final int base = parseV4(subnet.substring(0, slash));
        final int mask = (int) (0xFFFF_FFFFL << (32 - length));
        final int network = base & mask;
        if (pool.isEmpty()) {
            throw new IllegalArgumentException("the pool of " + subnet + " has no range");
        }
        final var ranges = new ArrayList<Range>();
        for (var pair : pool) {
            final var range = new Range(parseV4(pair[0]), parseV4(pair[1]));
            if (Integer.compareUnsigned(range.start(), range.end()) > 0) {
                throw new IllegalArgumentException("pool range " + pair[0] + "-" + pair[1] + " ends before it starts");
            }
            if ((range.start() & mask) != network || (range.end() & mask) != network) {
                throw new IllegalArgumentException("pool range " + pair[0] + "-" + pair[1] + " is outside subnet "
                    + subnet);
            }
            final int broadcast = network | ~mask;
            if (range.contains(network) || range.contains(broadcast)) {
                throw new IllegalArgumentException("pool range " + pair[0] + "-" + pair[1]
                    + " includes the subnet's network or broadcast address");
            }
            ranges.add(range);
        }
        ranges.sort(Comparator.comparingLong(range -> Integer.toUnsignedLong(range.start())));
        long total = 0;
        for (int i = 0; i < ranges.size(); i++) {
            total += ranges.get(i).size();
            if (i > 0 && Integer.compareUnsigned(ranges.get(i).start(), ranges.get(i - 1).end()) <= 0) {
                throw new IllegalArgumentException("pool ranges starting at " + v4String(ranges.get(i - 1).start())
                    + " and " + v4String(ranges.get(i).start()) + " overlap");
            }
        }
        if (total > MAX_POOL_ADDRESSES) {
            throw new IllegalArgumentException("the pool has " + total + " addresses, more than "
                + MAX_POOL_ADDRESSES);
        }
        int router = 0;
        if (gateway != null) {
            router = parseV4(gateway);
            if ((router & mask) != network) {
                throw new IllegalArgumentException("gateway " + gateway + " is outside subnet " + subnet);
            }
            for (var range : ranges) {
                if (range.contains(router)) {
                    throw new IllegalArgumentException("gateway " + gateway + " is inside the pool");
                }
            }
        }
        final var servers = dns.stream().map(Addressing::parseV4).toList();
        final var built = new Ipv4(network, length, ranges,
            leaseSeconds == null ? DEFAULT_LEASE_SECONDS : (int) Math.min(Integer.MAX_VALUE, leaseSeconds),
            router, servers, domain);
        if (built.serverAddress() == 0) {
            throw new IllegalArgumentException("subnet " + subnet + " keeps no address outside the pool and the "
                + "gateway for the switch's DHCP server");
        }
        return built;
    }

    private static Ipv6 ipv6(final String prefix) {
        final int slash = prefix.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("prefix " + prefix + " has no prefix length");
        }
        final int length = parseLength(prefix.substring(slash + 1), 128, prefix);
        if (length > SLAAC_PREFIX) {
            throw new IllegalArgumentException("prefix " + prefix + " is longer than /" + SLAAC_PREFIX
                + ", which SLAAC needs");
        }
        final long high = parseV6High(prefix.substring(0, slash));
        final long mask = length == 0 ? 0 : -1L << (SLAAC_PREFIX - length);
        // Unique local prefixes (fc00::/7) are fine for SLAAC; multicast and link-local ones are not.
        if (high >>> 56 == 0xFF || (high & 0xFFC0_0000_0000_0000L) == 0xFE80_0000_0000_0000L) {
            throw new IllegalArgumentException("prefix " + prefix + " is multicast or link-local");
        }
        return new Ipv6(high & mask, length);
    }

    private static int parseLength(final String text, final int max, final String whole) {
        try {
            final int length = Integer.parseInt(text);
            if (length < 0 || length > max) {
                throw new IllegalArgumentException("bad prefix length in " + whole);
            }
            return length;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad prefix length in " + whole, e);
        }
    }

    /**
     * Parses a dotted-quad IPv4 address.
     *
     * @throws IllegalArgumentException when it is not one
     */
    public static int parseV4(final String text) {
        final var parts = text.split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("not an IPv4 address: " + text);
        }
        int address = 0;
        for (var part : parts) {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(Character::isDigit)) {
                throw new IllegalArgumentException("not an IPv4 address: " + text);
            }
            final int octet = Integer.parseInt(part);
            if (octet > 255) {
                throw new IllegalArgumentException("not an IPv4 address: " + text);
            }
            address = address << 8 | octet;
        }
        return address;
    }

    public static String v4String(final int address) {
        return (address >>> 24) + "." + (address >>> 16 & 0xFF) + "." + (address >>> 8 & 0xFF) + "."
            + (address & 0xFF);
    }

    // The upper 64 bits of an IPv6 address in text (RFC 4291 2.2 forms 1 and 2; an embedded IPv4 tail is refused).
    private static long parseV6High(final String text) {
        final int gap = text.indexOf("::");
        if (gap != text.lastIndexOf("::") || text.contains(".")) {
            throw new IllegalArgumentException("not an IPv6 prefix: " + text);
        }
        final var head = gap < 0 ? text : text.substring(0, gap);
        final var tail = gap < 0 ? "" : text.substring(gap + 2);
        final var headGroups = head.isEmpty() ? new String[0] : head.split(":", -1);
        final var tailGroups = tail.isEmpty() ? new String[0] : tail.split(":", -1);
        final int missing = 8 - headGroups.length - tailGroups.length;
        if (gap < 0 ? missing != 0 : missing < 1) {
            throw new IllegalArgumentException("not an IPv6 prefix: " + text);
        }
        final int[] groups = new int[8];
        for (int i = 0; i < headGroups.length; i++) {
            groups[i] = group(headGroups[i], text);
        }
        for (int i = 0; i < tailGroups.length; i++) {
            groups[8 - tailGroups.length + i] = group(tailGroups[i], text);
        }
        long high = 0;
        for (int i = 0; i < 4; i++) {
            high = high << 16 | groups[i];
        }
        return high;
    }

    private static int group(final String text, final String whole) {
        if (text.isEmpty() || text.length() > 4) {
            throw new IllegalArgumentException("not an IPv6 prefix: " + whole);
        }
        try {
            return Integer.parseInt(text, 16);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not an IPv6 prefix: " + whole, e);
        }
    }
}
