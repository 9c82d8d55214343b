/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.ethernet;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.function.Consumer;

/**
 * Software segmentation: turns a frame with an {@link Offload} header into the ordinary frames a receiver without
 * offloads expects, as the kernel's GSO would: a TCP super-frame cut into segments of the given size with their
 * IP and TCP headers fixed up, and every transport checksum completed. Only for receivers that cannot take the
 * frame as it is (a client that did not ask for offloads, another node); it copies, the fast path does not.
 */
public final class Segmenter {
    public static final int ETHERNET_HEADER = 14;
    private static final int ETHERTYPE_VLAN = 0x8100;
    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int ETHERTYPE_IPV6 = 0x86DD;
    private static final int TCP = 6;
    private static final int TCP_FIN = 0x01;
    private static final int TCP_PSH = 0x08;
    private static final int TCP_CWR = 0x80;
    private static final int IPV6_HEADER = 40;

    private Segmenter() {
        // static only
    }

    /**
     * Hands {@code out} the plain frames that {@code frame} stands for; consumes the frame's reference, and each
     * frame handed out is the receiver's to release.
     *
     * @return false when the frame is not what its header says (nothing is handed out then)
     */
    public static boolean resolve(final ByteBufAllocator alloc, final ByteBuf frame, final Offload offload,
            final Consumer<ByteBuf> out) {
        try {
            if (offload.problemWith(frame.readableBytes()) != null) {
                return false;
            }
            if (offload.segments()) {
                return segment(alloc, frame, offload, out);
            }
            final var copy = alloc.buffer(frame.readableBytes()).writeBytes(frame, frame.readerIndex(),
                frame.readableBytes());
            if (offload.needsChecksum()) {
                completeChecksum(copy, offload.csumStart(), offload.csumOffset());
            }
            out.accept(copy);
            return true;
        } finally {
            frame.release();
        }
    }

    /**
     * Completes a partial transport checksum (CHECKSUM_PARTIAL): the field holds the pseudo-header's sum, and the
     * checksum covers everything from {@code start} to the end of the frame.
     */
    static void completeChecksum(final ByteBuf frame, final int start, final int offset) {
        final int base = frame.readerIndex();
        final int end = base + frame.readableBytes();
        int sum = fold(sum(frame, base + start, end, 0));
        sum = ~sum & 0xFFFF;
        // UDP says "no checksum" with 0; a computed 0 is sent as its other form, which TCP accepts too.
        frame.setShort(base + start + offset, sum == 0 ? 0xFFFF : sum);
    }

    private static boolean segment(final ByteBufAllocator alloc, final ByteBuf frame, final Offload offload,
            final Consumer<ByteBuf> out) {
        final int base = frame.readerIndex();
        final int length = frame.readableBytes();
        int l3 = ETHERNET_HEADER;
        int ethertype = frame.getUnsignedShort(base + 12);
        if (ethertype == ETHERTYPE_VLAN) {
            l3 += 4;
            ethertype = frame.getUnsignedShort(base + 16);
        }
        final boolean v4 = (offload.gsoType() & ~Offload.GSO_ECN) == Offload.GSO_TCPV4;
        final int l4 = offload.csumStart();
        if (v4 != (ethertype == ETHERTYPE_IPV4) || !v4 && ethertype != ETHERTYPE_IPV6
                || l4 + 20 > length || offload.csumOffset() != 16) {
            return false;
        }
        final int ipFirst = frame.getUnsignedByte(base + l3);
        if (v4 && (ipFirst >> 4 != 4 || l3 + (ipFirst & 0xF) * 4 != l4 || frame.getUnsignedByte(base + l3 + 9) != TCP)
                || !v4 && (ipFirst >> 4 != 6 || l4 < l3 + IPV6_HEADER)) {
            return false;
        }
        final int headers = l4 + (frame.getUnsignedByte(base + l4 + 12) >> 4) * 4;
        final int payload = length - headers;
        final int mss = offload.gsoSize();
        if (headers > length || headers - l4 < 20) {
            return false;
        }
        final long seq = frame.getUnsignedInt(base + l4 + 4);
        final int flags = frame.getUnsignedByte(base + l4 + 13);
        final int ipId = v4 ? frame.getUnsignedShort(base + l3 + 4) : 0;
        final int count = Math.max(1, (payload + mss - 1) / mss);
        for (int i = 0; i < count; i++) {
            final int from = i * mss;
            final int size = Math.min(mss, payload - from);
            final var seg = alloc.buffer(headers + size);
            seg.writeBytes(frame, base, headers).writeBytes(frame, base + headers + from, size);
            if (v4) {
                seg.setShort(l3 + 2, headers - l3 + size);
                seg.setShort(l3 + 4, (ipId + i) & 0xFFFF);
                seg.setShort(l3 + 10, 0);
                final int ihl = (seg.getUnsignedByte(l3) & 0xF) * 4;
                seg.setShort(l3 + 10, ~fold(sum(seg, l3, l3 + ihl, 0)) & 0xFFFF);
            } else {
                seg.setShort(l3 + 4, headers - l3 - IPV6_HEADER + size);
            }
            seg.setInt(l4 + 4, (int) (seq + from));
            int segFlags = flags;
            if (i < count - 1) {
                segFlags &= ~(TCP_FIN | TCP_PSH);
            }
            if (i > 0) {
                segFlags &= ~TCP_CWR;
            }
            seg.setByte(l4 + 13, segFlags);
            final int tcpLength = headers - l4 + size;
            long pseudo = v4 ? sum(seg, l3 + 12, l3 + 20, 0) : sum(seg, l3 + 8, l3 + 40, 0);
            pseudo += TCP + tcpLength;
            seg.setShort(l4 + 16, 0);
            seg.setShort(l4 + 16, ~fold(sum(seg, l4, seg.writerIndex(), pseudo)) & 0xFFFF);
            out.accept(seg);
        }
        return true;
    }

    // The ones' complement sum of 16-bit words (RFC 1071), not yet folded; an odd last byte is padded with zero.
    // Coalescer checks and makes checksums with the same two.
    static long sum(final ByteBuf buf, final int from, final int to, final long initial) {
        long sum = initial;
        int at = from;
        // Eight bytes a step: the two 32-bit halves are added, so that no carry is lost (2^32 of them would be).
        for (; at + 8 <= to; at += 8) {
            final long eight = buf.getLong(at);
            sum += (eight >>> 32) + (eight & 0xFFFFFFFFL);
        }
        for (; at + 4 <= to; at += 4) {
            sum += buf.getUnsignedInt(at);
        }
        for (; at + 2 <= to; at += 2) {
            sum += buf.getUnsignedShort(at);
        }
        if (at < to) {
            sum += buf.getUnsignedByte(at) << 8;
        }
        return sum;
    }

    static int fold(final long value) {
        long sum = value;
        while (sum >>> 16 != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) sum;
    }
}
