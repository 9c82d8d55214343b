/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.client;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.serval.dataplane.Bounds;
import org.serval.dataplane.ethernet.Offload;
import org.serval.dataplane.protocol.DatagramTrain;
import org.serval.dataplane.protocol.Message;
import org.serval.dataplane.security.SealedChannel;
import org.serval.dataplane.transport.Warmup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JIT warm-up of a client on the UDP transport ({@link Warmup} is the stream's): this client's own datagram
 * stages ({@link DatagramPipeline}: super-frames cut, sealed, sent in GSO runs, read with GRO, opened) on one end of
 * a loopback pair of sockets, an echo that opens each datagram and seals it again on the other, until the compiler
 * has seen the path often enough or the time is up. Keys are random and die with it; no datagram leaves the host.
 */
final class DatagramWarmup {
    private static final Logger LOG = LoggerFactory.getLogger(DatagramWarmup.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    // Bursts of a few frames and one super-frame, one burst in flight: the echo's datagrams then all fit the
    // socket buffers, so that none is lost on loopback.
    private static final int[] SIZES = {64, 1400, 64, 1400, 64, 1400, 64, 30_000};
    private static final int MSS = 1348;
    private static final int HEADERS = 54;
    private static final Offload SUPER_FRAME = new Offload(Offload.NEEDS_CSUM, Offload.GSO_TCPV4, HEADERS, MSS, 34, 16);

    private DatagramWarmup() {
        // static only
    }

    /**
     * Starts a warm-up of about {@code frames} frames that logs how it went; never throws (the future fails).
     */
    static CompletableFuture<Warmup.Result> startLogged(final int frames, final long limitMillis) {
        final var done = new CompletableFuture<Warmup.Result>();
        start(frames, limitMillis, done);
        return done.whenComplete((result, failure) -> {
            if (failure == null) {
                LOG.info("JIT warm-up: {} frames over loopback UDP in {} ms", result.messages(), result.millis());
            } else {
                LOG.info("No JIT warm-up ({}); the first frames will be slower", String.valueOf(failure.getMessage()));
            }
        });
    }

    private static void start(final int frames, final long limitMillis, final CompletableFuture<Warmup.Result> done) {
        final var clientKey = new byte[Message.Ticket.KEY_BYTES];
        final var serverKey = new byte[Message.Ticket.KEY_BYTES];
        RANDOM.nextBytes(clientKey);
        RANDOM.nextBytes(serverKey);
        final var ticket = new Message.Ticket(1, 60, clientKey, serverKey);
        final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        done.whenComplete((result, failure) -> group.shutdownGracefully(0, 1, TimeUnit.SECONDS));
        final var loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        final var bind = new Bootstrap().group(group).channel(EpollDatagramChannel.class)
            .option(EpollChannelOption.UDP_GRO, true)
            .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(Bounds.UDP_GRO_READ_BYTES))
            .handler(new Echo(new SealedChannel(1, serverKey, clientKey, Long.MAX_VALUE, Long.MAX_VALUE)))
            .bind(loopback);
        bind.addListener(bound -> {
            if (!bound.isSuccess()) {
                done.completeExceptionally(bound.cause());
                return;
            }
            final Channel echo = bind.channel();
            done.whenComplete((result, failure) -> echo.close());
            new Bootstrap().group(group).channel(EpollDatagramChannel.class)
                .option(EpollChannelOption.UDP_GRO, true)
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(Bounds.UDP_GRO_READ_BYTES))
                .handler(new ChannelInitializer<DatagramChannel>() {
                    @Override
                    protected void initChannel(final DatagramChannel ch) {
                        DatagramPipeline.addProtocol(ch.pipeline(), ticket);
                        ch.pipeline().addLast("driver", new Driver(frames, limitMillis, done));
                    }
                })
                .connect(echo.localAddress()).addListener(connected -> {
                    if (!connected.isSuccess()) {
                        done.completeExceptionally(connected.cause());
                    }
                });
        });
    }

    /**
     * Opens every datagram and sends it back sealed, the datagrams of one read in GSO runs.
     */
    private static final class Echo extends ChannelInboundHandlerAdapter {
        private final SealedChannel seal;
        private DatagramTrain train;

        Echo(final SealedChannel seal) {
            this.seal = seal;
        }

        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg) {
            final var packet = (DatagramPacket) msg;
            try {
                final var plain = seal.open(ctx.alloc(), packet.content());
                if (plain != null) {
                    if (train == null) {
                        train = new DatagramTrain(ctx.channel(), packet.sender());
                    }
                    train.to(packet.sender());
                    train.add(seal.seal(ctx.alloc(), plain));
                }
            } finally {
                packet.release();
            }
        }

        @Override
        public void channelReadComplete(final ChannelHandlerContext ctx) {
            if (train != null) {
                train.depart();
            }
            ctx.flush();
        }

        @Override
        public void channelInactive(final ChannelHandlerContext ctx) {
            if (train != null) {
                train.discard();
            }
            ctx.fireChannelInactive();
        }
    }

    /**
     * Sends a burst, waits for all of its frames to come back, sends the next, until enough came back or the time
     * is up (a datagram lost on loopback only ends the warm-up early).
     */
    private static final class Driver extends SimpleChannelInboundHandler<Message> {
        private final int total;
        private final long limitMillis;
        private final long started = System.nanoTime();
        private final CompletableFuture<Warmup.Result> done;
        private int received;
        private int expected;

        Driver(final int total, final long limitMillis, final CompletableFuture<Warmup.Result> done) {
            super(Message.class);
            this.total = total;
            this.limitMillis = limitMillis;
            this.done = done;
        }

        @Override
        public void channelActive(final ChannelHandlerContext ctx) throws Exception {
            ctx.executor().schedule(() -> finish(ctx), limitMillis, TimeUnit.MILLISECONDS);
            burst(ctx);
            super.channelActive(ctx);
        }

        private void burst(final ChannelHandlerContext ctx) {
            for (int size : SIZES) {
                final var frame = ctx.alloc().directBuffer(size).writeZero(size);
                // unicast MACs, IPv4 without options, TCP with a 20-byte header: what Segmenter cuts
                frame.setInt(0, 0x02000000).setInt(6, 0x02000000).setShort(12, 0x0800).setByte(14, 0x45)
                    .setByte(23, 6).setByte(46, 0x50);
                final boolean offloaded = size > 1518;
                ctx.write(new Message.Data(1, frame, offloaded ? SUPER_FRAME : null), ctx.voidPromise());
                expected += offloaded ? (size - HEADERS + MSS - 1) / MSS : 1;
            }
            ctx.flush();
        }

        @Override
        protected void channelRead0(final ChannelHandlerContext ctx, final Message msg) {
            received++;
            if (received < expected) {
                return;
            }
            if (received < total) {
                burst(ctx);
            } else {
                finish(ctx);
            }
        }

        private void finish(final ChannelHandlerContext ctx) {
            if (done.complete(new Warmup.Result(received,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)))) {
                ctx.close();
            }
        }

        @Override
        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause) {
            // a datagram refused on loopback: the warm-up only ends sooner
            finish(ctx);
        }
    }
}
