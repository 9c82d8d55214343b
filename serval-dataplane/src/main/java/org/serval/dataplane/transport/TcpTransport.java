/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.transport;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.serval.dataplane.Bounds;
import org.serval.dataplane.protocol.StreamPipeline;
import org.serval.dataplane.session.Dataplane;
import org.serval.dataplane.session.StreamLink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TCP listener: one {@link StreamLink} per connection, behind the protocol stages. Native epoll where
 * available. Each connection's pending writes are bounded by a water mark, above which its channel stops being
 * writable and the switch drops that client's frames rather than buffering them. Before login a connection is held
 * to {@link Admission}'s limits and to HELLO-sized messages ({@link StreamPipeline#addServerProtocol}).
 */
public final class TcpTransport implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TcpTransport.class);
    // A client taking offloaded super-frames gets 64 KB at a time: 1 MB is a few milliseconds of its traffic.
    private static final WriteBufferWaterMark WATER_MARK =
        new WriteBufferWaterMark(Bounds.TCP_LOW_WATER, Bounds.TCP_HIGH_WATER);

    private final EventLoopGroup group;
    private final Channel listener;
    private final Admission admission;

    private TcpTransport(final EventLoopGroup group, final Channel listener, final Admission admission) {
        this.group = group;
        this.listener = listener;
        this.admission = admission;
    }

    /**
     * Connections open now.
     */
    public int connections() {
        return admission.open();
    }

    /**
     * Binds and starts accepting clients.
     *
     * @param threads event loop threads; 0 for one per core
     * @param tls the TLS context, or null for plaintext
     */
    public static TcpTransport start(final Dataplane dataplane, final InetSocketAddress bind, final int threads,
            final SslContext tls) throws InterruptedException {
        return start(dataplane, bind, threads, tls, Admission.Limits.DEFAULTS);
    }

    /**
     * Binds and starts accepting clients, within limits of its own (tests use small ones).
     *
     * @param threads event loop threads; 0 for one per core
     * @param tls the TLS context, or null for plaintext
     */
    public static TcpTransport start(final Dataplane dataplane, final InetSocketAddress bind, final int threads,
            final SslContext tls, final Admission.Limits limits) throws InterruptedException {
        final var admission = new Admission(limits, tls != null);
        final boolean epoll = Epoll.isAvailable();
        final EventLoopGroup group = EventLoops.create(threads, epoll);
        final Class<? extends ServerChannel> channelType =
            epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        final long idleMillis = (long) dataplane.settings().keepaliveMillis() * dataplane.settings().expireAfter();
        boolean started = false;
        try {
            final var listener = new ServerBootstrap()
                .group(group)
                .channel(channelType)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                // sees each accepted connection before it is registered, so that a refused one costs nothing more
                .handler(admission)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(final SocketChannel ch) {
                        // Reader idleness resets with every byte; the deadline does not, so a trickle cannot hold
                        // a connection that never logs in.
                        ch.pipeline().addLast("deadline", admission.deadline());
                        ch.pipeline().addLast("idle", new IdleStateHandler(idleMillis, 0, 0, TimeUnit.MILLISECONDS));
                        if (tls != null) {
                            ch.pipeline().addLast(StreamPipeline.TLS, tls.newHandler(ch.alloc()));
                        }
                        StreamPipeline.addServerProtocol(ch.pipeline())
                            .addLast("session", new StreamLink(dataplane, "tcp", ch));
                    }
                })
                .bind(bind).sync().channel();
            LOG.info("SERVAL dataplane listening on tcp {} ({}, {})", listener.localAddress(), epoll ? "epoll" : "nio",
                tls == null ? "PLAINTEXT" : "TLS 1.3");
            started = true;
            return new TcpTransport(group, listener, admission);
        } finally {
            if (!started) {
                // bind failed (port taken, say): leave no threads behind
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            }
        }
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) listener.localAddress();
    }

    @Override
    public void close() {
        listener.close().syncUninterruptibly();
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
