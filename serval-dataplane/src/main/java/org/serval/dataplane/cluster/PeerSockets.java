/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.cluster;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.SSLException;
import org.serval.dataplane.Bounds;
import org.serval.dataplane.security.ServerIdentity;
import org.serval.dataplane.transport.Admission;

/**
 * The sockets of the node links: the node-link port this node listens on, and the connections it dials to other
 * nodes' ports. Each gets the same pipeline: TLS (mutual, with the node certificates) unless plaintext is
 * configured, {@link PeerCodec}, an idle check, and a {@link NodeLink} as the last stage.
 *
 * <p>The port is open to whoever reaches it, so what it accepts passes the clients' {@link Admission} first, with
 * the node-link bounds ({@code Bounds.PEER_*}): so many connections per source and in all and so many handshakes a
 * second, counted before any TLS work. It needs no login deadline: the idle check sits after TLS and the codec, so
 * only whole messages count as reading, and a connection that has sent none for {@link NodeLink#DEAD_MILLIS}
 * (whatever bytes it trickled) is closed; its first message must be the HELLO, and only a member's passes.
 */
final class PeerSockets {
    private static final Admission.Limits ADMISSION = new Admission.Limits(NodeLink.DEAD_MILLIS,
        Bounds.PEER_PER_ADDRESS, Bounds.PEER_PER_ADDRESS, Bounds.PEER_PER_SLASH48, Bounds.PEER_TOTAL,
        Bounds.PEER_HANDSHAKES_PER_SECOND, Bounds.PEER_HANDSHAKE_BURST);
    private static final WriteBufferWaterMark WATER_MARK =
        new WriteBufferWaterMark(Bounds.PEER_LOW_WATER, Bounds.PEER_HIGH_WATER);

    private final String self;
    private final ServerIdentity identity;
    private final NodeLink.Listener listener;
    private final LongAdder dropped;
    private final EventLoopGroup group;
    private final boolean epoll = Epoll.isAvailable();

    /**
     * Sockets on a group of event loops.
     *
     * @param identity this node's certificate, or null for plaintext links
     * @param dropped where every link counts the frames it could not take
     */
    PeerSockets(final String self, final ServerIdentity identity, final NodeLink.Listener listener,
            final LongAdder dropped, final EventLoopGroup group) {
        this.self = self;
        this.identity = identity;
        this.listener = listener;
        this.dropped = dropped;
        this.group = group;
    }

    /**
     * Opens the node-link port; blocks until it is bound.
     */
    Channel listen(final InetSocketAddress bind) throws InterruptedException {
        final var admission = new Admission(ADMISSION, identity != null);
        return new ServerBootstrap()
            .group(group)
            .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
            // sees each accepted connection before it is registered, so that a refused one costs nothing more
            .handler(admission)
            .childHandler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(final SocketChannel ch) throws SSLException {
                    pipeline(ch, null, null);
                }
            })
            .bind(bind).sync().channel();
    }

    /**
     * Dials another node's node-link port.
     *
     * @param id the node expected there
     * @param fingerprint the certificate it must present (ignored without TLS)
     */
    ChannelFuture dial(final String id, final String fingerprint, final InetSocketAddress address) {
        return new Bootstrap()
            .group(group)
            .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) NodeLink.DEAD_MILLIS)
            .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
            .handler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(final SocketChannel ch) throws SSLException {
                    pipeline(ch, id, fingerprint);
                }
            })
            .connect(address);
    }

    /**
     * Sets up a link's pipeline.
     *
     * @param expectedId the node this end dials, or null on the accepting end
     * @param fingerprint the certificate that node must present, or null on the accepting end
     */
    private void pipeline(final SocketChannel ch, final String expectedId, final String fingerprint)
            throws SSLException {
        if (identity != null) {
            final var context = expectedId == null ? identity.peerServerContext()
                : identity.peerClientContext(fingerprint);
            ch.pipeline().addLast("tls", context.newHandler(ch.alloc()));
        }
        PeerCodec.addTo(ch.pipeline());
        ch.pipeline()
            .addLast("idle", new IdleStateHandler(NodeLink.DEAD_MILLIS, NodeLink.PING_MILLIS, 0,
                TimeUnit.MILLISECONDS))
            .addLast("link", new NodeLink(self, expectedId, listener, dropped));
    }
}
