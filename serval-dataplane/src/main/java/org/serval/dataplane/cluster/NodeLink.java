/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.cluster;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateEvent;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.atomic.LongAdder;
import org.serval.dataplane.Bounds;
import org.serval.dataplane.ethernet.Offload;
import org.serval.dataplane.security.Fingerprints;
import org.serval.dataplane.session.LogTally;
import org.serval.dataplane.session.Outbox;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One link to another node: the last stage of its channel's pipeline, the node-link counterpart of a client's
 * {@link org.serval.dataplane.session.StreamLink}. It says who this node is (HELLO), has the other node's HELLO
 * checked ({@link Listener}), and from then on hands what the other node sends to a {@link Receiver}.
 *
 * <p>Everything this node sends goes through the link's {@link Outbox}, the client links' flush consolidation:
 * frames from any event loop queue, and one task on this link's loop writes all that queued and flushes once, so a
 * burst leaves as one TLS record. The queue is bounded ({@link Bounds#PEER_OUTBOX_BYTES}): a frame for a link that
 * is not writable is dropped and counted, never piled up, so a congested link loses frames (which the protocols
 * inside recover) rather than delaying them behind seconds of queue (TCP in TCP).
 */
final class NodeLink extends SimpleChannelInboundHandler<PeerMessage> {
    /**
     * Checks the other node's HELLO and takes the link into service.
     */
    interface Listener {
        /**
         * The other node said who it is; on the link's loop.
         *
         * @param link this link, whose {@link #presentedFingerprint()} is the certificate the other node showed
         * @return where the other node's messages go from now on
         * @throws Refused when the link is not to be: the link logs why and closes
         */
        Receiver accepted(NodeLink link, PeerMessage.Hello hello) throws Refused;

        /**
         * The link is down, whether or not its HELLO was accepted; on the link's loop.
         */
        void closed(NodeLink link);
    }

    /**
     * What the other node sends, once its HELLO is accepted.
     */
    interface Receiver {
        /**
         * A frame, on the link's loop; the receiver consumes it.
         */
        void frame(PeerMessage.Frame frame);

        /**
         * INTEREST, LEARN: on the link's loop.
         */
        void control(PeerMessage message);
    }

    /**
     * Why a HELLO is refused.
     */
    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        Refused(final String why) {
            super(why);
        }
    }

    static final long PING_MILLIS = 500;
    // Four pings missed: the link is down (a crash on the same host closes the socket sooner). That stops frames to
    // the other node and nothing else: whether the node is gone is the cluster's call (its heartbeat, docs/cluster.md).
    static final long DEAD_MILLIS = 2000;
    private static final Logger LOG = LoggerFactory.getLogger(NodeLink.class);
    // Anyone who reaches the node-link port can cause these at will: the first from a quiet source in full, the
    // rest summed up (session/LogTally).
    private static final LogTally REFUSED = new LogTally((count, prefix, seconds, last) ->
        LOG.warn("{} node links refused from {} in the last {} s (the last: {})", LogTally.count(count), prefix,
            seconds, last));
    private static final LogTally FAILED = new LogTally((count, prefix, seconds, last) ->
        LOG.warn("{} node links from {} failed in the last {} s (the last: {})", LogTally.count(count), prefix,
            seconds, last));

    private final String self;
    private final String expectedId;
    private final Listener listener;
    private final LongAdder dropped;
    private Channel channel;
    private Outbox<PeerMessage> outbox;
    // set on the loop when the HELLO is accepted; read by any thread that sends a frame
    private volatile String peerId;
    private volatile boolean offloads;
    private Receiver receiver;
    // one add per frame beside the send it accompanies, read only by the metrics endpoint
    private final LongAdder sentOctets = new LongAdder();
    private final LongAdder receivedOctets = new LongAdder();

    /**
     * A link's last stage.
     *
     * @param self this node's id
     * @param expectedId the node this end dialled, or null on the accepting end
     * @param dropped where frames this link could not take are counted
     */
    NodeLink(final String self, final String expectedId, final Listener listener, final LongAdder dropped) {
        super(PeerMessage.class);
        this.self = self;
        this.expectedId = expectedId;
        this.listener = listener;
        this.dropped = dropped;
    }

    @Override
    public void handlerAdded(final ChannelHandlerContext ctx) {
        channel = ctx.channel();
        outbox = Outbox.forChannel(channel, Bounds.PEER_OUTBOX_BYTES, PeerCodec::encodedLength);
    }

    /**
     * The id the other node's HELLO gave (checked once {@link Listener#accepted} took it), else null.
     */
    String peerId() {
        return peerId;
    }

    /**
     * The node this end dialled, or null on the accepting end.
     */
    String expectedId() {
        return expectedId;
    }

    /**
     * Whether the other node takes FRAME_OFFLOAD (its HELLO said version 2 or later).
     */
    boolean takesOffloads() {
        return offloads;
    }

    /**
     * The SHA-256 fingerprint of the certificate the other node presented, or null without TLS.
     */
    String presentedFingerprint() {
        final var tls = channel.pipeline().get(SslHandler.class);
        return tls == null ? null : Fingerprints.ofPeer(tls.engine());
    }

    /**
     * Whether the link is encrypted.
     */
    boolean secure() {
        return channel.pipeline().get(SslHandler.class) != null;
    }

    SocketAddress remoteAddress() {
        return channel.remoteAddress();
    }

    long sentOctets() {
        return sentOctets.sum();
    }

    long receivedOctets() {
        return receivedOctets.sum();
    }

    /**
     * Whether a frame sent now would be queued within bounds.
     */
    boolean isWritable() {
        return channel.isWritable() && outbox.hasRoom();
    }

    /**
     * Sends a frame from any thread, consuming the reference, or drops and counts it when the link cannot take it
     * now. The offload header (null for none) must be one the other node takes ({@link #takesOffloads()}).
     */
    void sendFrame(final int vlanRef, final ByteBuf frame, final Offload offload) {
        if (!isWritable()) {
            frame.release();
            dropped.increment();
            return;
        }
        sentOctets.add(frame.readableBytes());
        outbox.send(new PeerMessage.Frame(vlanRef, frame, offload));
    }

    /**
     * Sends a control message (INTEREST, LEARN) from any thread; it leaves with the next flush, after the frames
     * queued before it.
     */
    void send(final PeerMessage message) {
        outbox.send(message);
    }

    boolean isActive() {
        return channel.isActive();
    }

    void close() {
        channel.close();
    }

    @Override
    public void channelActive(final ChannelHandlerContext ctx) throws Exception {
        // The dialling end speaks first; the accepting end answers only once it has checked who that is, so that
        // neither takes a link to be up that the other refuses.
        if (expectedId != null) {
            final var tls = ctx.pipeline().get(SslHandler.class);
            if (tls == null) {
                hello(ctx);
            } else {
                tls.handshakeFuture().addListener(done -> {
                    if (done.isSuccess()) {
                        hello(ctx);
                    }
                });
            }
        }
        super.channelActive(ctx);
    }

    private void hello(final ChannelHandlerContext ctx) {
        ctx.writeAndFlush(new PeerMessage.Hello(PeerMessage.VERSION, self));
    }

    @Override
    protected void channelRead0(final ChannelHandlerContext ctx, final PeerMessage msg) {
        if (receiver == null) {
            if (msg instanceof PeerMessage.Hello hello) {
                accept(ctx, hello);
            } else {
                refuse(ctx, "the first message must be HELLO");
            }
            return;
        }
        switch (msg) {
            case PeerMessage.Frame frame -> {
                receivedOctets.add(frame.content().readableBytes());
                // the base class releases the message after this call; the receiver gets a reference of its own
                frame.retain();
                receiver.frame(frame);
            }
            case PeerMessage.Interest interest -> receiver.control(interest);
            case PeerMessage.Learn learn -> receiver.control(learn);
            case PeerMessage.Ping ping -> {
                // the idle handler has seen it
            }
            case PeerMessage.Hello hello -> refuse(ctx, "HELLO was sent twice");
        }
    }

    private void accept(final ChannelHandlerContext ctx, final PeerMessage.Hello hello) {
        // Known before the listener hears of the link, which hands it to other threads: its ports must not send a
        // super-frame whole to a node that cannot take it, nor cut one for a node that can.
        offloads = hello.version() >= PeerMessage.OFFLOAD_VERSION;
        peerId = hello.nodeId();
        final Receiver accepted;
        try {
            accepted = listener.accepted(this, hello);
        } catch (Refused e) {
            refuse(ctx, e.getMessage());
            return;
        }
        if (expectedId == null) {
            hello(ctx);
        }
        receiver = accepted;
        ctx.pipeline().fireUserEventTriggered(PeerCodec.HELLO_ACCEPTED);
    }

    private void refuse(final ChannelHandlerContext ctx, final String why) {
        if (REFUSED.record(remoteHost(), why)) {
            LOG.warn("Refusing the node link with {}: {}", ctx.channel().remoteAddress(), why);
        }
        ctx.close();
    }

    private InetAddress remoteHost() {
        return channel.remoteAddress() instanceof InetSocketAddress inet ? inet.getAddress() : null;
    }

    @Override
    public void userEventTriggered(final ChannelHandlerContext ctx, final Object evt) throws Exception {
        if (evt instanceof IdleStateEvent idle) {
            switch (idle.state()) {
                case WRITER_IDLE -> ctx.writeAndFlush(new PeerMessage.Ping());
                case READER_IDLE -> {
                    LOG.warn("Node link with {} silent for {} ms; closing it", who(), DEAD_MILLIS);
                    ctx.close();
                }
                default -> {
                    // not configured
                }
            }
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    private Object who() {
        return peerId == null ? channel.remoteAddress() : peerId;
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause) {
        if (FAILED.record(remoteHost(), String.valueOf(cause.getMessage()))) {
            LOG.warn("Node link with {}: {}", who(), cause.getMessage());
        }
        ctx.close();
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx) throws Exception {
        outbox.discard();
        listener.closed(this);
        super.channelInactive(ctx);
    }
}
