/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.unix.SegmentedDatagramPacket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.serval.dataplane.Bounds;

/**
 * Trains between two real epoll UDP sockets on loopback, the receiver with UDP_GRO: what leaves as GSO runs, and
 * that every datagram arrives whole, in order.
 */
@ExtendWith(LeakCheck.class)
class DatagramTrainTest {
    private EventLoopGroup group;
    private Channel sender;
    private Channel receiver;
    // what the sender's socket was given to write: "gso SIZE xCOUNT" or "one SIZE"
    private final List<String> sent = new CopyOnWriteArrayList<>();
    private final LinkedBlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
    private final AtomicBoolean refuseRuns = new AtomicBoolean();

    @BeforeEach
    void sockets() throws InterruptedException {
        assumeTrue(Epoll.isAvailable(), "native epoll (Linux)");
        group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        receiver = new Bootstrap().group(group).channel(EpollDatagramChannel.class)
            .option(EpollChannelOption.UDP_GRO, true)
            .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(Bounds.UDP_GRO_READ_BYTES))
            .option(ChannelOption.SO_RCVBUF, 4 << 20)
            .handler(new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(final ChannelHandlerContext ctx, final Object msg) {
                    final var packet = (DatagramPacket) msg;
                    final var bytes = new byte[packet.content().readableBytes()];
                    packet.content().readBytes(bytes);
                    packet.release();
                    received.add(bytes);
                }
            })
            .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        sender = new Bootstrap().group(group).channel(EpollDatagramChannel.class)
            .handler(new ChannelOutboundHandlerAdapter() {
                @Override
                public void write(final ChannelHandlerContext ctx, final Object msg, final ChannelPromise promise) {
                    if (msg instanceof SegmentedDatagramPacket run && refuseRuns.get()) {
                        // what the kernel does to a run a route cannot take (EMSGSIZE, EIO)
                        sent.add("refused gso " + run.segmentSize() + " x" + run.content().readableBytes());
                        run.release();
                        promise.setFailure(new IOException("refused by the test"));
                        return;
                    }
                    if (msg instanceof SegmentedDatagramPacket run) {
                        sent.add("gso " + run.segmentSize() + " x" + run.content().readableBytes());
                    } else {
                        sent.add("one " + ((DatagramPacket) msg).content().readableBytes());
                    }
                    ctx.write(msg, promise);
                }
            })
            .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    }

    @AfterEach
    void close() {
        if (group != null) {
            sender.close().syncUninterruptibly();
            receiver.close().syncUninterruptibly();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private static ByteBuf datagram(final Channel channel, final int number, final int size) {
        final var buf = channel.alloc().directBuffer(size);
        for (int i = 0; i < size; i++) {
            buf.writeByte(number + i);
        }
        return buf;
    }

    @Test
    void runsOfOneSizeLeaveAsOneSendAndArriveWholeInOrder() throws Exception {
        assumeTrue(EpollDatagramChannel.isSegmentedDatagramPacketSupported(), "UDP_SEGMENT in this kernel");
        // a super-frame's segments (45 of 1,200 bytes and a shorter last), a keepalive, and a run too long for one
        // send (70 of 900 bytes)
        final int[] sizes = new int[45 + 1 + 1 + 70];
        for (int i = 0; i < 45; i++) {
            sizes[i] = 1200;
        }
        sizes[45] = 500;
        sizes[46] = 1300;
        for (int i = 47; i < sizes.length; i++) {
            sizes[i] = 900;
        }
        final var to = (InetSocketAddress) receiver.localAddress();
        sender.eventLoop().submit(() -> {
            final var train = new DatagramTrain(sender, to);
            for (int i = 0; i < sizes.length; i++) {
                train.add(datagram(sender, i, sizes[i]));
            }
            train.depart();
            sender.flush();
            return null;
        }).sync();
        for (int i = 0; i < sizes.length; i++) {
            final var bytes = received.poll(5, TimeUnit.SECONDS);
            assertTrue(bytes != null, "datagram " + i + " arrived");
            assertEquals(sizes[i], bytes.length, "datagram " + i + "'s size");
            for (int j = 0; j < bytes.length; j++) {
                assertEquals((byte) (i + j), bytes[j], "datagram " + i + ", byte " + j);
            }
        }
        // a shorter datagram joins a run as its last; a larger one starts a run; a run stops at the kernel's limit
        assertEquals(List.of("gso 1200 x" + (45 * 1200 + 500), "gso 1300 x" + (1300 + 900),
            "gso 900 x" + 900 * Bounds.UDP_GSO_SEGMENTS, "gso 900 x" + 900 * (69 - Bounds.UDP_GSO_SEGMENTS)), sent);
    }

    @Test
    void aNewAddressEndsTheRunAndOtherChannelsSendOneAtATime() throws Exception {
        assumeTrue(EpollDatagramChannel.isSegmentedDatagramPacketSupported(), "UDP_SEGMENT in this kernel");
        final var to = (InetSocketAddress) receiver.localAddress();
        sender.eventLoop().submit(() -> {
            final var train = new DatagramTrain(sender, new InetSocketAddress("127.0.0.1", 9));
            train.add(datagram(sender, 0, 700));
            train.add(datagram(sender, 1, 700));
            // the run leaves for port 9 (nobody listens), the next datagrams for the receiver
            train.to(to);
            train.add(datagram(sender, 2, 700));
            train.add(datagram(sender, 3, 700));
            train.depart();
            sender.flush();
            return null;
        }).sync();
        assertEquals(2, received.poll(5, TimeUnit.SECONDS)[0]);
        assertEquals(3, received.poll(5, TimeUnit.SECONDS)[0]);
        assertEquals(List.of("gso 700 x1400", "gso 700 x1400"), sent);

        final var embedded = new io.netty.channel.embedded.EmbeddedChannel();
        final var train = new DatagramTrain(embedded, to);
        train.add(datagram(embedded, 0, 700));
        embedded.flush();
        final DatagramPacket one = embedded.readOutbound();
        assertEquals(700, one.content().readableBytes(), "written at once, not held for a run");
        one.release();
        embedded.finishAndReleaseAll();
    }

    @Test
    void aRefusedRunSendsOneAtATimeForABackOffThatDoublesUntilARunLeaves() throws Exception {
        assumeTrue(EpollDatagramChannel.isSegmentedDatagramPacketSupported(), "UDP_SEGMENT in this kernel");
        final var to = (InetSocketAddress) receiver.localAddress();
        final var now = new AtomicLong();
        final var train = sender.eventLoop().submit(() -> new DatagramTrain(sender, sender, to, now::get)).get();
        final long second = TimeUnit.SECONDS.toNanos(1);
        refuseRuns.set(true);
        pair(train);
        // one refusal: a second of single datagrams
        pair(train);
        now.addAndGet(second - 1);
        pair(train);
        now.addAndGet(2);
        // a second refusal: two seconds
        pair(train);
        now.addAndGet(second * 3 / 2);
        pair(train);
        now.addAndGet(second);
        refuseRuns.set(false);
        pair(train);
        // a run left: the next refusal waits a second again, not four
        refuseRuns.set(true);
        pair(train);
        now.addAndGet(second + 1);
        refuseRuns.set(false);
        pair(train);
        final String refused = "refused gso 700 x1400";
        final String run = "gso 700 x1400";
        final String one = "one 700";
        assertEquals(List.of(refused, one, one, one, one, refused, one, one, run, refused, run), sent);
    }

    // two datagrams of 700 bytes, then the flush: one run, or two single datagrams
    private void pair(final DatagramTrain train) throws Exception {
        sender.eventLoop().submit(() -> {
            train.add(datagram(sender, 0, 700));
            train.add(datagram(sender, 1, 700));
            train.depart();
            sender.flush();
            return null;
        }).sync();
    }
}
