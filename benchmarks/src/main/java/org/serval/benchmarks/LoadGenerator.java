/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.benchmarks;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.serval.dataplane.protocol.Message;
import org.serval.dataplane.protocol.StreamPipeline;
import org.serval.dataplane.security.ClientKeys;
import org.serval.dataplane.security.ServerTrust;
import org.serval.dataplane.transport.EventLoops;

/**
 * Simulated clients over the real protocol, encryption included and no TAP device: each opens a TLS connection,
 * logs in with the client certificate (a password check would cost the server ~0.2 s each), joins a VLAN with a
 * MAC of its own, and then sends keepalives as the server asks, as an idle real client does. For measuring what a
 * node spends on many clients (docs/performance.md, "Many clients"); bin/load-test drives it against a server.
 *
 * <p>Usage: {@code LoadGenerator HOST:PORT PIN CERT.p12 USER VLAN CLIENTS SECONDS [CONNECTS_PER_SECOND]}; the
 * certificate's password comes from SERVAL_CERT_PASSWORD. Prints one status line a second: connected, joined,
 * failed, keepalives answered.
 */
public final class LoadGenerator {
    private static final int CLIENTS_PER_SOURCE = 16;

    private final String host;
    private final boolean isLoopback;
    private final int port;
    private final String user;
    private final String vlan;
    private final SslContext tls;
    private final EventLoopGroup group = EventLoops.create(0, Epoll.isAvailable());
    private final AtomicInteger connected = new AtomicInteger();
    private final AtomicInteger joined = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final AtomicLong acks = new AtomicLong();
    private volatile String lastFailure = "";

    private LoadGenerator(final String server, final String pin, final Path certificate, final String user,
            final String vlan) throws IOException {
        final int colon = server.lastIndexOf(':');
        host = server.substring(0, colon);
        port = Integer.parseInt(server.substring(colon + 1));
        isLoopback = InetAddress.getByName(host).isLoopbackAddress();
        this.user = user;
        this.vlan = vlan;
        tls = ServerTrust.pinned(pin).clientContext(ClientKeys.load(certificate));
    }

    /**
     * One simulated client's protocol: HELLO, JOIN, then keepalives at the server's pace.
     */
    private final class Simulated extends SimpleChannelInboundHandler<Message> {
        private final int index;
        private final Semaphore handshakes;
        private boolean released;

        Simulated(final int index, final Semaphore handshakes) {
            this.index = index;
            this.handshakes = handshakes;
        }

        @Override
        public void channelActive(final ChannelHandlerContext ctx) throws Exception {
            ctx.pipeline().get(SslHandler.class).handshakeFuture().addListener(done -> {
                if (done.isSuccess()) {
                    ctx.writeAndFlush(new Message.Hello(1, "load-" + index, 0, user, Message.Hello.AUTH_CERTIFICATE,
                        ""));
                } else {
                    fail(ctx, "TLS: " + done.cause().getMessage());
                }
            });
            super.channelActive(ctx);
        }

        @Override
        protected void channelRead0(final ChannelHandlerContext ctx, final Message msg) {
            switch (msg) {
                case Message.Welcome welcome -> {
                    connected.incrementAndGet();
                    // a locally administered unicast MAC per client
                    ctx.writeAndFlush(new Message.Join(1, 0x020000000000L | index, vlan));
                    final long period = welcome.keepaliveMillis();
                    ctx.executor().scheduleAtFixedRate(() -> ctx.writeAndFlush(new Message.Keepalive(index)),
                        period, period, TimeUnit.MILLISECONDS);
                }
                case Message.Joined ok -> {
                    joined.incrementAndGet();
                    release();
                }
                case Message.KeepaliveAck ack -> acks.incrementAndGet();
                case Message.Error error -> fail(ctx, error.message());
                default -> {
                    // NODES, and the occasional broadcast of another member
                }
            }
        }

        private void release() {
            if (!released) {
                released = true;
                handshakes.release();
            }
        }

        private void fail(final ChannelHandlerContext ctx, final String why) {
            failed.incrementAndGet();
            lastFailure = why;
            release();
            ctx.close();
        }

        @Override
        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause) {
            fail(ctx, String.valueOf(cause.getMessage()));
        }
    }

    /**
     * Where simulated client {@code index} connects from. The server caps connections and TLS handshakes per source
     * address (docs/security.md), as it should against a real flood; simulated clients of many users on one host
     * spread over 127.0.0.0/8 instead, 16 to an address, as clients behind a few NATs would look. Elsewhere, the
     * host's own address.
     */
    private InetSocketAddress source(final int index) {
        if (!isLoopback) {
            return null;
        }
        final int address = index / CLIENTS_PER_SOURCE;
        return new InetSocketAddress(String.format("127.%d.%d.%d", 1 + address / 62_500 % 254,
            address / 250 % 250, 1 + address % 250), 0);
    }

    private void run(final int clients, final int seconds, final int perSecond) throws InterruptedException {
        // at most this many logins in flight, so that the server's accept queue is not flooded
        final var handshakes = new Semaphore(64);
        final long start = System.nanoTime();
        long nextStatus = start;
        for (int i = 0; i < clients; i++) {
            handshakes.acquire();
            final int index = i;
            new Bootstrap()
                .group(group)
                .channel(Epoll.isAvailable() ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(final SocketChannel ch) {
                        ch.pipeline().addLast(StreamPipeline.TLS, tls.newHandler(ch.alloc(), host, port));
                        StreamPipeline.addProtocol(ch.pipeline()).addLast("client", new Simulated(index, handshakes));
                    }
                })
                .connect(new InetSocketAddress(host, port), source(index));
            if (perSecond > 0) {
                final long due = start + TimeUnit.SECONDS.toNanos(1) * (i + 1) / perSecond;
                final long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
            }
            if (System.nanoTime() - nextStatus >= 0) {
                status(start);
                nextStatus += TimeUnit.SECONDS.toNanos(1);
            }
        }
        final long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() - end < 0) {
            Thread.sleep(1000);
            status(start);
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }

    @SuppressWarnings("checkstyle:RegexpSinglelineJava")
    private void status(final long start) {
        System.out.printf("t=%ds connected=%d joined=%d failed=%d keepalive-acks=%d%s%n",
            TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start), connected.get(), joined.get(), failed.get(),
            acks.get(), lastFailure.isEmpty() ? "" : " last-failure=" + lastFailure);
        System.out.flush();
    }

    public static void main(final String[] args) throws Exception {
        if (args.length < 7) {
            throw new IllegalArgumentException("usage: LoadGenerator HOST:PORT PIN CERT.p12 USER VLAN CLIENTS SECONDS "
                + "[CONNECTS_PER_SECOND]");
        }
        new LoadGenerator(args[0], args[1], Path.of(args[2]), args[3], args[4])
            .run(Integer.parseInt(args[5]), Integer.parseInt(args[6]), args.length > 7 ? Integer.parseInt(args[7]) : 0);
    }
}
