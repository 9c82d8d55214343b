/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.serval.dataplane.Bounds;
import org.serval.dataplane.session.Dataplane;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The UDP listener: one message per datagram (docs/protocol.md), one session per client address. With native
 * epoll it binds one socket per event loop on the same port with SO_REUSEPORT, and the kernel spreads clients over
 * them by address, so that UDP uses every core as TCP does; each client stays on one socket and one thread.
 */
public final class UdpTransport implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(UdpTransport.class);
    // Bounds what the sockets queue for the kernel; above it, frames to clients are dropped, not buffered.
    private static final WriteBufferWaterMark WATER_MARK =
        new WriteBufferWaterMark(Bounds.UDP_LOW_WATER, Bounds.UDP_HIGH_WATER);
    // Socket buffers large enough to absorb a burst of full frames between two reads.
    private static final int SOCKET_BUFFER = Bounds.UDP_SOCKET_BUFFER;

    private final EventLoopGroup group;
    private final List<Channel> sockets;

    private UdpTransport(final EventLoopGroup group, final List<Channel> sockets) {
        this.group = group;
        this.sockets = sockets;
    }

    /**
     * Binds and starts serving clients.
     *
     * @param threads event loops (and sockets, with epoll); 0 for one per core
     * @param maxPeers how many clients one socket serves at most
     * @param sealed whether datagrams are sealed (docs/protocol.md, "Sealed UDP"); false for plaintext
     */
    public static UdpTransport start(final Dataplane dataplane, final InetSocketAddress bind, final int threads,
            final int maxPeers, final boolean sealed) throws InterruptedException {
        return start(dataplane, bind, threads, maxPeers, sealed,
            TimeUnit.SECONDS.toNanos(Bounds.UDP_SESSION_LIFETIME_SECONDS));
    }

    /**
     * Binds and starts serving clients whose sealed sessions live {@code lifetimeNanos} (tests shorten it).
     */
    static UdpTransport start(final Dataplane dataplane, final InetSocketAddress bind, final int threads,
            final int maxPeers, final boolean sealed, final long lifetimeNanos) throws InterruptedException {
        final boolean epoll = Epoll.isAvailable();
        final int loops = EventLoops.count(threads);
        final int sockets = epoll ? loops : 1;
        final var peers = new ConcurrentHashMap<Object, DatagramPeers.Peer>();
        final var tickets = sealed ? dataplane.gatekeeper().tickets() : null;
        final EventLoopGroup group = EventLoops.create(loops, epoll);
        final var bootstrap = new Bootstrap()
            .group(group)
            .channel(epoll ? EpollDatagramChannel.class : NioDatagramChannel.class)
            .option(ChannelOption.SO_RCVBUF, SOCKET_BUFFER)
            .option(ChannelOption.SO_SNDBUF, SOCKET_BUFFER)
            .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
            .handler(new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(final Channel ch) {
                    ch.pipeline().addLast("peers", new DatagramPeers(dataplane, ch, peers, tickets,
                        maxPeers * sockets, lifetimeNanos));
                }
            });
        if (epoll) {
            // GRO: a client's GSO run (or a burst the kernel joins) comes up in one read, cut into datagrams here.
            bootstrap.option(EpollChannelOption.SO_REUSEPORT, true)
                .option(EpollChannelOption.UDP_GRO, true)
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(Bounds.UDP_GRO_READ_BYTES));
        }
        final var channels = new ArrayList<Channel>();
        boolean started = false;
        try {
            for (int i = 0; i < sockets; i++) {
                // The first bind fixes the port (it may have been 0); the others share it.
                final var at = channels.isEmpty() ? bind
                    : new InetSocketAddress(bind.getAddress(), ((InetSocketAddress) channels.get(0).localAddress())
                        .getPort());
                channels.add(bootstrap.bind(at).sync().channel());
            }
            final var mode = (epoll ? "epoll, " : "nio, ") + channels.size() + " socket(s), "
                + (sealed ? "sealed with AES-GCM" : "PLAINTEXT");
            LOG.info("SERVAL dataplane listening on udp {} ({})", channels.get(0).localAddress(), mode);
            started = true;
            return new UdpTransport(group, channels);
        } finally {
            if (!started) {
                channels.forEach(Channel::close);
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            }
        }
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) sockets.get(0).localAddress();
    }

    @Override
    public void close() {
        sockets.forEach(socket -> socket.close().syncUninterruptibly());
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
