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
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.serval.dataplane.Bounds;
import org.serval.dataplane.protocol.LeakCheck;

@ExtendWith(LeakCheck.class)
class CoalescerTest {
    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;
    private static final int L4_V4 = 34;
    private static final int L4_V6 = 54;

    private record Out(ByteBuf frame, Offload offload) {
    }

    // every frame given to the coalescer and every frame it handed out, released and checked after each test
    private final List<ByteBuf> inputs = new ArrayList<>();
    private final List<Out> outputs = new ArrayList<>();

    @AfterEach
    void everyInputIsReleasedWithTheOutputs() {
        for (var out : outputs) {
            out.frame.release();
        }
        for (var in : inputs) {
            assertEquals(0, in.refCnt(), "an input frame outlived the frames handed out");
        }
    }

    // Independent of the code under test: a correct checksum makes the sum of the covered words 0xFFFF.
    private static int sum16(final ByteBuf buf, final int from, final int to, final long initial) {
        long sum = initial;
        for (int at = from; at < to; at += 2) {
            sum += at + 1 < to ? buf.getUnsignedShort(at) : buf.getUnsignedByte(at) << 8;
        }
        return SuperFrames.fold(sum);
    }

    private static int pseudo(final ByteBuf frame, final boolean v4, final int tcpLength) {
        return v4 ? sum16(frame, 26, 34, 6 + tcpLength) : sum16(frame, 22, 54, 6 + tcpLength);
    }

    private static void fixChecksums(final ByteBuf seg, final boolean v4) {
        final int l4 = v4 ? L4_V4 : L4_V6;
        if (v4) {
            seg.setShort(24, 0);
            seg.setShort(24, ~sum16(seg, 14, 34, 0));
        }
        seg.setShort(l4 + 16, 0);
        seg.setShort(l4 + 16, ~sum16(seg, l4, seg.writerIndex(), pseudo(seg, v4, seg.writerIndex() - l4)));
    }

    private static byte[] payload(final int length) {
        final var bytes = new byte[length];
        new Random(length).nextBytes(bytes);
        return bytes;
    }

    /**
     * The segments a sender without offloads would send: a super-frame cut by the (separately tested) Segmenter.
     */
    private static List<ByteBuf> segments(final ByteBuf superFrame, final boolean v4, final int mss) {
        final List<ByteBuf> out = new ArrayList<>();
        final int l4 = v4 ? L4_V4 : L4_V6;
        assertTrue(Segmenter.resolve(ALLOC, superFrame, new Offload(Offload.NEEDS_CSUM, v4 ? Offload.GSO_TCPV4
            : Offload.GSO_TCPV6, l4 + 20, mss, l4, 16), out::add));
        return out;
    }

    private static List<ByteBuf> segments(final boolean v4, final byte[] payload, final int mss) {
        return segments(SuperFrames.tcp(v4, payload, 0x18), v4, mss);
    }

    private List<Out> coalesce(final List<ByteBuf> frames) {
        inputs.addAll(frames);
        final List<Out> out = new ArrayList<>();
        Coalescer.coalesce(ALLOC, frames, (frame, offload) -> out.add(new Out(frame, offload)));
        outputs.addAll(out);
        return out;
    }

    private static byte[] bytes(final ByteBuf frame) {
        return ByteBufUtil.getBytes(frame);
    }

    /**
     * Checks a merged frame's headers against what the kernel expects of a TSO frame, and cuts it again with the
     * Segmenter: that must give back exactly the segments it was merged from.
     */
    private static void checkMerged(final Out out, final boolean v4, final List<byte[]> from) {
        final int l4 = v4 ? L4_V4 : L4_V6;
        final var frame = out.frame;
        final var offload = out.offload;
        assertNotNull(offload, "merged");
        final int length = frame.readableBytes();
        assertNull(offload.problemWith(length));
        assertEquals(Offload.NEEDS_CSUM, offload.flags());
        assertEquals(v4 ? Offload.GSO_TCPV4 : Offload.GSO_TCPV6, offload.gsoType());
        assertEquals(l4, offload.csumStart());
        assertEquals(16, offload.csumOffset());
        assertEquals(l4 + 20, offload.hdrLen());
        assertEquals(from.get(0).length - l4 - 20, offload.gsoSize(), "the first segment's payload size");
        if (v4) {
            assertEquals(length - 14, frame.getUnsignedShort(16), "IPv4 total length");
            assertEquals(0xFFFF, sum16(frame, 14, 34, 0), "IPv4 header checksum");
        } else {
            assertEquals(length - 54, frame.getUnsignedShort(18), "IPv6 payload length");
        }
        assertEquals(pseudo(frame, v4, length - l4), frame.getUnsignedShort(l4 + 16),
            "the pseudo-header's sum for the whole TCP length");
        final List<ByteBuf> cut = segments(frame.retain(), v4, offload.gsoSize());
        try {
            assertEquals(from.size(), cut.size());
            for (int i = 0; i < cut.size(); i++) {
                assertArrayEquals(from.get(i), bytes(cut.get(i)), "segment " + i + " cut again");
            }
        } finally {
            cut.forEach(ByteBuf::release);
        }
    }

    private static List<byte[]> copies(final List<ByteBuf> frames, final int from, final int to) {
        final List<byte[]> copies = new ArrayList<>();
        for (int i = from; i < to; i++) {
            copies.add(bytes(frames.get(i)));
        }
        return copies;
    }

    private void roundTrip(final boolean v4, final byte[] payload, final int mss) {
        final var original = SuperFrames.tcp(v4, payload, 0x18);
        final var expected = bytes(original);
        final var segs = segments(original, v4, mss);
        final var copies = copies(segs, 0, segs.size());
        final var out = coalesce(segs);
        assertEquals(1, out.size());
        checkMerged(out.get(0), v4, copies);
        final var merged = bytes(out.get(0).frame);
        if (v4) {
            // the super-frame as the sender's TAP made it, but for the IPv4 header checksum it leaves at 0
            merged[24] = 0;
            merged[25] = 0;
        }
        assertArrayEquals(expected, merged, "the sender's super-frame again");
    }

    @Test
    void mergesTheSegmentsOfAnIpv4SuperFrameBackIntoIt() {
        roundTrip(true, payload(20_000), 1448);
        // the last segment shorter, one byte of it
        roundTrip(true, payload(1449), 1448);
    }

    @Test
    void mergesIpv6() {
        roundTrip(false, payload(30_001), 1428);
    }

    @Test
    void aRunLongerThan64KbIsSplitAndSequenceNumbersWrap() {
        // 70 segments from a sequence number 4 KB below the wrap
        final var segs = segments(true, payload(100_000), 1448);
        final var copies = copies(segs, 0, segs.size());
        final var out = coalesce(segs);
        assertEquals(2, out.size());
        // 45 segments of 1448 bytes make the largest IPv4 packet of 64 KB
        checkMerged(out.get(0), true, copies.subList(0, 45));
        checkMerged(out.get(1), true, copies.subList(45, 70));
    }

    @Test
    void atMostTheBoundOfSegmentsGoIntoOneFrame() {
        final var segs = segments(true, payload(20_000), 100);
        final var copies = copies(segs, 0, segs.size());
        final var out = coalesce(segs);
        final int bound = Bounds.COALESCE_SEGMENTS;
        assertEquals((200 + bound - 1) / bound, out.size());
        for (int i = 0; i < out.size(); i++) {
            checkMerged(out.get(i), true, copies.subList(i * bound, Math.min(200, (i + 1) * bound)));
        }
    }

    @Test
    void aGapInTheSequenceNumbersEndsARun() {
        // IPv6: no ids that would show the gap too
        final var segs = segments(false, payload(10 * 1000), 1000);
        final var copies = copies(segs, 0, segs.size());
        segs.remove(4).release();
        final var out = coalesce(segs);
        assertEquals(2, out.size());
        checkMerged(out.get(0), false, copies.subList(0, 4));
        checkMerged(out.get(1), false, copies.subList(5, 10));
    }

    @Test
    void aRetransmittedSegmentEndsARun() {
        // a segment sent again, its IPv4 id the next one: only the sequence number tells
        final var segs = segments(true, payload(6 * 1000), 1000);
        final var again = Unpooled.copiedBuffer(segs.get(2));
        again.setShort(18, 0x1237);
        fixChecksums(again, true);
        segs.add(3, again);
        for (int i = 4; i < segs.size(); i++) {
            segs.get(i).setShort(18, 0x1234 + i);
            fixChecksums(segs.get(i), true);
        }
        final var copies = copies(segs, 0, segs.size());
        final var out = coalesce(segs);
        assertEquals(2, out.size());
        checkMerged(out.get(0), true, copies.subList(0, 3));
        // from the segment sent again on, the sequence numbers are contiguous again
        checkMerged(out.get(1), true, copies.subList(3, 7));
    }

    @Test
    void interleavedFlowsPassThroughAndRunsOfEachAreMerged() {
        final var other = SuperFrames.tcp(true, payload(5000), 0x18);
        // another source port: another flow (the partial checksum does not cover the ports)
        other.setShort(L4_V4, 40001);
        final var a = segments(true, payload(5000), 1000);
        final var b = segments(other, true, 1000);
        final List<ByteBuf> mixed = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            mixed.add(a.get(i));
            mixed.add(b.get(i));
        }
        final var out = coalesce(mixed);
        assertEquals(10, out.size());
        for (int i = 0; i < 10; i++) {
            assertSame(mixed.get(i), out.get(i).frame, "unchanged, in order");
            assertNull(out.get(i).offload);
        }

        final var c = segments(true, payload(5000), 1000);
        final var d = segments(false, payload(5000), 1000);
        final var copiesC = copies(c, 0, 5);
        final var copiesD = copies(d, 0, 5);
        final List<ByteBuf> runs = new ArrayList<>(c);
        runs.addAll(d);
        final var merged = coalesce(runs);
        assertEquals(2, merged.size());
        checkMerged(merged.get(0), true, copiesC);
        checkMerged(merged.get(1), false, copiesD);
    }

    @Test
    void aFinInTheMiddlePassesThroughBetweenTwoRuns() {
        final var segs = segments(true, payload(8000), 1000);
        segs.get(3).setByte(L4_V4 + 13, 0x11);
        fixChecksums(segs.get(3), true);
        final var copies = copies(segs, 0, segs.size());
        final var fin = segs.get(3);
        final var out = coalesce(segs);
        assertEquals(3, out.size());
        checkMerged(out.get(0), true, copies.subList(0, 3));
        assertSame(fin, out.get(1).frame);
        assertNull(out.get(1).offload);
        checkMerged(out.get(2), true, copies.subList(4, 8));
    }

    @Test
    void aPushEndsARunItBelongsTo() {
        final var segs = segments(false, payload(8000), 1000);
        segs.get(2).setByte(L4_V6 + 13, 0x18);
        fixChecksums(segs.get(2), false);
        final var copies = copies(segs, 0, segs.size());
        final var out = coalesce(segs);
        assertEquals(2, out.size());
        checkMerged(out.get(0), false, copies.subList(0, 3));
        assertEquals(0x18, out.get(0).frame.getUnsignedByte(L4_V6 + 13), "PSH kept");
        checkMerged(out.get(1), false, copies.subList(3, 8));
    }

    @Test
    void aSegmentWithABadChecksumIsPassedOnAsItIs() {
        final var segs = segments(true, payload(8000), 1000);
        // a payload byte changed under the TCP checksum, and an IPv4 header checksum wrong
        segs.get(3).setByte(100, segs.get(3).getByte(100) ^ 1);
        segs.get(0).setShort(24, segs.get(0).getUnsignedShort(24) ^ 0x100);
        final var copies = copies(segs, 0, segs.size());
        final var first = segs.get(0);
        final var bad = segs.get(3);
        final var out = coalesce(segs);
        assertEquals(4, out.size());
        assertSame(first, out.get(0).frame);
        assertNull(out.get(0).offload);
        checkMerged(out.get(1), true, copies.subList(1, 3));
        assertSame(bad, out.get(2).frame);
        assertNull(out.get(2).offload);
        checkMerged(out.get(3), true, copies.subList(4, 8));
    }

    @Test
    void idsThatDoNotCountUpEndARun() {
        final var segs = segments(true, payload(6000), 1000);
        segs.get(3).setShort(18, 7);
        fixChecksums(segs.get(3), true);
        final var copies = copies(segs, 0, segs.size());
        final var odd = segs.get(3);
        final var out = coalesce(segs);
        assertEquals(3, out.size());
        checkMerged(out.get(0), true, copies.subList(0, 3));
        assertEquals(0x1234, out.get(0).frame.getUnsignedShort(18), "the first segment's id");
        // 7 then 0x1238: not consecutive either
        assertSame(odd, out.get(1).frame);
        checkMerged(out.get(2), true, copies.subList(4, 6));
    }

    @Test
    void whatIsNotATcpSegmentPassesThroughInOrder() {
        final var arp = Unpooled.buffer().writeBytes(new byte[12]).writeShort(0x0806).writeBytes(new byte[28]);
        final var tagged = segments(true, payload(2000), 1000);
        // an 802.1Q tag in front of each: the same segments, not merged
        for (int i = 0; i < tagged.size(); i++) {
            final var seg = tagged.get(i);
            final var withTag = Unpooled.buffer().writeBytes(seg, 0, 12).writeShort(0x8100).writeShort(5)
                .writeBytes(seg, 12, seg.readableBytes() - 12);
            seg.release();
            tagged.set(i, withTag);
        }
        final var lone = segments(true, payload(900), 1000);
        // a pure ACK: no payload
        final var ack = segments(true, new byte[0], 1000);
        final List<ByteBuf> frames = new ArrayList<>(List.of(arp));
        frames.addAll(tagged);
        frames.addAll(lone);
        frames.addAll(ack);
        final var out = coalesce(frames);
        assertEquals(frames.size(), out.size());
        for (int i = 0; i < frames.size(); i++) {
            assertSame(frames.get(i), out.get(i).frame);
            assertNull(out.get(i).offload);
        }
    }
}
