/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.session;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetSocketAddress;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.serval.dataplane.Bounds;
import org.serval.dataplane.protocol.Message;
import org.serval.dataplane.protocol.StreamPipeline;
import org.serval.dataplane.security.Fingerprints;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last stage of a stream channel's pipeline (behind TLS unless plaintext is configured): decoded messages go
 * to a {@link ClientSession}, the session's messages go to the channel. One per connection.
 */
public final class StreamLink extends SimpleChannelInboundHandler<Message> implements Link {
    private static final Logger LOG = LoggerFactory.getLogger(StreamLink.class);
    // Anyone can open connections that fail TLS; the log sums them up per source prefix.
    private static final LogTally HANDSHAKE_FAILURES = new LogTally((count, prefix, seconds, last) ->
        LOG.warn("{} TLS failures from {} in the last {} s (the last: {})", LogTally.count(count), prefix, seconds,
            last));
    private final String transport;
    private final ClientSession session;
    // As much again as the channel's high water mark may wait here, beyond what the channel holds.
    private static final long OUTBOX_BYTES = Bounds.TCP_OUTBOX_BYTES;
    private final Channel channel;
    private final Outbox<Message> outbox;
    // A client that stops reading leaves its channel unwritable: after this long without a moment's room, it is as
    // unreachable as a client that fell silent, and goes the same way instead of holding its buffers.
    private final long stallNanos;
    // When the channel last turned unwritable; meaningful only while it is.
    private long unwritableSince;
    private boolean stallCheckPending;

    public StreamLink(final Dataplane dataplane, final String transport, final Channel channel) {
        super(Message.class);
        this.transport = transport;
        this.channel = channel;
        outbox = Outbox.forChannel(channel, OUTBOX_BYTES);
        session = new ClientSession(dataplane, this);
        stallNanos = TimeUnit.MILLISECONDS.toNanos((long) dataplane.settings().keepaliveMillis()
            * dataplane.settings().expireAfter());
    }

    @Override
    public void channelWritabilityChanged(final ChannelHandlerContext ctx) throws Exception {
        if (!ctx.channel().isWritable()) {
            unwritableSince = System.nanoTime();
            if (!stallCheckPending) {
                // One check at a time, however often a busy channel flips: a bulk transfer flips it thousands of
                // times a second, and a task each would pile up.
                stallCheckPending = true;
                ctx.executor().schedule(() -> checkStall(ctx), stallNanos, TimeUnit.NANOSECONDS);
            }
        }
        super.channelWritabilityChanged(ctx);
    }

    private void checkStall(final ChannelHandlerContext ctx) {
        stallCheckPending = false;
        if (!ctx.channel().isActive() || ctx.channel().isWritable()) {
            return;
        }
        final long waited = System.nanoTime() - unwritableSince;
        if (waited >= stallNanos) {
            session.stalled(TimeUnit.NANOSECONDS.toMillis(waited));
            return;
        }
        // it had room in between and filled up again: look again when this stretch would be long enough
        stallCheckPending = true;
        ctx.executor().schedule(() -> checkStall(ctx), stallNanos - waited, TimeUnit.NANOSECONDS);
    }

    @Override
    protected void channelRead0(final ChannelHandlerContext ctx, final Message msg) {
        session.receive(msg);
    }

    @Override
    public void userEventTriggered(final ChannelHandlerContext ctx, final Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            session.expired();
            return;
        }
        if (evt instanceof SslHandshakeCompletionEvent handshake && !handshake.isSuccess()) {
            tlsFailed(String.valueOf(handshake.cause().getMessage()));
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause) {
        final var tls = tlsFailure(cause);
        if (tls != null) {
            // Nothing can be said to a peer that failed TLS.
            tlsFailed(tls.getMessage());
            ctx.close();
            return;
        }
        if (cause instanceof DecoderException) {
            // Malformed input ends a stream: after a framing error nothing that follows can be trusted.
            session.malformed(cause.getMessage());
            return;
        }
        // The connection failed under the session (reset by the peer, a write to a closed socket): nothing to
        // answer, and not the client's input's fault.
        LOG.debug("Connection from {} failed", remote(), cause);
        ctx.close();
    }

    private void tlsFailed(final String why) {
        final var from = remote();
        if (HANDSHAKE_FAILURES.record(from == null ? null : from.getAddress(), why)) {
            LOG.warn("TLS failed from {}: {}", from, why);
        }
    }

    private static SSLException tlsFailure(final Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SSLException ssl) {
                return ssl;
            }
        }
        return null;
    }

    @Override
    public boolean secure() {
        return channel.pipeline().get(SslHandler.class) != null;
    }

    @Override
    public boolean carriesOffload() {
        return true;
    }

    @Override
    public String clientCertificate() {
        final var tls = channel.pipeline().get(SslHandler.class);
        return tls == null ? null : Fingerprints.ofPeer(tls.engine());
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx) throws Exception {
        outbox.discard();
        session.ended();
        super.channelInactive(ctx);
    }

    @Override
    public String transport() {
        return transport;
    }

    @Override
    public InetSocketAddress remote() {
        return channel.remoteAddress() instanceof InetSocketAddress inet ? inet : null;
    }

    @Override
    public EventExecutor executor() {
        return channel.eventLoop();
    }

    @Override
    public boolean isWritable() {
        return channel.isWritable() && outbox.hasRoom();
    }

    @Override
    public void send(final Message message) {
        if (message instanceof Message.Welcome) {
            // logged in: the pre-login limits (deadline, HELLO-sized messages) let go before the client can answer
            channel.pipeline().fireUserEventTriggered(StreamPipeline.LOGGED_IN);
        }
        outbox.send(message);
    }

    @Override
    public void sendAndClose(final Message message) {
        if (channel.eventLoop().inEventLoop()) {
            outbox.drain();
            channel.writeAndFlush(message).addListener(ChannelFutureListener.CLOSE);
        } else {
            try {
                channel.eventLoop().execute(() -> sendAndClose(message));
            } catch (RejectedExecutionException e) {
                // the loop is gone, and the channel with it
                ReferenceCountUtil.release(message);
            }
        }
    }

    @Override
    public void close() {
        channel.close();
    }
}
