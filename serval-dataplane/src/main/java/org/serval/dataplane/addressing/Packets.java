/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.addressing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.List;
import org.serval.dataplane.ethernet.Macs;

/**
 * Reads and writes the few packets the addressing services speak: DHCPv4 over UDP over IPv4 (RFC 2131, 2132),
 * ARP for the server's own address, and ICMPv6 router solicitations and advertisements (RFC 4861). Every read
 * checks each length against the frame before it looks, and answers null for anything it does not fully
 * understand: a malformed packet is never half-read.
 */
final class Packets {
    static final int ETH = 14;
    static final int ETHERTYPE_IPV4 = 0x0800;
    static final int ETHERTYPE_ARP = 0x0806;
    static final int ETHERTYPE_IPV6 = 0x86DD;
    static final int UDP = 17;
    static final int ICMPV6 = 58;
    static final int SERVER_PORT = 67;
    static final int CLIENT_PORT = 68;
    static final int ROUTER_SOLICITATION = 133;
    static final int ROUTER_ADVERTISEMENT = 134;

    static final int DISCOVER = 1;
    static final int OFFER = 2;
    static final int REQUEST = 3;
    static final int DECLINE = 4;
    static final int ACK = 5;
    static final int NAK = 6;
    static final int RELEASE = 7;
    static final int INFORM = 8;

    private static final int BOOTREQUEST = 1;
    private static final int BOOTREPLY = 2;
    private static final int HTYPE_ETHERNET = 1;
    private static final int MAGIC = 0x63825363;
    // op .. file: the fixed part of a BOOTP message, then the magic cookie.
    private static final int DHCP_FIXED = 236;
    private static final int DHCP_OPTIONS = DHCP_FIXED + 4;
    // RFC 2131 2: clients must accept 576-byte IP datagrams; BOOTP relays expect at least 300 bytes of message.
    private static final int DHCP_MIN_MESSAGE = 300;
    private static final int OPT_PAD = 0;
    private static final int OPT_SUBNET_MASK = 1;
    private static final int OPT_ROUTER = 3;
    private static final int OPT_DNS = 6;
    private static final int OPT_HOSTNAME = 12;
    private static final int OPT_DOMAIN = 15;
    private static final int OPT_BROADCAST = 28;
    private static final int OPT_REQUESTED = 50;
    private static final int OPT_LEASE = 51;
    private static final int OPT_TYPE = 53;
    private static final int OPT_SERVER = 54;
    private static final int OPT_RENEWAL = 58;
    private static final int OPT_REBINDING = 59;
    private static final int OPT_END = 255;
    private static final int BROADCAST_FLAG = 0x8000;
    private static final int IPV4_HEADER = 20;
    private static final int UDP_HEADER = 8;
    private static final int IPV6_HEADER = 40;
    private static final int TTL = 64;
    private static final long ALL_NODES_MAC = 0x3333_0000_0001L;

    private Packets() {
        // static only
    }

    /**
     * What a DHCP client asked.
     *
     * @param ciaddr the client's address field
     * @param requested option 50, or 0
     * @param server option 54, or 0
     * @param broadcast whether the client asked for broadcast replies
     * @param hostname option 12, or null
     */
    record DhcpRequest(int type, int xid, long chaddr, int ciaddr, int requested, int server, boolean broadcast,
            String hostname) {
    }

    /**
     * What kind of frame this is to the addressing services, without reading more than it needs.
     */
    enum Kind { OTHER, DHCP_TO_SERVER, DHCP_FROM_SERVER, MALFORMED_DHCP, ARP, ROUTER_SOLICITATION,
        ROUTER_ADVERTISEMENT }

    static Kind classify(final ByteBuf frame) {
        final int at = frame.readerIndex();
        final int length = frame.readableBytes();
        if (length < ETH) {
            return Kind.OTHER;
        }
        final int type = frame.getUnsignedShort(at + 12);
        if (type == ETHERTYPE_ARP) {
            return Kind.ARP;
        }
        if (type == ETHERTYPE_IPV6) {
            if (length < ETH + IPV6_HEADER + 4 || frame.getUnsignedByte(at + ETH + 6) != ICMPV6) {
                return Kind.OTHER;
            }
            final int icmp = frame.getUnsignedByte(at + ETH + IPV6_HEADER);
            return icmp == ROUTER_SOLICITATION ? Kind.ROUTER_SOLICITATION
                : icmp == ROUTER_ADVERTISEMENT ? Kind.ROUTER_ADVERTISEMENT : Kind.OTHER;
        }
        if (type != ETHERTYPE_IPV4 || length < ETH + IPV4_HEADER) {
            return Kind.OTHER;
        }
        final int ip = at + ETH;
        final int ihl = (frame.getUnsignedByte(ip) & 0x0F) * 4;
        if (frame.getUnsignedByte(ip) >> 4 != 4 || frame.getUnsignedByte(ip + 9) != UDP || ihl < IPV4_HEADER
                || length < ETH + ihl + UDP_HEADER) {
            return Kind.OTHER;
        }
        final int src = frame.getUnsignedShort(ip + ihl);
        final int dst = frame.getUnsignedShort(ip + ihl + 2);
        if (dst == SERVER_PORT) {
            return Kind.DHCP_TO_SERVER;
        }
        // A server speaks from 67 to a client's 68 (a relay's answer to 67 was taken above).
        return src == SERVER_PORT && dst == CLIENT_PORT ? Kind.DHCP_FROM_SERVER : Kind.OTHER;
    }

    /**
     * Parses a DHCP message from a client, or returns null when it is not a well-formed one for Ethernet.
     */
    static DhcpRequest parseDhcp(final ByteBuf frame) {
        final int at = frame.readerIndex();
        final int end = at + frame.readableBytes();
        final int ip = at + ETH;
        final int ihl = (frame.getUnsignedByte(ip) & 0x0F) * 4;
        final int total = frame.getUnsignedShort(ip + 2);
        final int fragment = frame.getUnsignedShort(ip + 6);
        if (total < ihl + UDP_HEADER || ip + total > end || (fragment & 0x3FFF) != 0) {
            return null;
        }
        final int udp = ip + ihl;
        final int udpLength = frame.getUnsignedShort(udp + 4);
        if (udpLength < UDP_HEADER + DHCP_OPTIONS || udp + udpLength > ip + total) {
            return null;
        }
        final int msg = udp + UDP_HEADER;
        final int msgEnd = udp + udpLength;
        if (frame.getUnsignedByte(msg) != BOOTREQUEST || frame.getUnsignedByte(msg + 1) != HTYPE_ETHERNET
                || frame.getUnsignedByte(msg + 2) != 6 || frame.getInt(msg + DHCP_FIXED) != MAGIC) {
            return null;
        }
        final int xid = frame.getInt(msg + 4);
        final boolean broadcast = (frame.getUnsignedShort(msg + 10) & BROADCAST_FLAG) != 0;
        final int ciaddr = frame.getInt(msg + 12);
        final long chaddr = Macs.read(frame, msg + 28);
        int type = 0;
        int requested = 0;
        int server = 0;
        String hostname = null;
        int opt = msg + DHCP_OPTIONS;
        while (opt < msgEnd) {
            final int code = frame.getUnsignedByte(opt);
            if (code == OPT_END) {
                break;
            }
            if (code == OPT_PAD) {
                opt++;
                continue;
            }
            if (opt + 2 > msgEnd) {
                return null;
            }
            final int len = frame.getUnsignedByte(opt + 1);
            final int value = opt + 2;
            if (value + len > msgEnd) {
                return null;
            }
            switch (code) {
                case OPT_TYPE -> type = len == 1 ? frame.getUnsignedByte(value) : -1;
                case OPT_REQUESTED -> requested = len == 4 ? frame.getInt(value) : 0;
                case OPT_SERVER -> server = len == 4 ? frame.getInt(value) : 0;
                case OPT_HOSTNAME -> hostname = printable(frame, value, len);
                default -> {
                    // not needed to answer
                }
            }
            opt = value + len;
        }
        if (type < DISCOVER || type > INFORM || !Macs.isUnicast(chaddr)) {
            return null;
        }
        return new DhcpRequest(type, xid, chaddr, ciaddr, requested, server, broadcast, hostname);
    }

    private static String printable(final ByteBuf frame, final int from, final int len) {
        final var text = new StringBuilder(len);
        for (int i = 0; i < len; i++) {
            final int c = frame.getUnsignedByte(from + i);
            if (c < 0x21 || c > 0x7E) {
                return null;
            }
            text.append((char) c);
        }
        return text.isEmpty() ? null : text.toString();
    }

    /**
     * What a DHCP reply says besides its type.
     */
    record Offer(int yiaddr, int leaseSeconds, int netmask, int broadcast, int gateway, List<Integer> dns,
            String domain) {
    }

    /**
     * Builds a DHCP reply to a client: OFFER, ACK (with {@code offer}) or NAK (offer null). It goes to the client's
     * MAC, and to the address offered unless the client asked for broadcast (RFC 2131 4.1).
     */
    static ByteBuf dhcpReply(final ByteBufAllocator alloc, final DhcpRequest request, final int type,
            final long serverMac, final int serverIp, final Offer offer) {
        final var options = alloc.heapBuffer(128);
        try {
            options.writeByte(OPT_TYPE).writeByte(1).writeByte(type);
            options.writeByte(OPT_SERVER).writeByte(4).writeInt(serverIp);
            if (offer != null) {
                options.writeByte(OPT_LEASE).writeByte(4).writeInt(offer.leaseSeconds());
                options.writeByte(OPT_RENEWAL).writeByte(4).writeInt(offer.leaseSeconds() / 2);
                options.writeByte(OPT_REBINDING).writeByte(4).writeInt((int) (offer.leaseSeconds() * 7L / 8));
                options.writeByte(OPT_SUBNET_MASK).writeByte(4).writeInt(offer.netmask());
                options.writeByte(OPT_BROADCAST).writeByte(4).writeInt(offer.broadcast());
                if (offer.gateway() != 0) {
                    options.writeByte(OPT_ROUTER).writeByte(4).writeInt(offer.gateway());
                }
                if (!offer.dns().isEmpty()) {
                    options.writeByte(OPT_DNS).writeByte(4 * offer.dns().size());
                    offer.dns().forEach(options::writeInt);
                }
                if (offer.domain() != null && !offer.domain().isEmpty() && offer.domain().length() <= 255) {
                    options.writeByte(OPT_DOMAIN).writeByte(offer.domain().length());
                    options.writeCharSequence(offer.domain(), java.nio.charset.StandardCharsets.US_ASCII);
                }
            }
            options.writeByte(OPT_END);
            final int messageLength = Math.max(DHCP_MIN_MESSAGE, DHCP_OPTIONS + options.readableBytes());
            final boolean toBroadcast = offer == null || request.broadcast() || offer.yiaddr() == 0;
            final int dstIp = toBroadcast ? -1 : request.ciaddr() != 0 ? request.ciaddr() : offer.yiaddr();
            final int udpLength = UDP_HEADER + messageLength;
            final int ipLength = IPV4_HEADER + udpLength;
            final var out = alloc.buffer(ETH + ipLength);
            writeMac(out, toBroadcast ? 0xFFFF_FFFF_FFFFL : request.chaddr());
            writeMac(out, serverMac);
            out.writeShort(ETHERTYPE_IPV4);
            final int ip = out.writerIndex();
            out.writeByte(0x45).writeByte(0).writeShort(ipLength).writeShort(0).writeShort(0x4000)
                .writeByte(TTL).writeByte(UDP).writeShort(0).writeInt(serverIp).writeInt(dstIp);
            out.setShort(ip + 10, checksum(out, ip, IPV4_HEADER, 0));
            final int udp = out.writerIndex();
            out.writeShort(SERVER_PORT).writeShort(CLIENT_PORT).writeShort(udpLength).writeShort(0);
            final int msg = out.writerIndex();
            out.writeByte(BOOTREPLY).writeByte(HTYPE_ETHERNET).writeByte(6).writeByte(0).writeInt(request.xid())
                .writeShort(0).writeShort(request.broadcast() ? BROADCAST_FLAG : 0)
                .writeInt(request.ciaddr()).writeInt(offer == null ? 0 : offer.yiaddr()).writeInt(serverIp)
                .writeInt(0);
            writeMac(out, request.chaddr());
            out.writeZero(DHCP_FIXED - (out.writerIndex() - msg));
            out.writeInt(MAGIC);
            out.writeBytes(options);
            out.writeZero(messageLength - (out.writerIndex() - msg));
            // The pseudo-header: source, destination, protocol, UDP length.
            final long pseudo = (serverIp >>> 16) + (serverIp & 0xFFFF) + (dstIp >>> 16) + (dstIp & 0xFFFF) + UDP
                + udpLength;
            final int sum = checksum(out, udp, udpLength, pseudo);
            out.setShort(udp + 6, sum == 0 ? 0xFFFF : sum);
            return out;
        } finally {
            options.release();
        }
    }

    /**
     * An ARP request's target address when it asks for an IPv4 address (with its asker's MAC and address), or
     * null.
     */
    record ArpQuestion(long askerMac, int askerIp, int target) {
    }

    static ArpQuestion arpQuestion(final ByteBuf frame) {
        final int at = frame.readerIndex() + ETH;
        if (frame.readableBytes() < ETH + 28 || frame.getUnsignedShort(at) != 1
                || frame.getUnsignedShort(at + 2) != ETHERTYPE_IPV4 || frame.getUnsignedByte(at + 4) != 6
                || frame.getUnsignedByte(at + 5) != 4 || frame.getUnsignedShort(at + 6) != 1) {
            return null;
        }
        return new ArpQuestion(Macs.read(frame, at + 8), frame.getInt(at + 14), frame.getInt(at + 24));
    }

    static ByteBuf arpReply(final ByteBufAllocator alloc, final ArpQuestion question, final long mac, final int ip) {
        final var out = alloc.buffer(ETH + 28);
        writeMac(out, question.askerMac());
        writeMac(out, mac);
        out.writeShort(ETHERTYPE_ARP).writeShort(1).writeShort(ETHERTYPE_IPV4).writeByte(6).writeByte(4)
            .writeShort(2);
        writeMac(out, mac);
        out.writeInt(ip);
        writeMac(out, question.askerMac());
        out.writeInt(question.askerIp());
        return out;
    }

    /**
     * Who sent an ARP request or reply: its sender MAC and address (0 for a probe), or null for anything else.
     */
    record ArpSender(long mac, int ip) {
    }

    static ArpSender arpSender(final ByteBuf frame) {
        final int at = frame.readerIndex() + ETH;
        if (frame.readableBytes() < ETH + 28 || frame.getUnsignedShort(at) != 1
                || frame.getUnsignedShort(at + 2) != ETHERTYPE_IPV4 || frame.getUnsignedByte(at + 4) != 6
                || frame.getUnsignedByte(at + 5) != 4) {
            return null;
        }
        final int op = frame.getUnsignedShort(at + 6);
        return op == 1 || op == 2 ? new ArpSender(Macs.read(frame, at + 8), frame.getInt(at + 14)) : null;
    }

    /**
     * An ARP probe for an address (RFC 5227 2.1.1: sender address 0, so that no one's cache learns from it), to
     * every member. A host that has the address answers it, to the switch's MAC.
     */
    static ByteBuf arpProbe(final ByteBufAllocator alloc, final long serverMac, final int address) {
        final var out = alloc.buffer(ETH + 28);
        writeMac(out, 0xFFFF_FFFF_FFFFL);
        writeMac(out, serverMac);
        out.writeShort(ETHERTYPE_ARP).writeShort(1).writeShort(ETHERTYPE_IPV4).writeByte(6).writeByte(4)
            .writeShort(1);
        writeMac(out, serverMac);
        out.writeInt(0);
        writeMac(out, 0);
        out.writeInt(address);
        return out;
    }

    /**
     * A router advertisement for one prefix (RFC 4861 4.2) from the switch's link-local address, to all nodes.
     * Its router lifetime is 0: the switch is no router, so hosts form addresses from the prefix (the A flag) and
     * reach it on-link (the L flag), but keep their default route.
     */
    static ByteBuf routerAdvertisement(final ByteBufAllocator alloc, final long serverMac, final long prefix,
            final int prefixLength, final int validSeconds, final int preferredSeconds) {
        final int icmpLength = 16 + 8 + 32;
        final var out = alloc.buffer(ETH + IPV6_HEADER + icmpLength);
        writeMac(out, ALL_NODES_MAC);
        writeMac(out, serverMac);
        out.writeShort(ETHERTYPE_IPV6);
        final int ip = out.writerIndex();
        out.writeInt(0x6000_0000).writeShort(icmpLength).writeByte(ICMPV6).writeByte(255);
        out.writeLong(0xFE80_0000_0000_0000L).writeLong(interfaceId(serverMac));
        out.writeLong(0xFF02_0000_0000_0000L).writeLong(1);
        final int icmp = out.writerIndex();
        out.writeByte(ROUTER_ADVERTISEMENT).writeByte(0).writeShort(0)
            .writeByte(64).writeByte(0).writeShort(0).writeInt(0).writeInt(0);
        out.writeByte(1).writeByte(1);
        writeMac(out, serverMac);
        out.writeByte(3).writeByte(4).writeByte(prefixLength).writeByte(0xC0).writeInt(validSeconds)
            .writeInt(preferredSeconds).writeInt(0).writeLong(prefix).writeLong(0);
        long pseudo = 0;
        for (int i = 0; i < 32; i += 2) {
            pseudo += out.getUnsignedShort(ip + 8 + i);
        }
        pseudo += icmpLength + ICMPV6;
        out.setShort(icmp + 2, checksum(out, icmp, icmpLength, pseudo));
        return out;
    }

    /**
     * The modified EUI-64 interface identifier of a MAC (RFC 4291 appendix A).
     */
    static long interfaceId(final long mac) {
        final long upper = mac >>> 24 & 0xFFFFFF;
        final long lower = mac & 0xFFFFFF;
        return (upper ^ 0x020000) << 40 | 0xFFFEL << 24 | lower;
    }

    // The Internet checksum of a range, added to a pseudo-header's partial sum.
    private static int checksum(final ByteBuf buf, final int from, final int length, final long start) {
        long sum = start;
        int offset = 0;
        for (; offset + 1 < length; offset += 2) {
            sum += buf.getUnsignedShort(from + offset);
        }
        if (offset < length) {
            sum += buf.getUnsignedByte(from + offset) << 8;
        }
        while (sum >> 16 != 0) {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }
        return (int) ~sum & 0xFFFF;
    }

    private static void writeMac(final ByteBuf out, final long mac) {
        out.writeShort((int) (mac >>> 32)).writeInt((int) mac);
    }
}
