/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.serval.dataplane.Bounds;
import org.serval.dataplane.ethernet.Offload;
import org.serval.dataplane.ethernet.SuperFrames;
import org.serval.dataplane.protocol.LeakCheck;

/**
 * One node link on an embedded channel, as the accepting end after the other node's HELLO: frames sent to it queue
 * in its outbox and leave in one flush per burst, a link whose outbox is full drops (and counts) instead of piling
 * up, and an offloaded super-frame goes whole to a node of version 2 and cut to a node of version 1.
 */
@ExtendWith(LeakCheck.class)
class NodeLinkTest {
    private static final Offload TSO = new Offload(Offload.NEEDS_CSUM, Offload.GSO_TCPV4, 54, 1448, 34, 16);

    /**
     * Counts the flushes that reach the socket.
     */
    private static final class Flushes extends ChannelOutboundHandlerAdapter {
        int count;

        @Override
        public void flush(final ChannelHandlerContext ctx) {
            count++;
            ctx.flush();
        }
    }

    private final Flushes flushes = new Flushes();
    private final LongAdder dropped = new LongAdder();
    private final List<PeerMessage> received = new ArrayList<>();
    private EmbeddedChannel channel;
    private NodeLink link;

    /**
     * A link whose other node said HELLO with a version; its answering HELLO is read off already.
     */
    private void linkTo(final int version) {
        link = new NodeLink("na", null, new NodeLink.Listener() {
            @Override
            public NodeLink.Receiver accepted(final NodeLink accepting, final PeerMessage.Hello hello) {
                return new NodeLink.Receiver() {
                    @Override
                    public void frame(final PeerMessage.Frame frame) {
                        received.add(frame);
                    }

                    @Override
                    public void control(final PeerMessage message) {
                        received.add(message);
                    }
                };
            }

            @Override
            public void closed(final NodeLink closed) {
                // nothing to undo
            }
        }, dropped);
        channel = new EmbeddedChannel(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(final Channel ch) {
                ch.pipeline().addLast(flushes);
                PeerCodec.addTo(ch.pipeline());
                ch.pipeline().addLast(link);
            }
        });
        channel.writeInbound(PeerCodec.toBuffer(ByteBufAllocator.DEFAULT, new PeerMessage.Hello(version, "nb")));
        assertEquals(new PeerMessage.Hello(PeerMessage.VERSION, "na"), readOutbound().get(0));
        assertEquals("nb", link.peerId());
        flushes.count = 0;
    }

    @AfterEach
    void close() {
        received.forEach(ReferenceCountUtil::release);
        if (channel != null) {
            channel.finishAndReleaseAll();
        }
    }

    /**
     * Decodes and releases what the link wrote.
     */
    private List<PeerMessage> readOutbound() {
        final var all = new ArrayList<PeerMessage>();
        for (ByteBuf bytes = channel.readOutbound(); bytes != null; bytes = channel.readOutbound()) {
            try {
                final int length = bytes.readUnsignedShort();
                assertEquals(length, bytes.readableBytes(), "one message per buffer, its length field right");
                final var msg = PeerCodec.decode(bytes);
                all.add(msg);
                if (msg instanceof PeerMessage.Frame frame) {
                    // keep only what the assertions need
                    received.add(frame);
                }
            } finally {
                bytes.release();
            }
        }
        return all;
    }

    private static ByteBuf frame(final int size, final int marker) {
        final var frame = Unpooled.buffer(size).writeZero(size);
        frame.setByte(size - 1, marker);
        return frame;
    }

    @Test
    void aBurstFromTheSwitchLeavesInOneFlushInOrder() {
        linkTo(PeerMessage.VERSION);
        for (int i = 0; i < 100; i++) {
            link.sendFrame(7, frame(60 + i, i), null);
        }
        assertEquals(0, flushes.count, "nothing is written before the link's loop runs its task");
        channel.runPendingTasks();
        assertEquals(1, flushes.count, "one flush for the burst");
        final var sent = readOutbound();
        assertEquals(100, sent.size());
        for (int i = 0; i < 100; i++) {
            final var frame = (PeerMessage.Frame) sent.get(i);
            assertEquals(7, frame.vlanRef());
            assertEquals(60 + i, frame.content().readableBytes(), "in the order sent");
        }
        assertEquals(0, dropped.sum());
    }

    @Test
    void aFullOutboxDropsAndCountsInsteadOfQueueing() {
        linkTo(PeerMessage.VERSION);
        final int sent = 2000;
        for (int i = 0; i < sent; i++) {
            link.sendFrame(7, frame(1518, i), null);
        }
        assertFalse(link.isWritable(), "a link with a full outbox is not writable");
        channel.runPendingTasks();
        final int queued = readOutbound().size();
        assertTrue(queued <= Bounds.PEER_OUTBOX_BYTES / 1518 + 1, queued + " frames queued beyond the bound");
        assertEquals(sent - queued, dropped.sum(), "every frame that did not fit is counted");
        assertTrue(link.isWritable(), "room again once the loop wrote them");
    }

    @Test
    void aSuperFrameGoesWholeToANodeThatTakesOffloads() {
        linkTo(PeerMessage.VERSION);
        final var port = new NodePort(link, 3);
        assertTrue(port.deliver(SuperFrames.tcp(true, new byte[10_000], 0x18), TSO));
        channel.runPendingTasks();
        final var sent = readOutbound();
        assertEquals(1, sent.size(), "one FRAME_OFFLOAD");
        final var whole = (PeerMessage.Frame) sent.get(0);
        assertEquals(6, whole.type());
        assertEquals(TSO, whole.offload());
        assertEquals(10_054, whole.content().readableBytes());
        assertEquals(1, flushes.count);
    }

    @Test
    void aSuperFrameIsCutForANodeOfVersionOne() {
        linkTo(1);
        assertFalse(link.takesOffloads());
        final var port = new NodePort(link, 3);
        assertTrue(port.deliver(SuperFrames.tcp(true, new byte[10_000], 0x18), TSO));
        channel.runPendingTasks();
        final var sent = readOutbound();
        assertEquals(7, sent.size(), "MSS-sized segments: " + sent);
        for (var msg : sent) {
            final var frame = (PeerMessage.Frame) msg;
            assertEquals(4, frame.type(), "plain FRAMEs");
            assertNotNull(frame.content());
        }
        assertEquals(1502, ((PeerMessage.Frame) sent.get(0)).content().readableBytes());
        assertEquals(1, flushes.count, "the segments leave in one flush too");
    }

    @Test
    void whatTheOtherNodeSendsReachesTheReceiverSuperFramesWhole() {
        linkTo(PeerMessage.VERSION);
        channel.writeInbound(PeerCodec.toBuffer(ByteBufAllocator.DEFAULT, new PeerMessage.Interest(4, true, "red")));
        channel.writeInbound(PeerCodec.toBuffer(ByteBufAllocator.DEFAULT,
            new PeerMessage.Frame(4, SuperFrames.tcp(true, new byte[10_000], 0x18), TSO)));
        assertEquals(new PeerMessage.Interest(4, true, "red"), received.get(0));
        final var whole = (PeerMessage.Frame) received.get(1);
        assertEquals(TSO, whole.offload());
        assertEquals(10_054, whole.content().readableBytes());
        assertTrue(channel.isActive());
    }
}
