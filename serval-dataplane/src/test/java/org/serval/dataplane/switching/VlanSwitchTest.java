/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.switching;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.serval.dataplane.ethernet.Macs;
import org.serval.dataplane.protocol.LeakCheck;
import org.serval.dataplane.resolution.Frames;

@ExtendWith(LeakCheck.class)
class VlanSwitchTest {
    private static final long SECOND = 1_000_000_000L;
    private static final long BROADCAST = 0xFFFFFFFFFFFFL;

    /**
     * A member that records the frames it is sent and releases them, as a session's write would.
     */
    private static class Member implements SwitchPort {
        final String name;
        final boolean node;
        final List<String> received = new ArrayList<>();

        Member(final String name) {
            this(name, false);
        }

        Member(final String name, final boolean node) {
            this.name = name;
            this.node = node;
        }

        @Override
        public boolean isRemote() {
            return node;
        }

        @Override
        public void deliver(final ByteBuf frame) {
            try {
                received.add(Long.toHexString(Macs.read(frame, frame.readerIndex() + 6)) + ">"
                    + Long.toHexString(Macs.read(frame, frame.readerIndex())));
            } finally {
                frame.release();
            }
        }

        @Override
        public String owner() {
            return name;
        }
    }

    private final VlanSwitch red = new VlanSwitch("red", 1024, 64, 300 * SECOND, false);
    private final Member aa = new Member("a");
    private final Member bb = new Member("b");
    private final Member cc = new Member("c");
    private final List<ByteBuf> sent = new ArrayList<>();

    private ByteBuf frame(final long dst, final long src) {
        final var frame = Frames.plain(dst, src, 0x0800);
        sent.add(frame);
        return frame;
    }

    @AfterEach
    void everyFrameWasReleased() {
        for (var frame : sent) {
            assertEquals(0, frame.refCnt(), "the switch consumed its reference and every port released its own");
        }
    }

    @Test
    void broadcastGoesToEveryOtherMemberOnly() {
        red.attach(aa);
        red.attach(bb);
        red.attach(cc);
        red.receive(aa, frame(BROADCAST, 0x0A), 0);
        assertEquals(List.of(), aa.received, "never back to the sender");
        assertEquals(List.of("a>ffffffffffff"), bb.received);
        assertEquals(List.of("a>ffffffffffff"), cc.received);
        assertEquals(1, red.floodedFrames());
    }

    @Test
    void unknownUnicastFloodsThenLearnedUnicastGoesToOnePort() {
        red.attach(aa);
        red.attach(bb);
        red.attach(cc);
        red.receive(aa, frame(0x0B, 0x0A), 0);
        assertEquals(1, bb.received.size());
        assertEquals(1, cc.received.size(), "0b is not known yet: flooded");

        red.receive(bb, frame(0x0A, 0x0B), SECOND);
        assertEquals(List.of("b>a"), aa.received, "0a was learned from a's first frame");
        assertEquals(1, cc.received.size(), "c saw nothing of the reply");

        red.receive(aa, frame(0x0B, 0x0A), 2 * SECOND);
        assertEquals(2, bb.received.size());
        assertEquals(1, cc.received.size(), "now 0b is known: unicast");
    }

    /**
     * The cluster test's lost pings (ClusterTest, c on a third node asking for a's address): a node must not answer,
     * for an owner behind another node, a question that came from yet another node, or the asking node learns the
     * owner's MAC at this node's port and its frames to the owner die here by split horizon.
     */
    @Test
    void aQuestionFromAnotherNodeIsAnsweredOnlyForOwnersHere() {
        final var answering = new VlanSwitch("red", 1024, 64, 300 * SECOND, true);
        final var home = new Member("home", true);
        final var third = new Member("third", true);
        final var local = new Member("b");
        answering.attach(home);
        answering.attach(third);
        answering.attach(local);
        final long macA = 0x020000000A0AL;
        final long macB = 0x020000000B0BL;
        final long macC = 0x020000000C0CL;
        final int ipA = 0x0A620001;
        final int ipB = 0x0A620002;
        final int ipC = 0x0A620003;
        // a, behind home, asks for b: the switch learns a's address and MAC at home's port.
        answering.receive(home, track(Frames.arpRequest(macA, ipA, ipB)), 0);
        assertEquals(1, local.received.size(), "b hears a's question");
        // c, behind third, asks for a: home answers that itself; this node must stay out of it.
        answering.receive(third, track(Frames.arpRequest(macC, ipC, ipA)), SECOND);
        assertEquals(0, answering.answeredQuestions(), "answered for an owner behind another node");
        assertEquals(List.of(), third.received, "split horizon: nothing goes back to the asking node");
        assertEquals(2, local.received.size(), "the local member hears c's question");
        // b, local, asks for a: answered here, a's MAC being at home's port is right for b.
        answering.receive(local, track(Frames.arpRequest(macB, ipB, ipA)), 2 * SECOND);
        assertEquals(1, answering.answeredQuestions());
        assertEquals(3, local.received.size(), "b got its answer");
    }

    private ByteBuf track(final ByteBuf frame) {
        sent.add(frame);
        return frame;
    }

    @Test
    void splitHorizonDropsAreCounted() {
        final var nodeX = new Member("x", true);
        final var nodeY = new Member("y", true);
        red.attach(aa);
        red.attach(nodeX);
        red.attach(nodeY);
        red.receive(nodeX, frame(BROADCAST, 0x0E), 0);
        final long before = red.droppedFrames();
        // 0e is behind x; y sending to it means the nodes' tables disagree: dropped, and counted.
        red.receive(nodeY, frame(0x0E, 0x0F), SECOND);
        assertEquals(before + 1, red.droppedFrames(), "a split-horizon drop is counted");
        assertEquals(List.of(), nodeX.received);
    }

    @Test
    void framesFromAnotherNodeGoToLocalMembersOnly() {
        final var nodeX = new Member("x", true);
        final var nodeY = new Member("y", true);
        red.attach(aa);
        red.attach(nodeX);
        red.attach(nodeY);
        red.receive(nodeX, frame(BROADCAST, 0x0E), 0);
        assertEquals(List.of("e>ffffffffffff"), aa.received);
        assertEquals(List.of(), nodeY.received, "split horizon: the mesh already took it to every node");
        red.receive(aa, frame(BROADCAST, 0x0A), 0);
        assertEquals(List.of("a>ffffffffffff"), nodeX.received, "a local member's flood reaches every node");
        assertEquals(List.of("a>ffffffffffff"), nodeY.received);
        // 0e lives behind x; a frame to it that came in from y must not be sent on to x
        red.receive(nodeY, frame(0x0E, 0x0F), SECOND);
        assertEquals(1, nodeX.received.size());
        red.receive(aa, frame(0x0E, 0x0A), SECOND);
        assertEquals(List.of("a>ffffffffffff", "a>e"), nodeX.received, "learned unicast goes to that node only");
        assertEquals(1, nodeY.received.size());
    }

    @Test
    void aMacLearnedWithoutAFrameIsReachedAtOnce() {
        final var nodeX = new Member("x", true);
        red.attach(aa);
        red.attach(bb);
        red.attach(nodeX);
        red.receive(aa, frame(0x0B, 0x0A), 0);
        assertEquals(1, nodeX.received.size(), "0b unknown: flooded");
        // 0b's client moved to node x, which says so (LEARN) before 0b sends anything
        red.learnAt(0x0B, nodeX, SECOND);
        red.receive(aa, frame(0x0B, 0x0A), SECOND);
        assertEquals(2, nodeX.received.size());
        assertEquals(1, bb.received.size(), "no longer sent to where 0b was");
        red.learnAt(0x0C, cc, SECOND);
        red.receive(aa, frame(0x0C, 0x0A), SECOND);
        assertEquals(3, nodeX.received.size(), "a port that is not a member teaches nothing: 0c still floods");
    }

    @Test
    void bytesAreCountedOncePerFrameAndStormDropsApartFromOtherDrops() {
        final var quiet = new Member("q") {
            @Override
            public boolean mayFloodUnknown(final long nowNanos) {
                return false;
            }
        };
        red.attach(aa);
        red.attach(bb);
        red.attach(cc);
        red.attach(quiet);
        final var broadcast = frame(BROADCAST, 0x0A);
        final int size = broadcast.readableBytes();
        red.receive(aa, broadcast, 0);
        red.receive(bb, frame(0x0A, 0x0B), 0);
        red.receive(aa, frame(0x0B, 0x0A), 0);
        assertEquals(size, red.floodedOctets(), "a flooded frame's bytes once, though it went to three members");
        assertEquals(2L * size, red.forwardedOctets());
        assertEquals(0, red.snoopedOctets());
        red.receive(quiet, frame(0x0E, 0x0D), 0);
        red.stormDropped();
        red.receive(cc, frame(BROADCAST, 0x010000000001L), 0);
        assertEquals(2, red.stormDroppedFrames(), "unknown unicast beyond the rate, and a session's group drop");
        assertEquals(1, red.droppedFrames(), "a group source is no storm");
        assertEquals(4, red.localMemberCount());
        red.attach(new Member("node x", true));
        assertEquals(4, red.localMemberCount(), "a link to another node is no member here");
    }

    @Test
    void framesFromNonMembersAndGroupSourcesAreDropped() {
        red.attach(aa);
        red.attach(bb);
        red.receive(cc, frame(BROADCAST, 0x0C), 0);
        red.receive(aa, frame(0x0B, 0x010000000001L), 0);
        assertEquals(List.of(), bb.received);
        assertEquals(2, red.droppedFrames());
        assertEquals(0, red.learnedMacs());
    }

    @Test
    void aDetachedMemberGetsNothingAndIsForgotten() {
        red.attach(aa);
        red.attach(bb);
        red.receive(bb, frame(BROADCAST, 0x0B), 0);
        red.detach(bb);
        red.receive(aa, frame(0x0B, 0x0A), SECOND);
        assertEquals(0, bb.received.size());
        assertEquals(1, red.learnedMacs(), "only a's address is left");
    }
}
