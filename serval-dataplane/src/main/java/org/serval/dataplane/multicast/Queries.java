/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.multicast;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * The general queries the switch's querier sends: IGMPv3 to 224.0.0.1 and MLDv2 to ff02::1, each with the router
 * alert option and a hop limit of 1, as hosts require. IGMPv2 hosts take an IGMPv3 query for theirs (RFC 3376 7.1).
 * The IPv4 source is 0.0.0.0, as snooping switches without an address of their own use (RFC 4541 2.1.1), so any
 * real querier wins the election; MLD requires a link-local source, made from the switch's MAC.
 */
final class Queries {
    private static final int MAX_RESPONSE_CODE_IGMP = 100;
    private static final int MAX_RESPONSE_MLD_MILLIS = 10_000;
    private static final int ROBUSTNESS = 2;
    private static final int QUERY_INTERVAL_CODE = 125;

    private Queries() {
        // static only
    }

    /**
     * An IGMPv3 general query from {@code mac}.
     */
    static ByteBuf igmp(final ByteBufAllocator alloc, final long mac) {
        final var frame = alloc.buffer(14 + 24 + 12);
        frame.writeShort(0x0100).writeInt(0x5E000001);
        writeMac(frame, mac);
        frame.writeShort(ChattyProtocols.ETHERTYPE_IPV4);
        final int l3 = frame.writerIndex();
        // version 4, 6 words (router alert), DSCP CS6, total 36, no fragmenting, TTL 1, IGMP
        frame.writeByte(0x46).writeByte(0xC0).writeShort(36).writeInt(0).writeByte(1).writeByte(ChattyProtocols.IGMP);
        frame.writeShort(0).writeInt(0).writeInt(0xE0000001).writeInt(0x94040000);
        frame.setShort(l3 + 10, ~Checksums.sum(frame, l3, 24, 0));
        final int at = frame.writerIndex();
        frame.writeByte(GroupMessages.IGMP_QUERY).writeByte(MAX_RESPONSE_CODE_IGMP).writeShort(0).writeInt(0);
        frame.writeByte(ROBUSTNESS).writeByte(QUERY_INTERVAL_CODE).writeShort(0);
        frame.setShort(at + 2, ~Checksums.sum(frame, at, 12, 0));
        return frame;
    }

    /**
     * An MLDv2 general query from {@code mac}'s link-local address.
     */
    static ByteBuf mld(final ByteBufAllocator alloc, final long mac) {
        final var frame = alloc.buffer(14 + 40 + 8 + 28);
        frame.writeShort(0x3333).writeInt(1);
        writeMac(frame, mac);
        frame.writeShort(ChattyProtocols.ETHERTYPE_IPV6);
        final int l3 = frame.writerIndex();
        // version 6, payload 8 (hop-by-hop) + 28 (query), next header hop-by-hop, hop limit 1
        frame.writeInt(0x60000000).writeShort(36).writeByte(0).writeByte(1);
        frame.writeLong(0xFE80_0000_0000_0000L).writeLong(interfaceId(mac));
        frame.writeLong(0xFF02_0000_0000_0000L).writeLong(1);
        // hop-by-hop: next ICMPv6, length 0 (8 bytes), router alert (MLD), PadN of 2
        frame.writeByte(ChattyProtocols.ICMPV6).writeByte(0).writeInt(0x05020000).writeShort(0x0100);
        final int at = frame.writerIndex();
        frame.writeByte(GroupMessages.MLD_QUERY).writeByte(0).writeShort(0).writeShort(MAX_RESPONSE_MLD_MILLIS)
            .writeShort(0).writeLong(0).writeLong(0);
        frame.writeByte(ROBUSTNESS).writeByte(QUERY_INTERVAL_CODE).writeShort(0);
        frame.setShort(at + 2, ~Checksums.sum(frame, at, 28, Checksums.ipv6Pseudo(frame, l3, 28,
            ChattyProtocols.ICMPV6)));
        return frame;
    }

    private static void writeMac(final ByteBuf frame, final long mac) {
        frame.writeShort((int) (mac >>> 32)).writeInt((int) mac);
    }

    /**
     * The modified EUI-64 interface id of a MAC (RFC 4291 2.5.1).
     */
    private static long interfaceId(final long mac) {
        final long oui = (mac >>> 24 & 0xFFFFFF) ^ 0x020000;
        return oui << 40 | 0xFFFEL << 24 | mac & 0xFFFFFF;
    }
}
