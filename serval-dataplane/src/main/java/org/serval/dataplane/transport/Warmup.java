/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.serval.dataplane.ethernet.Offload;
import org.serval.dataplane.protocol.Message;
import org.serval.dataplane.protocol.StreamPipeline;
import org.serval.dataplane.security.ServerIdentity;
import org.serval.dataplane.security.ServerTrust;
import org.serval.dataplane.session.Outbox;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A JIT warm-up for a process that has just started. The hot path (TLS records, AES-GCM, framing, the codec, the
 * outbox, the native transport) runs interpreted until the JVM has seen it some ten thousand times, which a ping
 * every few milliseconds takes minutes to do: the first seconds of a session then see round trips of several
 * milliseconds and a fraction of the throughput. Here a loopback TLS connection with the real pipeline stages
 * echoes a mix of small frames and offloaded super-frames until the compiler has had its fill, in a second or
 * two, on a thread group of its own that is gone afterwards. No frame leaves the host.
 */
public final class Warmup {
    /**
     * What a warm-up did.
     */
    public record Result(long messages, long millis) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(Warmup.class);
    /**
     * Enough frames for the compiler to have seen every stage of the hot path some ten thousand times.
     */
    public static final int FRAMES = 20_000;
    private static final int WINDOW = 32;
    // Mostly small frames, which cost the most per byte; every eighth a super-frame, for the offload path.
    private static final int[] SIZES = {64, 1400, 64, 1400, 64, 1400, 64, 60_000};
    private static final Offload SUPER_FRAME = new Offload(Offload.NEEDS_CSUM, Offload.GSO_TCPV4, 54, 1448, 34, 16);

    private Warmup() {
        // static only
    }

    /**
     * Starts a warm-up of {@link #FRAMES} frames that logs how it went; never throws.
     *
     * @param limitMillis when to stop anyway
     */
    public static CompletableFuture<Result> startLogged(final long limitMillis) {
        return start(FRAMES, limitMillis).whenComplete((result, failure) -> {
            if (failure == null) {
                LOG.info("JIT warm-up: {} frames over loopback TLS in {} ms", result.messages(), result.millis());
            } else {
                // Only speed is at stake: a host without loopback still gets its VPN.
                LOG.info("No JIT warm-up ({}); the first frames will be slower", String.valueOf(failure.getMessage()));
            }
        });
    }

    /**
     * Starts a warm-up; never throws: the future fails instead (no loopback interface, say).
     *
     * @param messages how many frames to echo
     * @param limitMillis when to stop anyway
     */
    public static CompletableFuture<Result> start(final int messages, final long limitMillis) {
        final var done = new CompletableFuture<Result>();
        final SslContext serverTls;
        final SslContext clientTls;
        try {
            final var identity = ServerIdentity.ephemeral();
            serverTls = identity.serverContext();
            clientTls = ServerTrust.pinned(identity.fingerprint()).clientContext();
        } catch (IOException e) {
            done.completeExceptionally(e);
            return done;
        }
        final boolean epoll = Epoll.isAvailable();
        final EventLoopGroup group = EventLoops.create(1, epoll);
        done.whenComplete((result, failure) -> group.shutdownGracefully(0, 1, TimeUnit.SECONDS));
        final var loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        final ChannelFuture bind = new ServerBootstrap().group(group)
            .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(final SocketChannel ch) {
                    ch.pipeline().addLast(StreamPipeline.TLS, serverTls.newHandler(ch.alloc()));
                    StreamPipeline.addProtocol(ch.pipeline()).addLast("echo", new Echo(ch));
                }
            })
            .bind(loopback);
        bind.addListener(bound -> {
            if (!bound.isSuccess()) {
                done.completeExceptionally(bound.cause());
                return;
            }
            final var listener = bind.channel();
            done.whenComplete((result, failure) -> listener.close());
            new Bootstrap().group(group)
                .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(final SocketChannel ch) {
                        ch.pipeline().addLast(StreamPipeline.TLS, clientTls.newHandler(ch.alloc()));
                        StreamPipeline.addProtocol(ch.pipeline())
                            .addLast("driver", new Driver(messages, limitMillis, done));
                    }
                })
                .connect(listener.localAddress()).addListener(connected -> {
                    if (!connected.isSuccess()) {
                        done.completeExceptionally(connected.cause());
                    }
                });
        });
        return done;
    }

    /**
     * The server end: every frame goes back through an {@link Outbox}, as a switch sends it on.
     */
    private static final class Echo extends SimpleChannelInboundHandler<Message> {
        private final Outbox<Message> outbox;

        Echo(final Channel channel) {
            super(Message.class, false);
            outbox = Outbox.forChannel(channel, Long.MAX_VALUE);
        }

        @Override
        protected void channelRead0(final ChannelHandlerContext ctx, final Message msg) {
            if (msg instanceof Message.Data) {
                outbox.send(msg);
            } else {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelInactive(final ChannelHandlerContext ctx) throws Exception {
            outbox.discard();
            super.channelInactive(ctx);
        }
    }

    /**
     * The client end: keeps a window of frames in flight until enough came back or the time is up.
     */
    private static final class Driver extends SimpleChannelInboundHandler<Message> {
        private final int total;
        private final long deadline;
        private final long started = System.nanoTime();
        private final CompletableFuture<Result> done;
        private int sent;
        private int received;

        Driver(final int total, final long limitMillis, final CompletableFuture<Result> done) {
            super(Message.class);
            this.total = total;
            this.done = done;
            deadline = started + TimeUnit.MILLISECONDS.toNanos(limitMillis);
        }

        private void send(final ChannelHandlerContext ctx) {
            final int size = SIZES[sent % SIZES.length];
            final var frame = ctx.alloc().directBuffer(size).writeZero(size);
            // a unicast destination and source, as a TAP hands out
            frame.setInt(0, 0x02000000).setInt(6, 0x02000000).setShort(12, 0x0800);
            ctx.write(new Message.Data(1, frame, size > 1518 ? SUPER_FRAME : null), ctx.voidPromise());
            sent++;
        }

        @Override
        public void userEventTriggered(final ChannelHandlerContext ctx, final Object evt) throws Exception {
            if (evt instanceof SslHandshakeCompletionEvent handshake) {
                if (!handshake.isSuccess()) {
                    fail(ctx, handshake.cause());
                    return;
                }
                for (int i = 0; i < WINDOW; i++) {
                    send(ctx);
                }
                ctx.flush();
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        protected void channelRead0(final ChannelHandlerContext ctx, final Message msg) {
            received++;
            if (sent < total && System.nanoTime() < deadline) {
                send(ctx);
            } else if (received == sent) {
                done.complete(new Result(received, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)));
                ctx.close();
            }
        }

        @Override
        public void channelReadComplete(final ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause) {
            fail(ctx, cause);
        }

        @Override
        public void channelInactive(final ChannelHandlerContext ctx) throws Exception {
            fail(ctx, new IOException("the warm-up connection closed early"));
            super.channelInactive(ctx);
        }

        private void fail(final ChannelHandlerContext ctx, final Throwable cause) {
            done.completeExceptionally(cause);
            ctx.close();
        }
    }
}
