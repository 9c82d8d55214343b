/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.serval.dataplane.protocol.Message;
import org.serval.dataplane.protocol.MessageCodec;
import org.serval.dataplane.protocol.ProtocolException;
import org.serval.dataplane.session.ClientSession;
import org.serval.dataplane.session.Dataplane;
import org.serval.dataplane.session.Link;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one stage of a UDP socket's pipeline: decodes each datagram as one message and hands it to the session of
 * the address it came from. Only a HELLO creates a session, so that datagrams from anywhere cannot make the server
 * hold state; a malformed datagram is dropped, counted and logged (at most once a second, so that a flood of them
 * cannot flood the log), and the session it came from, if any, carries on.
 */
final class DatagramPeers extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(DatagramPeers.class);
    private static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
    // docs/protocol.md: BYE reason 1 tells a client its session is unknown here (the server restarted).
    static final int BYE_UNKNOWN_SESSION = 1;

    /**
     * One client address on this socket.
     */
    private final class Peer implements Link {
        final InetSocketAddress address;
        final ClientSession session;
        long lastHeard;
        boolean closed;

        Peer(final InetSocketAddress address, final long now) {
            this.address = address;
            lastHeard = now;
            session = new ClientSession(dataplane, this);
        }

        @Override
        public String transport() {
            return "udp";
        }

        @Override
        public InetSocketAddress remote() {
            return address;
        }

        @Override
        public EventExecutor executor() {
            return channel.eventLoop();
        }

        @Override
        public boolean isWritable() {
            return !closed && channel.isWritable();
        }

        @Override
        public void send(final Message message) {
            if (closed) {
                ReferenceCountUtil.release(message);
                return;
            }
            sendTo(address, message);
        }

        @Override
        public void sendAndClose(final Message message) {
            send(message);
            close();
        }

        @Override
        public void close() {
            if (channel.eventLoop().inEventLoop()) {
                end(this);
            } else {
                channel.eventLoop().execute(() -> end(this));
            }
        }
    }

    private final Dataplane dataplane;
    private final int maxPeers;
    private final long expireNanos;
    private final Map<InetSocketAddress, Peer> peers = new HashMap<>();
    // Touched only on the socket's event loop.
    private long malformed;
    private long strays;
    private final Channel channel;
    private ScheduledFuture<?> sweeper;
    private long lastLog;
    private long unlogged;

    DatagramPeers(final Dataplane dataplane, final Channel channel, final int maxPeers) {
        this.dataplane = dataplane;
        this.channel = channel;
        this.maxPeers = maxPeers;
        final var settings = dataplane.settings();
        expireNanos = TimeUnit.MILLISECONDS.toNanos((long) settings.keepaliveMillis() * settings.expireAfter());
    }

    @Override
    public void handlerAdded(final ChannelHandlerContext ctx) {
        // UDP has no connection to lose: silence is the only sign of a client gone, checked twice a period.
        final long period = Math.max(50, dataplane.settings().keepaliveMillis() / 2);
        sweeper = ctx.executor().scheduleAtFixedRate(this::expireSilent, period, period, TimeUnit.MILLISECONDS);
    }

    private void sendTo(final InetSocketAddress to, final Message message) {
        final var bytes = MessageCodec.toBuffer(channel.alloc(), message);
        channel.writeAndFlush(new DatagramPacket(bytes, to), channel.voidPromise());
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg) {
        if (!(msg instanceof DatagramPacket packet)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        try {
            final var from = packet.sender();
            final Message message;
            try {
                message = MessageCodec.decode(packet.content());
            } catch (ProtocolException e) {
                malformed++;
                logDropped(from, e.getMessage());
                return;
            }
            try {
                deliver(from, message);
            } finally {
                ReferenceCountUtil.release(message);
            }
        } finally {
            packet.release();
        }
    }

    private void deliver(final InetSocketAddress from, final Message message) {
        final long now = System.nanoTime();
        var peer = peers.get(from);
        if (peer == null) {
            if (!(message instanceof Message.Hello)) {
                strays++;
                if (message instanceof Message.Keepalive) {
                    // A client whose session this server does not know (it restarted, or expired the client) learns
                    // so at its next keepalive, with an answer no larger than the question.
                    sendTo(from, new Message.Bye(BYE_UNKNOWN_SESSION));
                }
                return;
            }
            if (peers.size() >= maxPeers) {
                logDropped(from, "this socket serves " + maxPeers + " clients already");
                sendTo(from, new Message.Error(0, Message.Error.LIMIT, "the server is full"));
                return;
            }
            peer = new Peer(from, now);
            peers.put(from, peer);
        }
        peer.lastHeard = now;
        peer.session.receive(message);
    }

    private void logDropped(final InetSocketAddress from, final String why) {
        final long now = System.nanoTime();
        if (now - lastLog < LOG_INTERVAL_NANOS) {
            unlogged++;
            return;
        }
        LOG.warn("Dropped a datagram from {}: {}{}", from, why,
            unlogged == 0 ? "" : " (and " + unlogged + " more since the last report)");
        lastLog = now;
        unlogged = 0;
    }

    private void end(final Peer peer) {
        if (!peer.closed) {
            peer.closed = true;
            peers.remove(peer.address, peer);
            peer.session.ended();
        }
    }

    private void expireSilent() {
        final long now = System.nanoTime();
        for (var peer : new ArrayList<>(peers.values())) {
            if (now - peer.lastHeard > expireNanos) {
                peer.session.expired();
            }
        }
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx) throws Exception {
        if (sweeper != null) {
            sweeper.cancel(false);
        }
        for (var peer : new ArrayList<>(peers.values())) {
            end(peer);
        }
        LOG.debug("UDP socket {} closed; {} malformed and {} stray datagrams dropped in its life",
            ctx.channel().localAddress(), malformed, strays);
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause) {
        // An ICMP port-unreachable or the like surfaces here; one client's trouble must not end the socket.
        LOG.debug("UDP socket {}: {}", ctx.channel().localAddress(), cause.getMessage());
    }
}
