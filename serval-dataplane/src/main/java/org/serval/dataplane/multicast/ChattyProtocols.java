/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.multicast;

import io.netty.buffer.ByteBuf;
import org.serval.api.ChatterPolicy.Protocol;
import org.serval.dataplane.Bounds;

/**
 * Tells which chatty protocol a frame is, if any: by EtherType, IP protocol, UDP port and ICMPv6 type. Also reads
 * the IP headers the rest of this package needs. Reads only; never moves a buffer's indices. Anything it cannot
 * read completely (short, fragmented past the first piece, too many IPv6 extension headers) is no protocol.
 *
 * <p>Public so that other parts of the dataplane (the addressing switch's rogue-server guard) classify frames the
 * same way.
 */
public final class ChattyProtocols {
    static final int ETHERTYPE_IPV4 = 0x0800;
    static final int ETHERTYPE_IPV6 = 0x86DD;
    static final int ETHERTYPE_VLAN = 0x8100;
    static final int ETH = 14;
    static final int IPV4_MIN_HEADER = 20;
    static final int IPV6_HEADER = 40;
    static final int UDP = 17;
    static final int ICMPV6 = 58;
    static final int IGMP = 2;
    static final int ROUTER_ADVERTISEMENT = 134;

    private static final int HOP_BY_HOP = 0;
    private static final int ROUTING = 43;
    private static final int FRAGMENT = 44;
    private static final int DESTINATION_OPTIONS = 60;
    private static final int UDP_HEADER = 8;

    private ChattyProtocols() {
        // static only
    }

    /**
     * The chatty protocol of a frame, or null for any other frame.
     */
    public static Protocol classify(final ByteBuf frame) {
        final int l3 = networkOffset(frame);
        if (l3 < 0) {
            return null;
        }
        final int type = etherType(frame);
        final long transport = type == ETHERTYPE_IPV4 ? ipv4Transport(frame, l3) : ipv6Transport(frame, l3);
        if (transport < 0) {
            return null;
        }
        final int protocol = (int) (transport >>> 32);
        final int l4 = (int) transport;
        final int end = frame.writerIndex();
        if (protocol == UDP) {
            return end - l4 < UDP_HEADER ? null
                : byPort(frame.getUnsignedShort(l4), frame.getUnsignedShort(l4 + 2));
        }
        if (protocol == ICMPV6 && type == ETHERTYPE_IPV6 && end > l4
                && frame.getUnsignedByte(l4) == ROUTER_ADVERTISEMENT) {
            return Protocol.ROUTER_ADVERTISEMENT;
        }
        return null;
    }

    private static Protocol byPort(final int source, final int destination) {
        final var byDestination = byPort(destination);
        return byDestination != null ? byDestination : byPort(source);
    }

    private static Protocol byPort(final int port) {
        return switch (port) {
            case 5353 -> Protocol.MDNS;
            case 5355 -> Protocol.LLMNR;
            case 1900 -> Protocol.SSDP;
            case 137 -> Protocol.NETBIOS_NS;
            case 67, 68, 546, 547 -> Protocol.DHCP;
            default -> null;
        };
    }

    /**
     * The EtherType, after one 802.1Q tag if there is one; 0 for a frame too short to have one.
     */
    static int etherType(final ByteBuf frame) {
        final int at = frame.readerIndex();
        if (frame.readableBytes() < ETH) {
            return 0;
        }
        final int type = frame.getUnsignedShort(at + 12);
        if (type == ETHERTYPE_VLAN) {
            return frame.readableBytes() < ETH + 4 ? 0 : frame.getUnsignedShort(at + 16);
        }
        return type;
    }

    /**
     * Where the IP header starts, or -1 when the frame carries no IPv4 or IPv6.
     */
    static int networkOffset(final ByteBuf frame) {
        final int type = etherType(frame);
        if (type != ETHERTYPE_IPV4 && type != ETHERTYPE_IPV6) {
            return -1;
        }
        final int at = frame.readerIndex();
        return at + (frame.getUnsignedShort(at + 12) == ETHERTYPE_VLAN ? ETH + 4 : ETH);
    }

    /**
     * The IPv4 payload's protocol (high 32 bits) and offset (low 32 bits), or -1: not IPv4, short, a later
     * fragment, or a length that does not fit the frame.
     */
    static long ipv4Transport(final ByteBuf frame, final int l3) {
        final int end = frame.writerIndex();
        if (end - l3 < IPV4_MIN_HEADER) {
            return -1;
        }
        final int versionAndLength = frame.getUnsignedByte(l3);
        final int headerLength = (versionAndLength & 0x0F) * 4;
        final int total = frame.getUnsignedShort(l3 + 2);
        if (versionAndLength >>> 4 != 4 || headerLength < IPV4_MIN_HEADER || total < headerLength
                || l3 + total > end || (frame.getUnsignedShort(l3 + 6) & 0x1FFF) != 0) {
            return -1;
        }
        return (long) frame.getUnsignedByte(l3 + 9) << 32 | l3 + headerLength;
    }

    /**
     * The end of an IPv4 packet (by its total length), for a header {@link #ipv4Transport} accepted.
     */
    static int ipv4End(final ByteBuf frame, final int l3) {
        return l3 + frame.getUnsignedShort(l3 + 2);
    }

    /**
     * The IPv6 upper-layer protocol (high 32 bits) and its offset (low 32 bits), past at most
     * {@link Bounds#IPV6_EXTENSION_HEADERS} extension headers, or -1.
     */
    static long ipv6Transport(final ByteBuf frame, final int l3) {
        final int end = frame.writerIndex();
        if (end - l3 < IPV6_HEADER || frame.getUnsignedByte(l3) >>> 4 != 6
                || l3 + IPV6_HEADER + frame.getUnsignedShort(l3 + 4) > end) {
            return -1;
        }
        int next = frame.getUnsignedByte(l3 + 6);
        int at = l3 + IPV6_HEADER;
        for (int skipped = 0; ; skipped++) {
            if (next != HOP_BY_HOP && next != ROUTING && next != DESTINATION_OPTIONS && next != FRAGMENT) {
                return (long) next << 32 | at;
            }
            if (skipped == Bounds.IPV6_EXTENSION_HEADERS || end - at < 8) {
                return -1;
            }
            if (next == FRAGMENT && (frame.getUnsignedShort(at + 2) & 0xFFF8) != 0) {
                // a later fragment: its first bytes are not a transport header
                return -1;
            }
            final int length = next == FRAGMENT ? 8 : (frame.getUnsignedByte(at + 1) + 1) * 8;
            next = frame.getUnsignedByte(at);
            at += length;
        }
    }

    /**
     * The end of an IPv6 packet (by its payload length), for a header {@link #ipv6Transport} accepted.
     */
    static int ipv6End(final ByteBuf frame, final int l3) {
        return l3 + IPV6_HEADER + frame.getUnsignedShort(l3 + 4);
    }
}
