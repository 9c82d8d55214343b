/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.multicast;

import io.netty.buffer.ByteBuf;

/**
 * The Internet checksum (RFC 1071), to check the IGMP and MLD messages members send and to sign the queries the
 * switch sends.
 */
final class Checksums {
    private Checksums() {
        // static only
    }

    /**
     * The ones' complement sum of {@code length} bytes from {@code at}, added to {@code initial}, folded to 16 bits.
     * A correct message sums to 0xFFFF with its checksum field in place.
     */
    static int sum(final ByteBuf buf, final int at, final int length, final int initial) {
        long sum = initial;
        int offset = 0;
        for (; offset + 1 < length; offset += 2) {
            sum += buf.getUnsignedShort(at + offset);
        }
        if (offset < length) {
            sum += buf.getUnsignedByte(at + offset) << 8;
        }
        while (sum >>> 16 != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) sum;
    }

    /**
     * The unfolded sum of the IPv6 pseudo-header (RFC 8200 8.1) of the packet whose header is at {@code l3}.
     */
    static int ipv6Pseudo(final ByteBuf buf, final int l3, final int upperLength, final int nextHeader) {
        int sum = 0;
        for (int i = 0; i < 32; i += 2) {
            sum += buf.getUnsignedShort(l3 + 8 + i);
        }
        return sum + (upperLength >>> 16) + (upperLength & 0xFFFF) + nextHeader;
    }
}
