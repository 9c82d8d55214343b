/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.ethernet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SegmenterTest {
    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

    // Independent of the code under test: a correct checksum makes the sum of the covered words 0xFFFF.
    private static int sum16(final ByteBuf buf, final int from, final int to, final long initial) {
        long sum = initial;
        for (int at = from; at < to; at += 2) {
            sum += at + 1 < to ? buf.getUnsignedShort(at) : buf.getUnsignedByte(at) << 8;
        }
        return SuperFrames.fold(sum);
    }

    private static List<ByteBuf> resolve(final ByteBuf frame, final Offload offload) {
        final List<ByteBuf> out = new ArrayList<>();
        assertTrue(Segmenter.resolve(ALLOC, frame, offload, out::add));
        assertEquals(0, frame.refCnt(), "the super-frame is consumed");
        return out;
    }

    private static byte[] payload(final int length) {
        final var bytes = new byte[length];
        new Random(length).nextBytes(bytes);
        return bytes;
    }

    private static void checkSegments(final boolean v4, final byte[] payload, final int mss) throws Exception {
        final int l4 = v4 ? 34 : 54;
        final var frame = SuperFrames.tcp(v4, payload, 0x18 | 0x01);
        final var segments = resolve(frame, new Offload(Offload.NEEDS_CSUM, v4 ? Offload.GSO_TCPV4
            : Offload.GSO_TCPV6, l4 + 20, mss, l4, 16));
        assertEquals((payload.length + mss - 1) / mss, segments.size());
        final var joined = new ByteArrayOutputStream();
        for (int i = 0; i < segments.size(); i++) {
            final var seg = segments.get(i);
            try {
                final int size = seg.readableBytes() - l4 - 20;
                assertEquals(Math.min(mss, payload.length - i * mss), size);
                if (v4) {
                    assertEquals(20 + 20 + size, seg.getUnsignedShort(16), "IPv4 total length");
                    assertEquals(0x1234 + i, seg.getUnsignedShort(18), "IPv4 id");
                    assertEquals(0xFFFF, sum16(seg, 14, 34, 0), "IPv4 header checksum");
                } else {
                    assertEquals(20 + size, seg.getUnsignedShort(18), "IPv6 payload length");
                }
                assertEquals(0xFFFFF000L + (long) i * mss & 0xFFFFFFFFL, seg.getUnsignedInt(l4 + 4), "sequence");
                final boolean last = i == segments.size() - 1;
                assertEquals(last ? 0x19 : 0x10, seg.getUnsignedByte(l4 + 13), "FIN and PSH on the last only");
                final int pseudo = v4 ? sum16(seg, 26, 34, 6 + 20 + size) : sum16(seg, 22, 54, 6 + 20 + size);
                assertEquals(0xFFFF, sum16(seg, l4, seg.writerIndex(), pseudo), "TCP checksum of segment " + i);
                final var bytes = new byte[size];
                seg.getBytes(l4 + 20, bytes);
                joined.write(bytes);
            } finally {
                seg.release();
            }
        }
        assertArrayEquals(payload, joined.toByteArray(), "the segments carry the payload in order");
    }

    @Test
    void cutsAnIpv4SuperFrameIntoSegmentsWithTheirHeadersAndChecksums() throws Exception {
        checkSegments(true, payload(64_000), 1448);
        checkSegments(true, payload(1449), 1448);
        // the sequence number wraps within the super-frame
        checkSegments(true, payload(9000), 1000);
    }

    @Test
    void cutsAnIpv6SuperFrame() throws Exception {
        checkSegments(false, payload(30_001), 1428);
    }

    @Test
    void completesAPartialChecksumOfASingleFrame() {
        final var frame = SuperFrames.tcp(true, payload(333), 0x18);
        final var out = resolve(frame, new Offload(Offload.NEEDS_CSUM, Offload.GSO_NONE, 0, 0, 34, 16));
        assertEquals(1, out.size());
        final var seg = out.get(0);
        try {
            assertEquals(0xFFFF, sum16(seg, 34, seg.writerIndex(), sum16(seg, 26, 34, 6 + 20 + 333)));
        } finally {
            seg.release();
        }
    }

    @Test
    void refusesAHeaderThatDoesNotFitItsFrame() {
        final var frame = SuperFrames.tcp(true, payload(100), 0x18);
        final List<ByteBuf> out = new ArrayList<>();
        assertFalse(Segmenter.resolve(ALLOC, frame, new Offload(Offload.NEEDS_CSUM, Offload.GSO_TCPV4, 54, 1448,
            200, 16), out::add));
        assertFalse(Segmenter.resolve(ALLOC, SuperFrames.tcp(true, payload(100), 0x18), new Offload(Offload.NEEDS_CSUM,
            Offload.GSO_TCPV6, 54, 1448, 34, 16), out::add), "an IPv4 frame said to be IPv6");
        assertFalse(Segmenter.resolve(ALLOC, SuperFrames.tcp(true, payload(100), 0x18), new Offload(0,
            Offload.GSO_TCPV4, 54, 1448, 34, 16), out::add), "segmentation without a checksum to complete");
        assertTrue(out.isEmpty());
        assertEquals(0, frame.refCnt());
    }
}
