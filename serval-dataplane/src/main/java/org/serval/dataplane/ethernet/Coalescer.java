/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.ethernet;

import static org.serval.dataplane.ethernet.Segmenter.fold;
import static org.serval.dataplane.ethernet.Segmenter.sum;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.List;
import org.serval.dataplane.Bounds;

/**
 * Receive coalescing in user space (GRO), the reverse of {@link Segmenter}: the plain frames of one read burst for
 * one TAP with offloads, in order, with each run of consecutive TCP segments of one flow merged into one
 * super-frame with an {@link Offload} header (TSO, partial checksum). The receiving kernel then takes one write and
 * one pass through its TCP receive path per 64 KB instead of per segment, as it does for what a real NIC's GRO
 * hands it. Only runs the kernel's own GRO would merge are merged: Ethernet and IPv4 without options or fragments,
 * or IPv6 without extension headers; the same addresses, ports, IP and TCP header fields and TCP options;
 * contiguous sequence numbers and consecutive (or all zero) IPv4 ids; nothing but ACK before the last segment, which
 * may add PSH; segments of one size but the last, which may be shorter; valid checksums. Everything else passes
 * through as it came, in its place.
 */
public final class Coalescer {
    /**
     * Takes each frame handed out (and its reference), with its offload header or null.
     */
    public interface Sink {
        void accept(ByteBuf frame, Offload offload);
    }

    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int ETHERTYPE_IPV6 = 0x86DD;
    private static final int TCP = 6;
    private static final int TCP_PSH = 0x08;
    private static final int TCP_ACK = 0x10;
    private static final int IPV4_HEADER = 20;
    private static final int IPV6_HEADER = 40;
    private static final int TCP_HEADER = 20;
    private static final int MAX_IP_PACKET = 65_535;

    private Coalescer() {
        // static only
    }

    /**
     * Hands {@code out} the frames of {@code frames} in order, each run that qualifies merged into one super-frame;
     * consumes every frame's reference (the list itself is left as it is), and each frame handed out is the
     * receiver's to release.
     */
    public static void coalesce(final ByteBufAllocator alloc, final List<ByteBuf> frames, final Sink out) {
        final int count = frames.size();
        int at = 0;
        // the frame that ended the last run, parsed already
        Segment parsed = null;
        while (at < count) {
            final var head = parsed != null ? parsed : Segment.parse(frames.get(at));
            parsed = null;
            if (head == null) {
                out.accept(frames.get(at), null);
                at++;
                continue;
            }
            var last = head;
            int ipLength = head.ipLength();
            int end = at + 1;
            while (end < count && end - at < Bounds.COALESCE_SEGMENTS && last.flags == TCP_ACK
                    && last.payload == head.payload) {
                final var next = Segment.parse(frames.get(end));
                if (next == null) {
                    break;
                }
                if (ipLength + next.payload > MAX_IP_PACKET || !next.follows(head, last)
                        || end == at + 1 && !head.checksumsValid() || !next.checksumsValid()) {
                    parsed = next;
                    break;
                }
                ipLength += next.payload;
                last = next;
                end++;
            }
            if (end == at + 1) {
                out.accept(head.frame, null);
            } else {
                out.accept(merge(alloc, frames, at, end, head, last, ipLength), new Offload(Offload.NEEDS_CSUM,
                    head.v4 ? Offload.GSO_TCPV4 : Offload.GSO_TCPV6, head.headers, head.payload, head.l4, 16));
            }
            at = end;
        }
    }

    private static ByteBuf merge(final ByteBufAllocator alloc, final List<ByteBuf> frames, final int from,
            final int to, final Segment head, final Segment last, final int ipLength) {
        final int l3 = Segmenter.ETHERNET_HEADER;
        final int l4 = head.l4;
        final var header = alloc.buffer(head.headers, head.headers).writeBytes(head.frame, head.base, head.headers);
        if (head.v4) {
            header.setShort(l3 + 2, ipLength);
            header.setShort(l3 + 10, 0);
            header.setShort(l3 + 10, ~fold(sum(header, l3, l4, 0)) & 0xFFFF);
        } else {
            header.setShort(l3 + 4, ipLength - IPV6_HEADER);
        }
        // PSH of the last segment, as the kernel's GRO keeps it
        header.setByte(l4 + 13, last.flags);
        // CHECKSUM_PARTIAL: the field holds the pseudo-header's sum for the whole TCP length, folded but not
        // complemented, which the kernel completes or adjusts per segment when it cuts the frame
        header.setShort(l4 + 16, fold(pseudoHeader(header, head.v4, l4, ipLength - (l4 - l3))));
        final var merged = alloc.compositeBuffer(to - from + 1).addComponent(true, header);
        for (int i = from; i < to; i++) {
            final var frame = frames.get(i);
            final int base = frame.readerIndex();
            merged.addComponent(true, frame.retainedSlice(base + head.headers, frame.readableBytes() - head.headers));
            frame.release();
        }
        return merged;
    }

    private static long pseudoHeader(final ByteBuf frame, final boolean v4, final int l4, final int tcpLength) {
        final int l3 = frame.readerIndex() + Segmenter.ETHERNET_HEADER;
        final long addresses = v4 ? sum(frame, l3 + 12, l3 + 20, 0) : sum(frame, l3 + 8, l3 + 40, 0);
        return addresses + TCP + tcpLength;
    }

    /**
     * A frame that may take part in a run: a TCP segment with payload, ACK or ACK and PSH, in a plain IP packet
     * that fills the frame exactly. Offsets are from the frame's reader index.
     */
    private static final class Segment {
        final ByteBuf frame;
        final int base;
        final boolean v4;
        final int l4;
        final int headers;
        final int payload;
        final long seq;
        final int flags;
        final int ipId;
        // 0 not checked yet, 1 valid, -1 not
        private int checked;

        private Segment(final ByteBuf frame, final boolean v4, final int l4, final int headers) {
            this.frame = frame;
            base = frame.readerIndex();
            this.v4 = v4;
            this.l4 = l4;
            this.headers = headers;
            payload = frame.readableBytes() - headers;
            seq = frame.getUnsignedInt(base + l4 + 4);
            flags = frame.getUnsignedByte(base + l4 + 13);
            ipId = v4 ? frame.getUnsignedShort(base + Segmenter.ETHERNET_HEADER + 4) : 0;
        }

        static Segment parse(final ByteBuf frame) {
            final int base = frame.readerIndex();
            final int length = frame.readableBytes();
            final int l3 = Segmenter.ETHERNET_HEADER;
            if (length < l3 + IPV4_HEADER + TCP_HEADER) {
                return null;
            }
            final int ethertype = frame.getUnsignedShort(base + 12);
            final boolean v4;
            final int l4;
            if (ethertype == ETHERTYPE_IPV4) {
                // no options, TCP, the packet fills the frame (no padding), not a fragment (DF alone may be set)
                if (frame.getUnsignedByte(base + l3) != 0x45 || frame.getUnsignedByte(base + l3 + 9) != TCP
                        || frame.getUnsignedShort(base + l3 + 2) != length - l3
                        || (frame.getUnsignedShort(base + l3 + 6) & 0xBFFF) != 0) {
                    return null;
                }
                v4 = true;
                l4 = l3 + IPV4_HEADER;
            } else if (ethertype == ETHERTYPE_IPV6) {
                // TCP right after the fixed header (no extension headers), filling the frame
                if (length < l3 + IPV6_HEADER + TCP_HEADER || frame.getUnsignedByte(base + l3) >> 4 != 6
                        || frame.getUnsignedByte(base + l3 + 6) != TCP
                        || frame.getUnsignedShort(base + l3 + 4) != length - l3 - IPV6_HEADER) {
                    return null;
                }
                v4 = false;
                l4 = l3 + IPV6_HEADER;
            } else {
                // ARP, 802.1Q-tagged and everything else
                return null;
            }
            final int headers = l4 + (frame.getUnsignedByte(base + l4 + 12) >> 4) * 4;
            final int flags = frame.getUnsignedByte(base + l4 + 13);
            if (headers - l4 < TCP_HEADER || headers >= length || flags != TCP_ACK && flags != (TCP_ACK | TCP_PSH)) {
                return null;
            }
            return new Segment(frame, v4, l4, headers);
        }

        int ipLength() {
            return frame.readableBytes() - Segmenter.ETHERNET_HEADER;
        }

        /**
         * Whether this segment continues the run that {@code head} started and {@code last} ends now: the same
         * flow and header fields, the next sequence number and IPv4 id, no larger than the run's segment size.
         */
        boolean follows(final Segment head, final Segment last) {
            if (v4 != head.v4 || headers != head.headers || payload > head.payload
                    || seq != (last.seq + last.payload & 0xFFFFFFFFL)) {
                return false;
            }
            final int l3 = Segmenter.ETHERNET_HEADER;
            final var other = head.frame;
            final int otherBase = head.base;
            if (v4) {
                // ids count up, or are all zero (DF packets whose id means nothing)
                final boolean ids = head.ipId == 0 ? ipId == 0 : ipId == (last.ipId + 1 & 0xFFFF);
                // MACs, ethertype, version and TOS; then fragment field, TTL and protocol; then the addresses
                if (!ids || !same(other, otherBase, 0, l3 + 2) || !same(other, otherBase, l3 + 6, 4)
                        || !same(other, otherBase, l3 + 12, 8)) {
                    return false;
                }
            } else if (!same(other, otherBase, 0, l3 + 4) || !same(other, otherBase, l3 + 6, IPV6_HEADER - 6)) {
                // MACs, ethertype, version, traffic class, flow label; then next header, hop limit, addresses
                return false;
            }
            // ports; then ack, data offset, reserved bits (not the flags), window; then the options
            return same(other, otherBase, l4, 4) && same(other, otherBase, l4 + 8, 5)
                && same(other, otherBase, l4 + 14, 2) && same(other, otherBase, l4 + TCP_HEADER, headers - l4 - 20);
        }

        // A plain loop over a few header bytes: ByteBufUtil.equals took C2 seconds to compile on a fresh client (JFR,
        // the UDP bench), in the very seconds the first frames needed the core.
        private boolean same(final ByteBuf other, final int otherBase, final int offset, final int length) {
            int at = 0;
            for (; at + 4 <= length; at += 4) {
                if (frame.getInt(base + offset + at) != other.getInt(otherBase + offset + at)) {
                    return false;
                }
            }
            for (; at < length; at++) {
                if (frame.getByte(base + offset + at) != other.getByte(otherBase + offset + at)) {
                    return false;
                }
            }
            return true;
        }

        /**
         * Whether the IPv4 header's and the TCP checksum are right: a segment with a wrong one is passed on as
         * it is, for the kernel to drop, rather than hidden behind a partial checksum the kernel trusts.
         */
        boolean checksumsValid() {
            if (checked == 0) {
                final int l3 = base + Segmenter.ETHERNET_HEADER;
                final boolean ip = !v4 || fold(sum(frame, l3, base + l4, 0)) == 0xFFFF;
                final long pseudo = pseudoHeader(frame, v4, l4, frame.readableBytes() - l4);
                checked = ip && fold(sum(frame, base + l4, base + frame.readableBytes(), pseudo)) == 0xFFFF ? 1 : -1;
            }
            return checked == 1;
        }
    }
}
