/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.resolution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.serval.dataplane.resolution.Frames.v4;
import static org.serval.dataplane.resolution.Frames.v6;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.serval.dataplane.protocol.LeakCheck;
import org.serval.dataplane.resolution.NeighborPackets.Kind;
import org.serval.dataplane.resolution.NeighborPackets.Observation;

@ExtendWith(LeakCheck.class)
class NeighborPacketsTest {
    private static final long A = 0x02AA00000001L;
    private static final long B = 0x02BB00000002L;
    private static final int IP_A = v4(10, 0, 0, 1);
    private static final int IP_B = v4(10, 0, 0, 2);

    private static Observation inspect(final ByteBuf frame) {
        try {
            return NeighborPackets.inspect(frame);
        } finally {
            frame.release();
        }
    }

    @Test
    void arpRequestsRepliesAndGratuitousArp() {
        assertEquals(new Observation(Kind.ARP_QUESTION, IpAddress.v4(IP_B), A, IpAddress.v4(IP_A), false),
            inspect(Frames.arpRequest(A, IP_A, IP_B)));
        assertEquals(new Observation(Kind.ARP_ANNOUNCE, IpAddress.v4(IP_B), B, null, false),
            inspect(Frames.arpReply(B, IP_B, A, IP_A)));
        assertEquals(new Observation(Kind.ARP_ANNOUNCE, IpAddress.v4(IP_A), A, null, false),
            inspect(Frames.arpRequest(A, IP_A, IP_A)), "gratuitous ARP announces");
    }

    @Test
    void arpThatIsNotWhatItSeemsTeachesNothing() {
        assertNull(inspect(Frames.arpRequest(A, 0, IP_B)), "a probe (duplicate address detection)");
        assertNull(inspect(Frames.arp(2, A, B, B, IP_B, A, IP_A)), "speaks for a MAC that did not send it");
        assertNull(inspect(Frames.arp(2, A, B, A, v4(224, 0, 0, 1), B, IP_B)), "claims a multicast address");
        assertNull(inspect(Frames.arp(2, A, B, A, -1, B, IP_B)), "claims the broadcast address");
        assertNull(inspect(Frames.plain(Frames.BROADCAST, A, 0x0800)), "not ARP at all");
    }

    @Test
    void everyTruncationOfAValidPacketIsRefusedQuietly() {
        for (Supplier<ByteBuf> packet : java.util.List.<Supplier<ByteBuf>>of(
                () -> Frames.arpRequest(A, IP_A, IP_B),
                () -> Frames.solicitation(A, v6("fd00::1"), v6("fd00::2")),
                () -> Frames.advertisement(B, v6("fd00::2"), A, v6("fd00::1"), false))) {
            final var whole = packet.get();
            try {
                // ARP keeps its Ethernet padding, so only cuts into the ARP body itself matter
                for (int length = 0; length < 42; length++) {
                    assertNull(NeighborPackets.inspect(whole.slice(0, length)), "cut at " + length);
                }
            } finally {
                whole.release();
            }
        }
    }

    @Test
    void neighbourDiscovery() {
        final var ipA = v6("fd00::1");
        final var ipB = v6("fd00::2");
        assertEquals(new Observation(Kind.ND_QUESTION, ipB, A, ipA, false), inspect(Frames.solicitation(A, ipA, ipB)));
        assertNull(inspect(Frames.solicitation(A, v6("::"), ipB)), "duplicate address detection is not answered");
        assertEquals(new Observation(Kind.ND_ANSWER, ipB, B, null, true),
            inspect(Frames.advertisement(B, ipB, A, ipA, true)));
        assertNull(inspect(Frames.solicitation(A, ipA, v6("ff02::1"))), "asks for a multicast address");
    }

    @Test
    void answersAreWhatTheOwnerWouldHaveSent() {
        final var arpQuestion = inspect(Frames.arpRequest(A, IP_A, IP_B));
        final var arp = NeighborPackets.answer(UnpooledByteBufAllocator.DEFAULT, arpQuestion, B, false);
        final var expected = Frames.arpReply(B, IP_B, A, IP_A);
        try {
            // the owner's reply, without the Ethernet padding
            assertEquals(ByteBufUtil.hexDump(expected, 0, 42), ByteBufUtil.hexDump(arp));
        } finally {
            arp.release();
            expected.release();
        }

        final var ipA = v6("fd00::1");
        final var ipB = v6("fd00::2");
        final var ndQuestion = inspect(Frames.solicitation(A, ipA, ipB));
        final var na = NeighborPackets.answer(UnpooledByteBufAllocator.DEFAULT, ndQuestion, B, true);
        final var owners = Frames.advertisement(B, ipB, A, ipA, true);
        try {
            // byte for byte the advertisement built by the test from RFC 4861, checksum included
            assertEquals(ByteBufUtil.hexDump(owners), ByteBufUtil.hexDump(na));
            // and the checksum verifies: summed with it, the message and pseudo-header give 0
            assertEquals(0, NeighborPackets.icmpv6Checksum(na, 14, 54, na.readableBytes() - 54));
        } finally {
            na.release();
            owners.release();
        }
    }

    @Test
    void icmpv6ChecksumMatchesAKnownPacket() {
        // An echo request from fe80::1 to fe80::2, id 0x1234, seq 1, no data; its checksum worked out by hand from
        // RFC 4443 section 2.3: 0xfe80 * 2 + 1 + 2 + 8 + 58 + 0x8000 + 0x1234 + 1 = 0x28f7a, folded 0x8f7c,
        // complemented 0x7083.
        final var packet = io.netty.buffer.Unpooled.buffer();
        packet.writeZero(14).writeInt(0x60000000).writeShort(8).writeByte(58).writeByte(64);
        packet.writeLong(0xFE80000000000000L).writeLong(1).writeLong(0xFE80000000000000L).writeLong(2);
        packet.writeByte(128).writeByte(0).writeShort(0).writeShort(0x1234).writeShort(1);
        try {
            assertEquals(0x7083, NeighborPackets.icmpv6Checksum(packet, 14, 54, 8));
        } finally {
            packet.release();
        }
    }
}
