/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.resolution;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * Ethernet frames as hosts send them, built field by field from the RFCs independently of the code under test.
 */
public final class Frames {
    public static final long BROADCAST = 0xFFFFFFFFFFFFL;

    private Frames() {
        // static only
    }

    /**
     * A 60-byte frame of some EtherType with zero payload.
     */
    public static ByteBuf plain(final long dst, final long src, final int etherType) {
        final var frame = Unpooled.buffer(60);
        mac(frame, dst);
        mac(frame, src);
        return frame.writeShort(etherType).writeZero(46);
    }

    /**
     * An ARP packet (op 1 request, 2 reply), padded to Ethernet's 60 bytes as a kernel sends it.
     */
    public static ByteBuf arp(final int op, final long ethSrc, final long ethDst, final long senderMac,
            final int senderIp, final long targetMac, final int targetIp) {
        final var frame = Unpooled.buffer(60);
        mac(frame, ethDst);
        mac(frame, ethSrc);
        frame.writeShort(0x0806).writeShort(1).writeShort(0x0800).writeByte(6).writeByte(4).writeShort(op);
        mac(frame, senderMac);
        frame.writeInt(senderIp);
        mac(frame, targetMac);
        frame.writeInt(targetIp);
        return frame.writeZero(18);
    }

    public static ByteBuf arpRequest(final long mac, final int ip, final int target) {
        return arp(1, mac, BROADCAST, mac, ip, 0, target);
    }

    public static ByteBuf arpReply(final long mac, final int ip, final long toMac, final int toIp) {
        return arp(2, mac, toMac, mac, ip, toMac, toIp);
    }

    /**
     * A neighbour solicitation to the target's solicited-node multicast group, with a source link-layer option
     * unless the source is :: (duplicate address detection).
     */
    public static ByteBuf solicitation(final long mac, final IpAddress source, final IpAddress target) {
        final boolean dad = source.isUnspecified();
        final long group = 0x3333FF000000L | target.low() & 0xFFFFFF;
        return icmpv6(group, mac, source, new IpAddress(0xFF02000000000000L, 0x00000001FF000000L | target.low()
            & 0xFFFFFF), 135, 0, target, dad ? -1 : 1, mac);
    }

    /**
     * A solicited neighbour advertisement with a target link-layer option.
     */
    public static ByteBuf advertisement(final long mac, final IpAddress target, final long toMac,
            final IpAddress to, final boolean router) {
        return icmpv6(toMac, mac, target, to, 136, (router ? 0x80 : 0) | 0x60, target, 2, mac);
    }

    private static ByteBuf icmpv6(final long ethDst, final long ethSrc, final IpAddress src, final IpAddress dst,
            final int type, final int flags, final IpAddress target, final int option, final long optionMac) {
        final int icmpLength = 24 + (option < 0 ? 0 : 8);
        final var frame = Unpooled.buffer();
        mac(frame, ethDst);
        mac(frame, ethSrc);
        frame.writeShort(0x86DD).writeInt(0x60000000).writeShort(icmpLength).writeByte(58).writeByte(255);
        frame.writeLong(src.high()).writeLong(src.low()).writeLong(dst.high()).writeLong(dst.low());
        final int icmp = frame.writerIndex();
        frame.writeByte(type).writeByte(0).writeShort(0).writeByte(flags).writeZero(3);
        frame.writeLong(target.high()).writeLong(target.low());
        if (option >= 0) {
            frame.writeByte(option).writeByte(1);
            mac(frame, optionMac);
        }
        frame.setShort(icmp + 2, NeighborPackets.icmpv6Checksum(frame, 14, icmp, icmpLength));
        return frame;
    }

    public static IpAddress v6(final String text) {
        try {
            return IpAddress.of(java.net.InetAddress.getByName(text).getAddress());
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    public static int v4(final int first, final int second, final int third, final int fourth) {
        return first << 24 | second << 16 | third << 8 | fourth;
    }

    private static void mac(final ByteBuf frame, final long mac) {
        frame.writeShort((int) (mac >>> 32)).writeInt((int) mac);
    }
}
