/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.benchmarks;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.List;

/**
 * The frames {@link ChatterMeasurement}'s hosts send: IPv4 and IPv6 headers, IGMPv3 and MLDv2 reports.
 */
final class ChatterFrames {
    static final long BROADCAST = 0xFFFFFFFFFFFFL;

    private ChatterFrames() {
        // static only
    }

    static long mac(final ByteBuf frame, final int at) {
        return (long) frame.getUnsignedShort(at) << 32 | frame.getUnsignedInt(at + 2);
    }

    static void writeMac(final ByteBuf frame, final long mac) {
        frame.writeShort((int) (mac >>> 32)).writeInt((int) mac);
    }

    static ByteBuf ipv4(final long srcMac, final long dstMac, final int srcIp, final int dstIp, final int protocol,
            final int payload) {
        return ipv4(srcMac, dstMac, srcIp, dstIp, protocol, payload, false);
    }

    private static ByteBuf ipv4(final long srcMac, final long dstMac, final int srcIp, final int dstIp,
            final int protocol, final int payload, final boolean routerAlert) {
        final var frame = Unpooled.buffer();
        writeMac(frame, dstMac);
        writeMac(frame, srcMac);
        frame.writeShort(0x0800);
        final int header = routerAlert ? 24 : 20;
        frame.writeByte(0x40 | header / 4).writeByte(0).writeShort(header + payload).writeInt(0)
            .writeByte(routerAlert ? 1 : 64).writeByte(protocol).writeShort(0).writeInt(srcIp).writeInt(dstIp);
        if (routerAlert) {
            frame.writeInt(0x94040000);
        }
        frame.setShort(24, ~sum(frame, 14, header, 0));
        return frame;
    }

    static ByteBuf ipv6(final long srcMac, final long dstMac, final long[] src, final long[] dst, final int next,
            final int payload, final boolean hopByHop) {
        final var frame = Unpooled.buffer();
        writeMac(frame, dstMac);
        writeMac(frame, srcMac);
        frame.writeShort(0x86DD).writeInt(0x60000000).writeShort(payload + (hopByHop ? 8 : 0))
            .writeByte(hopByHop ? 0 : next).writeByte(hopByHop ? 1 : 255);
        frame.writeLong(src[0]).writeLong(src[1]).writeLong(dst[0]).writeLong(dst[1]);
        if (hopByHop) {
            frame.writeByte(next).writeByte(0).writeInt(0x05020000).writeShort(0x0100);
        }
        return frame;
    }

    /**
     * An IGMPv3 report to 224.0.0.22 that the host is in each group (mode is-exclude, no source).
     */
    static ByteBuf igmpV3Report(final long mac, final int ip, final int... groups) {
        final int length = 8 + 8 * groups.length;
        final var frame = ipv4(mac, 0x01005E000016L, ip, 0xE0000016, 2, length, true);
        final int at = frame.writerIndex();
        frame.writeByte(0x22).writeByte(0).writeShort(0).writeShort(0).writeShort(groups.length);
        for (int group : groups) {
            frame.writeByte(2).writeByte(0).writeShort(0).writeInt(group);
        }
        frame.setShort(at + 2, ~sum(frame, at, length, 0));
        return frame;
    }

    /**
     * An MLDv2 report to ff02::16 that the host is in each group (mode is-exclude, no source).
     */
    static ByteBuf mldV2Report(final long mac, final long[] src, final List<long[]> groups) {
        final int length = 8 + 20 * groups.size();
        final var frame = ipv6(mac, 0x333300000016L, src, new long[] {0xFF02_0000_0000_0000L, 0x16}, 58, length,
            true);
        final int at = frame.writerIndex();
        frame.writeByte(143).writeByte(0).writeShort(0).writeShort(0).writeShort(groups.size());
        for (var group : groups) {
            frame.writeByte(2).writeByte(0).writeShort(0).writeLong(group[0]).writeLong(group[1]);
        }
        frame.setShort(at + 2, icmpv6Checksum(frame, at, length));
        return frame;
    }

    /**
     * The ICMPv6 checksum of a message at {@code at} in an IPv6 packet at offset 14.
     */
    static int icmpv6Checksum(final ByteBuf frame, final int at, final int length) {
        int pseudo = length + 58;
        for (int offset = 22; offset < 54; offset += 2) {
            pseudo += frame.getUnsignedShort(offset);
        }
        return ~sum(frame, at, length, pseudo) & 0xFFFF;
    }

    private static int sum(final ByteBuf buf, final int at, final int length, final int initial) {
        long sum = initial;
        for (int offset = 0; offset + 1 < length; offset += 2) {
            sum += buf.getUnsignedShort(at + offset);
        }
        while (sum >>> 16 != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) sum;
    }
}
