/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.resolution;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.serval.dataplane.ethernet.Macs;

/**
 * Reads and writes the two ways hosts on an Ethernet find each other: ARP (RFC 826) for IPv4 and neighbour
 * discovery (RFC 4861) for IPv6. Everything reads relative to the frame's reader index and never moves it, and
 * anything that is not exactly the expected shape is "not a neighbour packet": this code only ever decides
 * whether to answer or learn, so refusing the unusual costs nothing but a flood.
 */
public final class NeighborPackets {
    /**
     * What a frame tells about who has which address, or asks.
     *
     * @param kind what the frame is
     * @param address the IP address concerned: for an answer or an announcement, the sender's; for a question,
     *     the one asked about
     * @param mac for an answer or announcement, the MAC that has the address; for a question, the asker's
     * @param askerAddress for a question, the asker's own IP address
     * @param router for an IPv6 answer, its router flag
     */
    public record Observation(Kind kind, IpAddress address, long mac, IpAddress askerAddress, boolean router) {
    }

    /**
     * The shapes of neighbour packets that matter to a switch.
     */
    public enum Kind {
        /** ARP request or reply, or gratuitous ARP: the sender has its address. */
        ARP_ANNOUNCE,
        /** An ARP request asking who has an address (the sender's binding is in {@code askerAddress}). */
        ARP_QUESTION,
        /** IPv6 neighbour advertisement: the target has its address. */
        ND_ANSWER,
        /** IPv6 neighbour solicitation asking for an address. */
        ND_QUESTION;

        /**
         * Whether this asks for an address, so that someone who knows may answer it.
         */
        public boolean isQuestion() {
            return this == ARP_QUESTION || this == ND_QUESTION;
        }
    }

    private static final int ETHERTYPE_ARP = 0x0806;
    private static final int ETHERTYPE_IPV6 = 0x86DD;
    private static final int ETH = 14;
    private static final int ARP_LENGTH = 28;
    private static final int IPV6_HEADER = 40;
    private static final int ICMPV6 = 58;
    private static final int NS = 135;
    private static final int NA = 136;
    private static final int OPTION_SOURCE_LL = 1;
    private static final int OPTION_TARGET_LL = 2;
    private static final int NA_ROUTER = 0x80;
    private static final int NA_SOLICITED = 0x40;
    private static final int NA_OVERRIDE = 0x20;

    private NeighborPackets() {
        // static only
    }

    /**
     * Reads what a frame says about addresses, or returns null for any other frame (almost all of them: the first
     * test is on the EtherType).
     */
    public static Observation inspect(final ByteBuf frame) {
        final int at = frame.readerIndex();
        final int length = frame.readableBytes();
        if (length < ETH + ARP_LENGTH) {
            return null;
        }
        final int type = frame.getUnsignedShort(at + 12);
        if (type == ETHERTYPE_ARP) {
            return arp(frame, at);
        }
        if (type == ETHERTYPE_IPV6 && length >= ETH + IPV6_HEADER + 24) {
            return nd(frame, at, length);
        }
        return null;
    }

    private static Observation arp(final ByteBuf frame, final int at) {
        final int arp = at + ETH;
        // Ethernet and IPv4, 6- and 4-byte addresses; anything else is not for us.
        if (frame.getUnsignedShort(arp) != 1 || frame.getUnsignedShort(arp + 2) != 0x0800
                || frame.getUnsignedByte(arp + 4) != 6 || frame.getUnsignedByte(arp + 5) != 4) {
            return null;
        }
        final int op = frame.getUnsignedShort(arp + 6);
        final long senderMac = Macs.read(frame, arp + 8);
        final var senderIp = IpAddress.v4(frame.getInt(arp + 14));
        final var targetIp = IpAddress.v4(frame.getInt(arp + 24));
        // The sender hardware address must be the frame's source: otherwise it speaks for someone else.
        if (senderMac != Macs.read(frame, at + 6) || !Macs.isUnicast(senderMac)) {
            return null;
        }
        if (op == 1 && !senderIp.isUnspecified() && !senderIp.equals(targetIp)) {
            return new Observation(Kind.ARP_QUESTION, targetIp, senderMac, senderIp, false);
        }
        if ((op == 1 || op == 2) && senderIp.isUnicast()) {
            return new Observation(Kind.ARP_ANNOUNCE, senderIp, senderMac, null, false);
        }
        return null;
    }

    private static Observation nd(final ByteBuf frame, final int at, final int length) {
        final int ip = at + ETH;
        final int icmp = ip + IPV6_HEADER;
        // No extension headers (RFC 4861 messages have none), hop limit 255 (they never crossed a router), code 0.
        if ((frame.getUnsignedByte(ip) >>> 4) != 6 || frame.getUnsignedByte(ip + 6) != ICMPV6
                || frame.getUnsignedByte(ip + 7) != 255 || frame.getUnsignedByte(icmp + 1) != 0
                || frame.getUnsignedShort(ip + 4) != length - ETH - IPV6_HEADER) {
            return null;
        }
        final int type = frame.getUnsignedByte(icmp);
        if (type != NS && type != NA) {
            return null;
        }
        final var target = IpAddress.v6(frame.getLong(icmp + 8), frame.getLong(icmp + 16));
        final var source = IpAddress.v6(frame.getLong(ip + 8), frame.getLong(ip + 16));
        final long frameSource = Macs.read(frame, at + 6);
        if (!target.isUnicast() || !Macs.isUnicast(frameSource)) {
            return null;
        }
        if (type == NS) {
            // From :: it is duplicate address detection, which only the owner may answer.
            return source.isUnspecified() ? null
                : new Observation(Kind.ND_QUESTION, target, frameSource, source, false);
        }
        final int flags = frame.getUnsignedByte(icmp + 4);
        final long linkLayer = option(frame, icmp + 24, at + length, OPTION_TARGET_LL);
        if (linkLayer != -1 && linkLayer != frameSource) {
            return null;
        }
        return new Observation(Kind.ND_ANSWER, target, frameSource, null, (flags & NA_ROUTER) != 0);
    }

    private static long option(final ByteBuf frame, final int from, final int end, final int wanted) {
        int at = from;
        while (at + 8 <= end) {
            final int type = frame.getUnsignedByte(at);
            final int units = frame.getUnsignedByte(at + 1);
            if (units == 0) {
                return -1;
            }
            if (type == wanted && units == 1) {
                return Macs.read(frame, at + 2);
            }
            at += units * 8;
        }
        return -1;
    }

    /**
     * Builds the answer the owner of an address would give to a question, addressed to the asker only.
     *
     * @param question an {@link Kind#ARP_QUESTION} or {@link Kind#ND_QUESTION}
     * @param ownerMac the MAC that has the address asked about
     * @param router for IPv6, the owner's router flag as it last announced it
     */
    public static ByteBuf answer(final ByteBufAllocator alloc, final Observation question, final long ownerMac,
            final boolean router) {
        return question.kind() == Kind.ARP_QUESTION ? arpReply(alloc, question, ownerMac)
            : neighborAdvertisement(alloc, question, ownerMac, router);
    }

    private static ByteBuf arpReply(final ByteBufAllocator alloc, final Observation question, final long ownerMac) {
        final var out = alloc.buffer(ETH + ARP_LENGTH);
        writeMac(out, question.mac());
        writeMac(out, ownerMac);
        out.writeShort(ETHERTYPE_ARP);
        out.writeShort(1).writeShort(0x0800).writeByte(6).writeByte(4).writeShort(2);
        writeMac(out, ownerMac);
        out.writeInt(question.address().v4Bits());
        writeMac(out, question.mac());
        out.writeInt(question.askerAddress().v4Bits());
        return out;
    }

    private static ByteBuf neighborAdvertisement(final ByteBufAllocator alloc, final Observation question,
            final long ownerMac, final boolean router) {
        final int icmpLength = 24 + 8;
        final var out = alloc.buffer(ETH + IPV6_HEADER + icmpLength);
        writeMac(out, question.mac());
        writeMac(out, ownerMac);
        out.writeShort(ETHERTYPE_IPV6);
        final int ip = out.writerIndex();
        out.writeInt(0x60000000).writeShort(icmpLength).writeByte(ICMPV6).writeByte(255);
        final var source = question.address();
        final var destination = question.askerAddress();
        out.writeLong(source.high()).writeLong(source.low());
        out.writeLong(destination.high()).writeLong(destination.low());
        final int icmp = out.writerIndex();
        out.writeByte(NA).writeByte(0).writeShort(0);
        out.writeByte((router ? NA_ROUTER : 0) | NA_SOLICITED | NA_OVERRIDE).writeZero(3);
        out.writeLong(source.high()).writeLong(source.low());
        out.writeByte(OPTION_TARGET_LL).writeByte(1);
        writeMac(out, ownerMac);
        out.setShort(icmp + 2, icmpv6Checksum(out, ip, icmp, icmpLength));
        return out;
    }

    /**
     * The ICMPv6 checksum (RFC 4443 section 2.3): the one's complement sum over the pseudo-header and the message.
     */
    static int icmpv6Checksum(final ByteBuf packet, final int ip, final int icmp, final int icmpLength) {
        long sum = 0;
        // pseudo-header: source and destination addresses, upper-layer length, next header
        for (int i = ip + 8; i < ip + 40; i += 2) {
            sum += packet.getUnsignedShort(i);
        }
        sum += icmpLength + ICMPV6;
        for (int i = icmp; i < icmp + icmpLength - 1; i += 2) {
            sum += packet.getUnsignedShort(i);
        }
        if ((icmpLength & 1) != 0) {
            sum += packet.getUnsignedByte(icmp + icmpLength - 1) << 8;
        }
        while (sum >>> 16 != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) ~sum & 0xFFFF;
    }

    private static void writeMac(final ByteBuf out, final long mac) {
        out.writeShort((int) (mac >>> 32)).writeInt((int) mac);
    }
}
