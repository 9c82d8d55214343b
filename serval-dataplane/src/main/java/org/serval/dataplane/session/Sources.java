/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.session;

import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * What counts as one source when a stranger's connections, handshakes, logins or log lines are limited. An IPv4
 * address is one source. An IPv6 host may own a whole /64, so the /64 is one source; a site owns a /48 (a home a
 * /56), so limits are kept at the /48 too, higher, so that rotating /64s or /56s inside one site gains a few
 * sources' worth and no more.
 */
public final class Sources {
    private static final String UNKNOWN = "unknown";

    private Sources() {
        // static only
    }

    /**
     * The source itself: the IPv4 address, or the IPv6 /64 (as {@code 2001:db8:0:1::/64}).
     */
    public static String host(final InetAddress from) {
        if (from instanceof Inet6Address) {
            return prefix(from.getAddress(), 64);
        }
        return from == null ? UNKNOWN : from.getHostAddress();
    }

    /**
     * The site around the source: the IPv6 /48 (as {@code 2001:db8::/48}), or null for IPv4, whose addresses are
     * counted one by one.
     */
    public static String site(final InetAddress from) {
        return from instanceof Inet6Address ? prefix(from.getAddress(), 48) : null;
    }

    /**
     * The widest of the two: what a summary line names.
     */
    public static String widest(final InetAddress from) {
        final var site = site(from);
        return site != null ? site : host(from);
    }

    private static String prefix(final byte[] address, final int bits) {
        final int groups = bits / 16;
        final var values = new int[8];
        for (int i = 0; i < groups; i++) {
            values[i] = (address[2 * i] & 0xff) << 8 | address[2 * i + 1] & 0xff;
        }
        // the longest run of two or more zero groups becomes "::", as RFC 5952 writes addresses
        int bestStart = -1;
        int bestLength = 1;
        int index = 0;
        while (index < 8) {
            int end = index;
            while (end < 8 && values[end] == 0) {
                end++;
            }
            if (end - index > bestLength) {
                bestStart = index;
                bestLength = end - index;
            }
            index = Math.max(end, index + 1);
        }
        final var text = new StringBuilder();
        index = 0;
        while (index < 8) {
            if (index == bestStart) {
                text.append("::");
                index += bestLength;
                continue;
            }
            if (!text.isEmpty() && text.charAt(text.length() - 1) != ':') {
                text.append(':');
            }
            text.append(Integer.toHexString(values[index]));
            index++;
        }
        return text.append('/').append(bits).toString();
    }
}
