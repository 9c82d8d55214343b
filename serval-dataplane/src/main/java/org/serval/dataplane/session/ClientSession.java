/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.session;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import org.serval.api.Checks;
import org.serval.api.ClientRegistry;
import org.serval.dataplane.protocol.Message;
import org.serval.dataplane.protocol.Message.Data;
import org.serval.dataplane.protocol.Message.Error;
import org.serval.dataplane.protocol.MessageCodec;
import org.serval.dataplane.resolution.IpAddress;
import org.serval.dataplane.switching.SwitchPort;
import org.serval.dataplane.switching.VlanSwitch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's session, whatever its transport: the handshake, its VLAN memberships, and its frames into and out
 * of the switches. Its state is touched only on its link's executor; other sessions reach it only through its
 * {@link SwitchPort}s, whose {@code deliver} only sends on the link, which every {@link Link} allows from any
 * thread.
 */
public final class ClientSession {
    private static final Logger LOG = LoggerFactory.getLogger(ClientSession.class);
    // A session's VLANs are numbered by one byte's worth of refs; more would be a client gone wrong.
    private static final int MAX_VLANS = 255;

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
            if (!link.isWritable()) {
                // A slow client loses its own frames; it cannot make the switch buffer for it.
                frame.release();
                outDiscards.increment();
                return;
            }
            outFrames.increment();
            outOctets.add(frame.readableBytes());
            link.send(new Data(vlanRef, frame));
        }

        @Override
        public String owner() {
            return clientId;
        }
    }

    private final Dataplane dataplane;
    private final Link link;
    private final Map<Integer, Port> ports = new HashMap<>();
    // VLANs whose JOIN waits for the registry; a repeated JOIN (a UDP client retransmitting) is not a second one.
    private final Set<String> joining = new HashSet<>();
    private final LongAdder outFrames = new LongAdder();
    private final LongAdder outOctets = new LongAdder();
    private final LongAdder outDiscards = new LongAdder();
    // Written on the executor, read by the periodic counter report.
    private final LongAdder inFrames = new LongAdder();
    private final LongAdder inOctets = new LongAdder();
    private final LongAdder inDiscards = new LongAdder();
    private ClientRegistry.TrafficCounters reported;
    private volatile String clientId;
    private boolean welcomed;
    private boolean ended;
    private int nextVlanRef = 1;
    private String endReason = "closed";

    public ClientSession(final Dataplane dataplane, final Link link) {
        this.dataplane = dataplane;
        this.link = link;
    }

    /**
     * Handles one message from the client, on the link's executor. The caller still owns the message.
     */
    public void receive(final Message msg) {
        if (ended) {
            return;
        }
        if (clientId == null && !(msg instanceof Message.Hello)) {
            refuse(0, Error.MALFORMED, "the first message must be HELLO");
            return;
        }
        switch (msg) {
            case Data data -> forward(data);
            case Message.Hello hello -> hello(hello);
            case Message.Join join -> join(join);
            case Message.Leave leave -> leave(leave);
            case Message.Keepalive keepalive -> link.send(new Message.KeepaliveAck(keepalive.seq()));
            case Message.KeepaliveAck ack -> {
                // any message proves the client alive; the transport has noted this one
            }
            case Message.ListVlans list -> listVlans(list);
            case Message.Resolve resolve -> resolve(resolve);
            case Message.Bye bye -> link.close();
            default -> refuse(0, Error.MALFORMED, "a client does not send " + msg.getClass().getSimpleName());
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

    private void hello(final Message.Hello hello) {
        if (clientId != null) {
            if (!clientId.equals(hello.clientId())) {
                refuse(0, Error.MALFORMED, "HELLO was sent twice");
            } else if (welcomed) {
                // The WELCOME was lost (UDP); say it again.
                welcome();
            }
            return;
        }
        if (hello.maxVersion() < MessageCodec.VERSION) {
            refuse(0, Error.UNSUPPORTED_VERSION, "this server speaks version " + MessageCodec.VERSION);
            return;
        }
        final String id;
        try {
            id = Checks.clientId(hello.clientId());
        } catch (IllegalArgumentException e) {
            refuse(0, Error.MALFORMED, e.getMessage());
            return;
        }
        clientId = id;
        final var previous = dataplane.register(id, this);
        if (previous != null) {
            LOG.info("Client {} reconnected; closing its previous session", id);
            previous.close("closed");
        }
        final var remote = link.remote();
        dataplane.registry().connected(id, null, link.transport(),
            remote == null ? "0.0.0.0" : remote.getAddress().getHostAddress(), remote == null ? 0 : remote.getPort())
            .whenComplete((ok, failure) -> link.executor().execute(() -> {
                if (ended) {
                    return;
                }
                if (failure != null) {
                    LOG.warn("Could not register client {}", id, failure);
                    refuse(0, Error.INTERNAL, "the server could not register this client");
                    return;
                }
                welcomed = true;
                welcome();
                LOG.info("Client {} connected over {} from {}", id, link.transport(), remote);
            }));
    }

    private void welcome() {
        final var settings = dataplane.settings();
        link.send(new Message.Welcome(MessageCodec.VERSION, settings.nodeId(), settings.keepaliveMillis(),
            settings.expireAfter(), settings.tapMtu()));
    }

    private void join(final Message.Join join) {
        final String vlan;
        try {
            vlan = Checks.vlanName(join.vlan());
        } catch (IllegalArgumentException e) {
            link.send(new Error(join.request(), Error.UNKNOWN_VLAN, e.getMessage()));
            return;
        }
        for (var port : ports.values()) {
            if (port.vlan.equals(vlan)) {
                link.send(new Message.Joined(join.request(), port.vlanRef, vlan));
                return;
            }
        }
        if (joining.contains(vlan)) {
            // the answer to the first JOIN is on its way
            return;
        }
        final var directory = dataplane.directory();
        final var info = directory.vlan(vlan);
        if (info.isEmpty()) {
            link.send(new Error(join.request(), Error.UNKNOWN_VLAN, "VLAN " + vlan + " does not exist"));
            return;
        }
        if (directory.memberCount(vlan) >= info.orElseThrow().maxMembers()) {
            link.send(new Error(join.request(), Error.VLAN_FULL, "VLAN " + vlan + " is full"));
            return;
        }
        if (ports.size() + joining.size() >= MAX_VLANS || (join.mac() >>> 40 & 1) != 0 || join.mac() == 0) {
            link.send(new Error(join.request(), Error.LIMIT, "too many VLANs or not a unicast MAC"));
            return;
        }
        joining.add(vlan);
        dataplane.registry().joined(clientId, vlan, join.mac()).whenComplete((ok, failure) ->
            link.executor().execute(() -> {
                joining.remove(vlan);
                if (ended) {
                    return;
                }
                if (failure != null) {
                    LOG.warn("Could not record client {} joining {}", clientId, vlan, failure);
                    link.send(new Error(join.request(), Error.INTERNAL, "could not join " + vlan));
                    return;
                }
                final var port = new Port(nextVlanRef++, vlan, dataplane.switchFor(vlan));
                ports.put(port.vlanRef, port);
                port.vlanSwitch.attach(port);
                link.send(new Message.Joined(join.request(), port.vlanRef, vlan));
            }));
    }

    private void leave(final Message.Leave leave) {
        final var port = ports.remove(leave.vlanRef());
        if (port == null) {
            link.send(new Error(leave.request(), Error.UNKNOWN_VLAN, "not joined: " + leave.vlanRef()));
            return;
        }
        port.vlanSwitch.detach(port);
        dataplane.registry().left(clientId, port.vlan);
        link.send(new Message.Left(leave.request(), port.vlanRef));
    }

    private void resolve(final Message.Resolve resolve) {
        final var port = ports.get(resolve.vlanRef());
        if (port == null) {
            link.send(new Error(resolve.request(), Error.UNKNOWN_VLAN, "not joined: " + resolve.vlanRef()));
            return;
        }
        final long mac = port.vlanSwitch.resolve(IpAddress.of(resolve.address()), System.nanoTime());
        link.send(new Message.Resolved(resolve.request(), mac >= 0, Math.max(mac, 0)));
    }

    private void listVlans(final Message.ListVlans list) {
        final var entries = new ArrayList<Message.VlanEntry>();
        // A VLANS message must fit one protocol message; 40 names of up to 64 bytes always do.
        for (var vlan : dataplane.directory().vlans(list.prefix(), 40)) {
            entries.add(new Message.VlanEntry(vlan.name(),
                Math.min(dataplane.directory().memberCount(vlan.name()), 65535), vlan.open()));
        }
        link.send(new Message.Vlans(list.request(), entries));
    }

    private void refuse(final long request, final int code, final String why) {
        LOG.debug("Refusing client {} from {}: {}", clientId, link.remote(), why);
        endReason = "error";
        link.sendAndClose(new Error(request, code, why));
    }

    /**
     * Reports this session's counters to the registry if they changed since the last report. Called periodically
     * from outside the executor.
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
     * Ends the session from outside its executor (disconnect-client, a newer session of the same client).
     */
    void close(final String reason) {
        link.executor().execute(() -> {
            if (!ended) {
                endReason = reason;
                link.sendAndClose(new Message.Bye(0));
            }
        });
    }

    /**
     * The client fell silent for the configured number of keepalive periods.
     */
    public void expired() {
        LOG.info("Client {} sent nothing for {} keepalive periods; expiring it", clientId,
            dataplane.settings().expireAfter());
        endReason = "expired";
        link.close();
    }

    /**
     * The client broke the protocol in a way that ends a stream: one log line, an ERROR, and the link goes.
     */
    public void malformed(final String why) {
        LOG.warn("Closing {} connection from {} (client {}): {}", link.transport(), link.remote(), clientId, why);
        endReason = "error";
        link.sendAndClose(new Error(0, Error.MALFORMED, String.valueOf(why)));
    }

    /**
     * The link is gone: frees everything the session held. Called once by the transport, on the executor.
     */
    public void ended() {
        if (ended) {
            return;
        }
        ended = true;
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
    }
}
