/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.multicast;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.serval.dataplane.resolution.IpAddress;

/**
 * Frames hosts send, for the tests: UDP over IPv4 and IPv6, IGMP and MLD messages, router advertisements.
 */
public final class Packets {
    public static final long BROADCAST = 0xFFFFFFFFFFFFL;

    private Packets() {
        // static only
    }

    /**
     * The MAC of an IPv4 group (RFC 1112 6.4).
     */
    public static long groupMac(final int group) {
        return 0x01005E000000L | group & 0x7FFFFF;
    }

    /**
     * The MAC of an IPv6 group (RFC 2464 7).
     */
    public static long groupMac(final IpAddress group) {
        return 0x333300000000L | group.low() & 0xFFFFFFFFL;
    }

    /**
     * A UDP datagram over IPv4 with {@code payload} zero bytes.
     */
    public static ByteBuf udp4(final long srcMac, final long dstMac, final int srcIp, final int dstIp,
            final int srcPort, final int dstPort, final int payload) {
        final var frame = ipv4(srcMac, dstMac, srcIp, dstIp, 17, 8 + payload, false);
        frame.writeShort(srcPort).writeShort(dstPort).writeShort(8 + payload).writeShort(0).writeZero(payload);
        return frame;
    }

    /**
     * A UDP datagram over IPv6 to a group.
     */
    public static ByteBuf udp6(final long srcMac, final IpAddress src, final IpAddress group, final int srcPort,
            final int dstPort, final int payload) {
        final var frame = ipv6(srcMac, groupMac(group), src, group, 17, 8 + payload, false);
        frame.writeShort(srcPort).writeShort(dstPort).writeShort(8 + payload).writeShort(0).writeZero(payload);
        return frame;
    }

    /**
     * An IGMPv2 report (join) or leave for a group.
     */
    public static ByteBuf igmpV2(final long mac, final int srcIp, final int group, final boolean join) {
        final int dst = join ? group : 0xE0000002;
        final var frame = ipv4(mac, groupMac(dst), srcIp, dst, 2, 8, true);
        final int at = frame.writerIndex();
        frame.writeByte(join ? 0x16 : 0x17).writeByte(0).writeShort(0).writeInt(group);
        frame.setShort(at + 2, ~Checksums.sum(frame, at, 8, 0));
        return frame;
    }

    /**
     * An IGMPv3 report with one record of {@code type} (2 is-exclude: joined; 3 to-include: with no source, left)
     * per group, with {@code sources} sources each.
     */
    public static ByteBuf igmpV3(final long mac, final int srcIp, final int type, final int sources,
            final int... groups) {
        final int length = 8 + groups.length * (8 + 4 * sources);
        final var frame = ipv4(mac, groupMac(0xE0000016), srcIp, 0xE0000016, 2, length, true);
        final int at = frame.writerIndex();
        frame.writeByte(0x22).writeByte(0).writeShort(0).writeShort(0).writeShort(groups.length);
        for (int group : groups) {
            frame.writeByte(type).writeByte(0).writeShort(sources).writeInt(group);
            for (int i = 0; i < sources; i++) {
                frame.writeInt(srcIp);
            }
        }
        frame.setShort(at + 2, ~Checksums.sum(frame, at, length, 0));
        return frame;
    }

    /**
     * An IGMPv2 general query from a router.
     */
    public static ByteBuf igmpQuery(final long mac, final int srcIp) {
        final var frame = ipv4(mac, groupMac(0xE0000001), srcIp, 0xE0000001, 2, 8, true);
        final int at = frame.writerIndex();
        frame.writeByte(0x11).writeByte(100).writeShort(0).writeInt(0);
        frame.setShort(at + 2, ~Checksums.sum(frame, at, 8, 0));
        return frame;
    }

    /**
     * An MLDv2 report: each group joined (record type 2) or left (3, no source).
     */
    public static ByteBuf mldV2(final long mac, final IpAddress src, final boolean join,
            final IpAddress... groups) {
        final int length = 8 + groups.length * 20;
        final var all = IpAddress.v6(0xFF02_0000_0000_0000L, 0x16);
        final var frame = ipv6(mac, groupMac(all), src, all, 58, length, true);
        final int l3 = 14;
        final int at = frame.writerIndex();
        frame.writeByte(143).writeByte(0).writeShort(0).writeShort(0).writeShort(groups.length);
        for (var group : groups) {
            frame.writeByte(join ? 2 : 3).writeByte(0).writeShort(0).writeLong(group.high()).writeLong(group.low());
        }
        frame.setShort(at + 2, ~Checksums.sum(frame, at, length, Checksums.ipv6Pseudo(frame, l3, length, 58)));
        return frame;
    }

    /**
     * A router advertisement to all nodes.
     */
    public static ByteBuf routerAdvertisement(final long mac, final IpAddress src) {
        final var all = IpAddress.v6(0xFF02_0000_0000_0000L, 1);
        final var frame = ipv6(mac, groupMac(all), src, all, 58, 16, false);
        final int at = frame.writerIndex();
        frame.writeByte(134).writeByte(0).writeShort(0).writeByte(64).writeByte(0).writeShort(1800).writeLong(0);
        frame.setShort(at + 2, ~Checksums.sum(frame, at, 16, Checksums.ipv6Pseudo(frame, 14, 16, 58)));
        return frame;
    }

    private static ByteBuf ipv4(final long srcMac, final long dstMac, final int srcIp, final int dstIp,
            final int protocol, final int payload, final boolean routerAlert) {
        final var frame = Unpooled.buffer();
        mac(frame, dstMac);
        mac(frame, srcMac);
        frame.writeShort(0x0800);
        final int header = routerAlert ? 24 : 20;
        frame.writeByte(0x40 | header / 4).writeByte(0).writeShort(header + payload).writeInt(0)
            .writeByte(routerAlert ? 1 : 64).writeByte(protocol).writeShort(0).writeInt(srcIp).writeInt(dstIp);
        if (routerAlert) {
            frame.writeInt(0x94040000);
        }
        frame.setShort(24, ~Checksums.sum(frame, 14, header, 0));
        return frame;
    }

    private static ByteBuf ipv6(final long srcMac, final long dstMac, final IpAddress src, final IpAddress dst,
            final int next, final int payload, final boolean hopByHop) {
        final var frame = Unpooled.buffer();
        mac(frame, dstMac);
        mac(frame, srcMac);
        frame.writeShort(0x86DD).writeInt(0x60000000).writeShort(payload + (hopByHop ? 8 : 0))
            .writeByte(hopByHop ? 0 : next).writeByte(hopByHop ? 1 : 255);
        frame.writeLong(src.high()).writeLong(src.low()).writeLong(dst.high()).writeLong(dst.low());
        if (hopByHop) {
            frame.writeByte(next).writeByte(0).writeInt(0x05020000).writeShort(0x0100);
        }
        return frame;
    }

    private static void mac(final ByteBuf frame, final long mac) {
        frame.writeShort((int) (mac >>> 32)).writeInt((int) mac);
    }
}
