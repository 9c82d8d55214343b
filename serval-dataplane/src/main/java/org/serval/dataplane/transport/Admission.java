/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.serval.dataplane.Bounds;
import org.serval.dataplane.protocol.StreamPipeline;
import org.serval.dataplane.session.LogTally;
import org.serval.dataplane.session.Sources;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a TCP listener lets in before a client has logged in. At accept, before any TLS work: at most so many
 * connections per source (an IPv4 address, an IPv6 /64, and more per IPv6 /48) and in all, and, with TLS, at most
 * so many handshakes per second per source (a token bucket each, the least recently seen forgotten first); a
 * connection over a limit is closed at once. After accept: a connection that has not logged in (its WELCOME sent)
 * by the deadline is closed, however many bytes it trickles in the meantime.
 */
@Sharable
public final class Admission extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(Admission.class);
    private static final LogTally REFUSALS = new LogTally((count, prefix, seconds, last) ->
        LOG.warn("{} TCP connections refused from {} in the last {} s (the last: {})", LogTally.count(count), prefix,
            seconds, last));
    private static final LogTally LATE = new LogTally((count, prefix, seconds, last) ->
        LOG.info("{} TCP connections from {} closed in the last {} s: not logged in in time", LogTally.count(count),
            prefix, seconds));

    /**
     * The limits of one listener.
     *
     * @param deadlineMillis how long after accept a connection must be logged in
     * @param perAddress connections from one IPv4 address
     * @param perSlash64 connections from one IPv6 /64
     * @param perSlash48 connections from one IPv6 /48
     * @param total connections in all
     * @param handshakesPerSecond TLS handshakes one source may start per second (an IPv6 /48 four times as many)
     * @param handshakeBurst handshakes a quiet source may start at once (an IPv6 /48 four times as many)
     */
    public record Limits(long deadlineMillis, int perAddress, int perSlash64, int perSlash48, int total,
            int handshakesPerSecond, int handshakeBurst) {
        public static final Limits DEFAULTS = new Limits(Bounds.PRELOGIN_DEADLINE_MILLIS, Bounds.TCP_PER_ADDRESS,
            Bounds.TCP_PER_SLASH64, Bounds.TCP_PER_SLASH48, Bounds.TCP_TOTAL, Bounds.HANDSHAKES_PER_SECOND,
            Bounds.HANDSHAKE_BURST);
    }

    private static final class Bucket {
        double tokens;
        long last;

        Bucket(final double tokens, final long now) {
            this.tokens = tokens;
            last = now;
        }

        boolean take(final long now, final double perSecond, final double burst) {
            tokens = Math.min(burst, tokens + (now - last) * perSecond / TimeUnit.SECONDS.toNanos(1));
            last = now;
            if (tokens < 1) {
                return false;
            }
            tokens -= 1;
            return true;
        }
    }

    private final Limits limits;
    private final boolean tls;
    private final AtomicInteger open = new AtomicInteger();
    // Raised on the listener's loop only; lowered on the connections' loops as they close.
    private final ConcurrentHashMap<String, AtomicInteger> perSource = new ConcurrentHashMap<>();
    private final Map<String, Bucket> handshakes = new LinkedHashMap<>(256, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(final Map.Entry<String, Bucket> eldest) {
            // A forgotten source starts again with a full bucket: a spray of sources buys one burst each.
            return size() > Bounds.HANDSHAKE_SOURCES;
        }
    };

    /**
     * Limits for a listener.
     *
     * @param tls whether its connections start with a TLS handshake, which the handshake rate limits
     */
    public Admission(final Limits limits, final boolean tls) {
        this.limits = limits;
        this.tls = tls;
    }

    /**
     * Connections open now.
     */
    public int open() {
        return open.get();
    }

    /**
     * The listener accepted a connection (the message is the new channel, not registered yet): admits it, or
     * closes it before it costs anything.
     */
    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg) {
        final var child = (Channel) msg;
        final var address = child.remoteAddress() instanceof InetSocketAddress inet ? inet.getAddress() : null;
        final var refused = admit(address);
        if (refused != null) {
            if (REFUSALS.record(address, refused)) {
                LOG.warn("Refusing a TCP connection from {}: {}", address, refused);
            }
            child.unsafe().closeForcibly();
            return;
        }
        child.closeFuture().addListener(closed -> release(address));
        ctx.fireChannelRead(child);
    }

    /**
     * Counts a new connection from an address if it is within the limits.
     *
     * @return null when admitted (and counted), else why not
     */
    String admit(final InetAddress address) {
        if (open.get() >= limits.total()) {
            return "the server has " + limits.total() + " connections open, the most it takes";
        }
        final var host = Sources.host(address);
        final var site = Sources.site(address);
        final int hostLimit = site == null ? limits.perAddress() : limits.perSlash64();
        if (held(host) >= hostLimit) {
            return host + " has " + hostLimit + " connections open, the most one source may have";
        }
        if (site != null && held(site) >= limits.perSlash48()) {
            return site + " has " + limits.perSlash48() + " connections open, the most one site may have";
        }
        if (tls && !handshake(host, site)) {
            return "more than " + limits.handshakesPerSecond() + " TLS handshakes a second from " + host;
        }
        open.incrementAndGet();
        count(host, 1);
        if (site != null) {
            count(site, 1);
        }
        return null;
    }

    /**
     * A connection {@link #admit} counted closed.
     */
    void release(final InetAddress address) {
        open.decrementAndGet();
        count(Sources.host(address), -1);
        final var site = Sources.site(address);
        if (site != null) {
            count(site, -1);
        }
    }

    private int held(final String source) {
        final var count = perSource.get(source);
        return count == null ? 0 : count.get();
    }

    private void count(final String source, final int delta) {
        perSource.compute(source, (key, count) -> {
            final var now = count == null ? new AtomicInteger() : count;
            // an entry at zero goes, so that the table holds only sources with connections
            return now.addAndGet(delta) <= 0 ? null : now;
        });
    }

    private boolean handshake(final String host, final String site) {
        final long now = System.nanoTime();
        final double rate = limits.handshakesPerSecond();
        final double burst = limits.handshakeBurst();
        synchronized (handshakes) {
            final var hostBucket = handshakes.computeIfAbsent(host, key -> new Bucket(burst, now));
            if (site == null) {
                return hostBucket.take(now, rate, burst);
            }
            final var siteBucket = handshakes.computeIfAbsent(site, key -> new Bucket(4 * burst, now));
            if (!hostBucket.take(now, rate, burst)) {
                return false;
            }
            if (!siteBucket.take(now, 4 * rate, 4 * burst)) {
                // refused for its site's sake: the host keeps its token
                hostBucket.tokens += 1;
                return false;
            }
            return true;
        }
    }

    /**
     * The stage that closes a connection not logged in by the deadline; goes first in each connection's pipeline.
     */
    ChannelInboundHandlerAdapter deadline() {
        return new Deadline(limits.deadlineMillis());
    }

    private static final class Deadline extends ChannelInboundHandlerAdapter {
        private final long millis;
        private ScheduledFuture<?> timer;

        Deadline(final long millis) {
            this.millis = millis;
        }

        @Override
        public void channelActive(final ChannelHandlerContext ctx) throws Exception {
            timer = ctx.executor().schedule(() -> {
                final var remote = ctx.channel().remoteAddress();
                final var address = remote instanceof InetSocketAddress inet ? inet.getAddress() : null;
                if (LATE.record(address, "")) {
                    LOG.info("Closing the TCP connection from {}: not logged in within {} ms", remote, millis);
                }
                ctx.close();
            }, millis, TimeUnit.MILLISECONDS);
            super.channelActive(ctx);
        }

        @Override
        public void userEventTriggered(final ChannelHandlerContext ctx, final Object evt) throws Exception {
            super.userEventTriggered(ctx, evt);
            if (evt == StreamPipeline.LOGGED_IN && timer != null) {
                cancel();
                // its work is done; the pipeline need not pass every later read through it
                ctx.pipeline().remove(this);
            }
        }

        @Override
        public void channelInactive(final ChannelHandlerContext ctx) throws Exception {
            cancel();
            super.channelInactive(ctx);
        }

        private void cancel() {
            if (timer != null) {
                timer.cancel(false);
                timer = null;
            }
        }
    }
}
