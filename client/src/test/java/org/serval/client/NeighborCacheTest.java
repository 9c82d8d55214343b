/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.Test;

class NeighborCacheTest {
    private static final long OWN = 0x02AA00000001L;
    private static final long PEER = 0x02BB00000002L;
    private static final int OWN_IP = 0x0A000001;
    private static final int PEER_IP = 0x0A000002;
    private static final long SECOND = 1_000_000_000L;

    private static ByteBuf arp(final int op, final long ethDst, final long sender, final int senderIp,
            final long target, final int targetIp) {
        final var frame = Unpooled.buffer(60);
        frame.writeShort((int) (ethDst >>> 32)).writeInt((int) ethDst);
        frame.writeShort((int) (sender >>> 32)).writeInt((int) sender);
        frame.writeShort(0x0806).writeShort(1).writeShort(0x0800).writeByte(6).writeByte(4).writeShort(op);
        frame.writeShort((int) (sender >>> 32)).writeInt((int) sender).writeInt(senderIp);
        frame.writeShort((int) (target >>> 32)).writeInt((int) target).writeInt(targetIp);
        return frame.writeZero(18);
    }

    private static String answer(final NeighborCache cache, final ByteBuf question, final long now) {
        try {
            final var answer = cache.answer(UnpooledByteBufAllocator.DEFAULT, question, now);
            if (answer == null) {
                return null;
            }
            try {
                return ByteBufUtil.hexDump(answer);
            } finally {
                answer.release();
            }
        } finally {
            question.release();
        }
    }

    @Test
    void answersWhatTheServerTaughtItUntilItAges() {
        final var cache = new NeighborCache(OWN);
        final var question = arp(1, 0xFFFFFFFFFFFFL, OWN, OWN_IP, 0, PEER_IP);
        assertNull(answer(cache, question.retainedDuplicate(), 0), "nothing known yet: goes to the server");

        final var reply = arp(2, OWN, PEER, PEER_IP, OWN, OWN_IP);
        cache.learn(reply, 0);
        final var expected = ByteBufUtil.hexDump(reply, 0, 42);
        reply.release();
        assertEquals(expected, answer(cache, question.retainedDuplicate(), SECOND), "the peer's own reply");
        assertNull(answer(cache, question, 31 * SECOND), "forgotten after 30 s");
    }

    @Test
    void neverLearnsItsOwnAddressesNorAnswersUnicastQuestions() {
        final var cache = new NeighborCache(OWN);
        final var ownAnnouncement = arp(1, 0xFFFFFFFFFFFFL, OWN, OWN_IP, 0, OWN_IP);
        cache.learn(ownAnnouncement, 0);
        ownAnnouncement.release();
        assertEquals(0, cache.size());

        final var reply = arp(2, OWN, PEER, PEER_IP, OWN, OWN_IP);
        cache.learn(reply, 0);
        reply.release();
        // a unicast question is the host checking its entry: the peer should see it
        assertNull(answer(cache, arp(1, PEER, OWN, OWN_IP, 0, PEER_IP), SECOND));
    }
}
