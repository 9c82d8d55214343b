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
    private static final class Member implements SwitchPort {
        final String name;
        final List<String> received = new ArrayList<>();

        Member(final String name) {
            this.name = name;
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
