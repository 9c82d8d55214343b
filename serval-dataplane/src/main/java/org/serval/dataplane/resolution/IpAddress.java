/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.resolution;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/**
 * An IPv4 or IPv6 address as two longs, so that tables keyed by address allocate nothing per lookup beyond the key.
 * IPv4 addresses are held IPv4-mapped ({@code ::ffff:a.b.c.d}), which keeps the two families apart.
 *
 * @param high the first 64 bits
 * @param low the last 64 bits
 */
public record IpAddress(long high, long low) {
    private static final long V4_MAPPED = 0xFFFF_0000_0000L;

    public static IpAddress v4(final int address) {
        return new IpAddress(0, V4_MAPPED | address & 0xFFFF_FFFFL);
    }

    public static IpAddress v6(final long high, final long low) {
        return new IpAddress(high, low);
    }

    /**
     * From the 4 or 16 bytes of a RESOLVE message.
     */
    public static IpAddress of(final byte[] bytes) {
        final var buffer = ByteBuffer.wrap(bytes);
        return switch (bytes.length) {
            case 4 -> v4(buffer.getInt());
            case 16 -> v6(buffer.getLong(), buffer.getLong());
            default -> throw new IllegalArgumentException("an IP address has 4 or 16 bytes, not " + bytes.length);
        };
    }

    public boolean isV4() {
        return high == 0 && (low & 0xFFFF_FFFF_0000_0000L) == V4_MAPPED;
    }

    public int v4Bits() {
        return (int) low;
    }

    public boolean isUnspecified() {
        return isV4() ? v4Bits() == 0 : high == 0 && low == 0;
    }

    /**
     * Whether this can be one host's address: not unspecified, not multicast, not IPv4 broadcast.
     */
    public boolean isUnicast() {
        if (isUnspecified()) {
            return false;
        }
        if (isV4()) {
            final int first = v4Bits() >>> 24;
            return first < 224 && v4Bits() != -1 && first != 127 && first != 0;
        }
        return high >>> 56 != 0xFF && !(high == 0 && low == 1);
    }

    /**
     * As a Java address: 4 bytes for IPv4, 16 for IPv6.
     */
    public InetAddress toInetAddress() {
        final var bytes = isV4() ? ByteBuffer.allocate(4).putInt(v4Bits()).array()
            : ByteBuffer.allocate(16).putLong(high).putLong(low).array();
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("4 or 16 bytes are always an address", e);
        }
    }

    @Override
    public String toString() {
        return toInetAddress().getHostAddress();
    }
}
