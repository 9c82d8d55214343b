/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.channel.DefaultEventLoop;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.serval.dataplane.protocol.Message;

class OutboxTest {
    private static final class Recorder implements Outbox.Sink<Message> {
        final List<Integer> written = new ArrayList<>();
        final List<Integer> flushedAfter = new ArrayList<>();

        @Override
        public void write(final Message message) {
            written.add(((Message.Data) message).vlanRef());
            ReferenceCountUtil.release(message);
        }

        @Override
        public void flush() {
            flushedAfter.add(written.size());
        }
    }

    /**
     * Occupies the loop until the latch is counted down.
     */
    private static CountDownLatch busy(final DefaultEventLoop loop) {
        final var hold = new CountDownLatch(1);
        loop.execute(() -> {
            try {
                hold.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        return hold;
    }

    private static Message.Data frame(final int ref, final int size) {
        return new Message.Data(ref, Unpooled.buffer(size).writeZero(size));
    }

    @Test
    void aBurstFromAnotherThreadLeavesInOrderWithOneFlush() throws Exception {
        final var loop = new DefaultEventLoop();
        try {
            final var sink = new Recorder();
            final var outbox = Outbox.of(loop, sink, 1 << 20);
            // keep the loop busy while the burst queues, as a loop reading other clients is
            final var hold = busy(loop);
            final List<Message.Data> sent = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                final var data = frame(i, 100);
                sent.add(data);
                outbox.send(data);
            }
            hold.countDown();
            loop.submit(() -> { }).get(5, TimeUnit.SECONDS);
            final List<Integer> expected = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                expected.add(i);
            }
            assertEquals(expected, sink.written);
            assertEquals(List.of(100), sink.flushedAfter, "one flush for the whole burst");
            sent.forEach(data -> assertEquals(0, data.refCnt()));
        } finally {
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    @Test
    void repliesWeighTheirEncodedLengthAndWhatCannotBeEncodedIsRefused() throws Exception {
        final var loop = new DefaultEventLoop();
        try {
            final var written = new ArrayList<Message>();
            final var outbox = Outbox.of(loop, new Outbox.Sink<Message>() {
                @Override
                public void write(final Message message) {
                    written.add(message);
                }

                @Override
                public void flush() {
                    // nothing to flush
                }
            }, 1000);
            final var hold = busy(loop);
            for (int i = 0; i < 124; i++) {
                outbox.send(new Message.KeepaliveAck(i));
            }
            assertEquals(992, outbox.queuedBytes(), "8 bytes each, as on the wire");
            outbox.send(new Message.KeepaliveAck(124));
            assertFalse(outbox.hasRoom(), "control messages count against the bound like frames");
            final var entries = new ArrayList<Message.VlanEntry>();
            for (int i = 0; i < 40; i++) {
                entries.add(new Message.VlanEntry("v".repeat(62) + String.format("%02d", i), 1, true));
            }
            // too long for one message: refused here, not handed to an encoder that would fail the connection
            outbox.send(new Message.Vlans(1, entries));
            assertEquals(1000, outbox.queuedBytes());
            hold.countDown();
            loop.submit(() -> { }).get(5, TimeUnit.SECONDS);
            assertEquals(125, written.size());
            assertTrue(written.stream().allMatch(Message.KeepaliveAck.class::isInstance));
            assertEquals(0, outbox.queuedBytes());
        } finally {
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    @Test
    void queuedBytesBoundWritabilityAndDiscardReleases() {
        final var loop = new DefaultEventLoop();
        try {
            final var outbox = Outbox.of(loop, new Recorder(), 1000);
            final var hold = busy(loop);
            final var first = frame(1, 600);
            outbox.send(first);
            assertTrue(outbox.hasRoom());
            final var second = frame(2, 600);
            outbox.send(second);
            assertFalse(outbox.hasRoom(), "1,200 queued bytes are above a bound of 1,000");
            outbox.discard();
            assertTrue(outbox.hasRoom());
            assertEquals(0, first.refCnt());
            assertEquals(0, second.refCnt());
            hold.countDown();
        } finally {
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }
}
