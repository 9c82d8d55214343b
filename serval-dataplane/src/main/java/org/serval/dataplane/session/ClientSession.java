/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.session;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.timeout.IdleStateEvent;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.serval.api.Checks;
import org.serval.api.ClientRegistry;
import org.serval.dataplane.protocol.Message;
import org.serval.dataplane.protocol.Message.Data;
import org.serval.dataplane.protocol.Message.Error;
import org.serval.dataplane.protocol.MessageCodec;
import org.serval.dataplane.switching.SwitchPort;
import org.serval.dataplane.switching.VlanSwitch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's session on a stream transport: the handshake, its VLAN memberships, and its frames into and out of
 * the switches. Its state is touched only on its channel's event loop; other sessions reach it only through its
 * {@link SwitchPort}s, whose {@code deliver} only writes to the channel, which Netty makes safe from any thread.
 */
public final class ClientSession extends SimpleChannelInboundHandler<Message> {
    private static final Logger LOG = LoggerFactory.getLogger(ClientSession.class);

    /**
     * The session's attachment to one VLAN.
     */
    private final class Port implements SwitchPort {
        final int vlanRef;
        final String vlan;
        final VlanSwitch vlanSwitch;

        Port(final int vlanRef, final String vlan, final VlanSwitch vlanSwitch) {
            this.vlanRef = vlanRef;
            this.vlan = vlan;
            this.vlanSwitch = vlanSwitch;
        }

        @Override
        public void deliver(final ByteBuf frame) {
            final var ch = channel;
            if (ch == null || !ch.isWritable()) {
                // A slow client loses its own frames; it cannot make the switch buffer for it.
                frame.release();
                outDiscards.increment();
                return;
            }
            outFrames.increment();
            outOctets.add(frame.readableBytes());
            ch.writeAndFlush(new Data(vlanRef, frame), ch.voidPromise());
        }

        @Override
        public String owner() {
            return clientId;
        }
    }

    private final Dataplane dataplane;
    private final Map<Integer, Port> ports = new HashMap<>();
    private final LongAdder outFrames = new LongAdder();
    private final LongAdder outOctets = new LongAdder();
    private final LongAdder outDiscards = new LongAdder();
    // Written on the event loop, read by the periodic counter report.
    private final LongAdder inFrames = new LongAdder();
    private final LongAdder inOctets = new LongAdder();
    private final LongAdder inDiscards = new LongAdder();
    private ClientRegistry.TrafficCounters reported;
    private volatile Channel channel;
    private String clientId;
    private int nextVlanRef = 1;
    private String endReason = "closed";

    public ClientSession(final Dataplane dataplane) {
        super(Message.class);
        this.dataplane = dataplane;
    }

    @Override
    public void handlerAdded(final ChannelHandlerContext ctx) {
        // Not channelActive: the handler may join a pipeline whose channel is active already.
        channel = ctx.channel();
    }

    @Override
    protected void channelRead0(final ChannelHandlerContext ctx, final Message msg) {
        if (clientId == null && !(msg instanceof Message.Hello)) {
            refuse(ctx, 0, Error.MALFORMED, "the first message must be HELLO");
            return;
        }
        switch (msg) {
            case Data data -> forward(data);
            case Message.Hello hello -> hello(ctx, hello);
            case Message.Join join -> join(ctx, join);
            case Message.Leave leave -> leave(ctx, leave);
            case Message.Keepalive keepalive -> ctx.writeAndFlush(new Message.KeepaliveAck(keepalive.seq()));
            case Message.KeepaliveAck ack -> {
                // any message proves the client alive; the idle handler has seen this one
            }
            case Message.ListVlans list -> listVlans(ctx, list);
            case Message.Bye bye -> ctx.close();
            default -> refuse(ctx, 0, Error.MALFORMED, "a client does not send " + msg.getClass().getSimpleName());
        }
    }

    private void forward(final Data data) {
        final var port = ports.get(data.vlanRef());
        // The membership is checked on every frame against the node's view, so a VLAN that was deleted or a
        // membership that was ended elsewhere stops traffic at once.
        if (port == null || !dataplane.directory().isMember(clientId, port.vlan)) {
            inDiscards.increment();
            return;
        }
        inFrames.increment();
        inOctets.add(data.content().readableBytes());
        port.vlanSwitch.receive(port, data.content().retain(), System.nanoTime());
    }

    private void hello(final ChannelHandlerContext ctx, final Message.Hello hello) {
        if (clientId != null) {
            refuse(ctx, 0, Error.MALFORMED, "HELLO was sent twice");
            return;
        }
        if (hello.maxVersion() < MessageCodec.VERSION) {
            refuse(ctx, 0, Error.UNSUPPORTED_VERSION, "this server speaks version " + MessageCodec.VERSION);
            return;
        }
        final String id;
        try {
            id = Checks.clientId(hello.clientId());
        } catch (IllegalArgumentException e) {
            refuse(ctx, 0, Error.MALFORMED, e.getMessage());
            return;
        }
        clientId = id;
        final var previous = dataplane.register(id, this);
        if (previous != null) {
            LOG.info("Client {} reconnected; closing its previous session", id);
            previous.close("closed");
        }
        final var remote = ctx.channel().remoteAddress() instanceof InetSocketAddress inet ? inet : null;
        dataplane.registry().connected(id, null, "tcp",
            remote == null ? "0.0.0.0" : remote.getAddress().getHostAddress(), remote == null ? 0 : remote.getPort())
            .whenComplete((ok, failure) -> ctx.executor().execute(() -> {
                if (failure != null) {
                    LOG.warn("Could not register client {}", id, failure);
                    refuse(ctx, 0, Error.INTERNAL, "the server could not register this client");
                    return;
                }
                final var settings = dataplane.settings();
                ctx.writeAndFlush(new Message.Welcome(MessageCodec.VERSION, settings.nodeId(),
                    settings.keepaliveMillis(), settings.expireAfter(), settings.tapMtu()));
                LOG.info("Client {} connected from {}", id, remote);
            }));
    }

    private void join(final ChannelHandlerContext ctx, final Message.Join join) {
        final String vlan;
        try {
            vlan = Checks.vlanName(join.vlan());
        } catch (IllegalArgumentException e) {
            refuse(ctx, join.request(), Error.UNKNOWN_VLAN, e.getMessage());
            return;
        }
        for (var port : ports.values()) {
            if (port.vlan.equals(vlan)) {
                ctx.writeAndFlush(new Message.Joined(join.request(), port.vlanRef, vlan));
                return;
            }
        }
        final var directory = dataplane.directory();
        final var info = directory.vlan(vlan);
        if (info.isEmpty()) {
            ctx.writeAndFlush(new Error(join.request(), Error.UNKNOWN_VLAN, "VLAN " + vlan + " does not exist"));
            return;
        }
        if (directory.memberCount(vlan) >= info.orElseThrow().maxMembers()) {
            ctx.writeAndFlush(new Error(join.request(), Error.VLAN_FULL, "VLAN " + vlan + " is full"));
            return;
        }
        if (ports.size() >= 255 || (join.mac() >>> 40 & 1) != 0 || join.mac() == 0) {
            ctx.writeAndFlush(new Error(join.request(), Error.LIMIT, "too many VLANs or not a unicast MAC"));
            return;
        }
        dataplane.registry().joined(clientId, vlan, join.mac()).whenComplete((ok, failure) ->
            ctx.executor().execute(() -> {
                if (failure != null || !ctx.channel().isActive()) {
                    if (failure != null) {
                        LOG.warn("Could not record client {} joining {}", clientId, vlan, failure);
                        ctx.writeAndFlush(new Error(join.request(), Error.INTERNAL, "could not join " + vlan));
                    }
                    return;
                }
                final var port = new Port(nextVlanRef++, vlan, dataplane.switchFor(vlan));
                ports.put(port.vlanRef, port);
                port.vlanSwitch.attach(port);
                ctx.writeAndFlush(new Message.Joined(join.request(), port.vlanRef, vlan));
            }));
    }

    private void leave(final ChannelHandlerContext ctx, final Message.Leave leave) {
        final var port = ports.remove(leave.vlanRef());
        if (port == null) {
            ctx.writeAndFlush(new Error(leave.request(), Error.UNKNOWN_VLAN, "not joined: " + leave.vlanRef()));
            return;
        }
        port.vlanSwitch.detach(port);
        dataplane.registry().left(clientId, port.vlan);
        ctx.writeAndFlush(new Message.Left(leave.request(), port.vlanRef));
    }

    private void listVlans(final ChannelHandlerContext ctx, final Message.ListVlans list) {
        final var entries = new ArrayList<Message.VlanEntry>();
        // A VLANS message must fit one protocol message; 40 names of up to 64 bytes always do.
        for (var vlan : dataplane.directory().vlans(list.prefix(), 40)) {
            entries.add(new Message.VlanEntry(vlan.name(),
                Math.min(dataplane.directory().memberCount(vlan.name()), 65535), vlan.open()));
        }
        ctx.writeAndFlush(new Message.Vlans(list.request(), entries));
    }

    private void refuse(final ChannelHandlerContext ctx, final long request, final int code, final String why) {
        LOG.debug("Refusing client {} from {}: {}", clientId, ctx.channel().remoteAddress(), why);
        endReason = "error";
        ctx.writeAndFlush(new Error(request, code, why)).addListener(ChannelFutureListener.CLOSE);
    }

    /**
     * Reports this session's counters to the registry if they changed since the last report. Called periodically
     * from outside the event loop.
     */
    void reportCounters() {
        final var id = clientId;
        if (id == null) {
            return;
        }
        final var now = new ClientRegistry.TrafficCounters(inFrames.sum(), inOctets.sum(), outFrames.sum(),
            outOctets.sum(), inDiscards.sum(), outDiscards.sum());
        if (!now.equals(reported)) {
            reported = now;
            dataplane.registry().counters(id, now);
        }
    }

    /**
     * Ends the session from outside its event loop (disconnect-client, a newer session of the same client).
     */
    void close(final String reason) {
        final var ch = channel;
        if (ch != null) {
            ch.eventLoop().execute(() -> {
                endReason = reason;
                ch.writeAndFlush(new Message.Bye(0)).addListener(ChannelFutureListener.CLOSE);
            });
        }
    }

    @Override
    public void userEventTriggered(final ChannelHandlerContext ctx, final Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            LOG.info("Client {} sent nothing for {} keepalive periods; expiring it", clientId,
                dataplane.settings().expireAfter());
            endReason = "expired";
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause) {
        // Malformed input: one log line per connection, then the connection goes; the server goes on.
        LOG.warn("Closing connection from {} (client {}): {}", ctx.channel().remoteAddress(), clientId,
            cause.getMessage());
        endReason = "error";
        ctx.writeAndFlush(new Error(0, Error.MALFORMED, String.valueOf(cause.getMessage())))
            .addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx) throws Exception {
        for (var port : ports.values()) {
            port.vlanSwitch.detach(port);
        }
        ports.clear();
        if (clientId != null) {
            if (dataplane.unregister(clientId, this)) {
                dataplane.registry().disconnected(clientId, endReason);
            }
            LOG.info("Client {} disconnected ({}); {} frames in, {} out, {} + {} discarded", clientId, endReason,
                inFrames.sum(), outFrames.sum(), inDiscards.sum(), outDiscards.sum());
        }
        super.channelInactive(ctx);
    }
}
