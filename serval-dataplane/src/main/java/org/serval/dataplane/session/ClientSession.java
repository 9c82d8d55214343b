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
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import org.serval.api.AccessPolicy;
import org.serval.api.Audit;
import org.serval.api.Checks;
import org.serval.api.ClientRegistry;
import org.serval.api.Credential;
import org.serval.api.FloodPolicy;
import org.serval.api.UserInfo;
import org.serval.dataplane.Bounds;
import org.serval.dataplane.ethernet.Macs;
import org.serval.dataplane.ethernet.Offload;
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
    private static final int MAX_VLANS = Bounds.SESSION_MAX_VLANS;

    /**
     * The session's attachment to one VLAN.
     */
    private final class Port implements SwitchPort {
        final int vlanRef;
        final String vlan;
        final long mac;
        final VlanSwitch vlanSwitch;
        final Bucket broadcasts = new Bucket();
        final Bucket multicasts = new Bucket();

        Port(final int vlanRef, final String vlan, final long mac, final VlanSwitch vlanSwitch) {
            this.vlanRef = vlanRef;
            this.vlan = vlan;
            this.mac = mac;
            this.vlanSwitch = vlanSwitch;
        }

        void attach() {
            vlanSwitch.attach(this);
            // Known before the client sends a frame: a client that moved here from another node is reachable at
            // once, and the other nodes hear where it is now.
            vlanSwitch.learnAt(mac, this, System.nanoTime());
            dataplane.localJoined(vlan, mac);
        }

        void detach() {
            vlanSwitch.detach(this);
            dataplane.localLeft(vlan);
        }

        @Override
        public void deliver(final ByteBuf frame) {
            send(frame, null);
        }

        @Override
        public boolean deliver(final ByteBuf frame, final Offload offload) {
            if (offload == null || offloads) {
                send(frame, offload);
                return true;
            }
            return SwitchPort.super.deliver(frame, offload);
        }

        private void send(final ByteBuf frame, final Offload offload) {
            if (!link.isWritable()) {
                // A slow client loses its own frames; it cannot make the switch buffer for it.
                frame.release();
                outDiscards.increment();
                return;
            }
            outFrames.increment();
            outOctets.add(frame.readableBytes());
            link.send(new Data(vlanRef, frame, offload));
        }

        @Override
        public String owner() {
            return clientId;
        }
    }

    /**
     * A token bucket of frames, refilled at the policy's rate, holding at most one second's worth.
     */
    private static final class Bucket {
        private static final long SECOND = 1_000_000_000L;
        private long credit = SECOND;
        private long last = System.nanoTime();

        boolean take(final long now, final int ratePerSecond) {
            credit = Math.min(SECOND, credit + Math.max(0, now - last));
            last = now;
            final long cost = SECOND / ratePerSecond;
            if (credit < cost) {
                return false;
            }
            credit -= cost;
            return true;
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
    private volatile String user;
    // A HELLO is being checked (a password hash takes a while); a repeated one (UDP) is not a second check.
    private String authenticating;
    private boolean welcomed;
    // Whether the client asked for DATA_OFFLOAD and its link can carry it; read by other clients' loops.
    private volatile boolean offloads;
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
        final var frame = data.content();
        final long now = System.nanoTime();
        final long dst = Macs.read(frame, frame.readerIndex());
        if (Macs.isGroup(dst) && !floodAllowed(port, dst == Macs.BROADCAST, now)) {
            inDiscards.increment();
            return;
        }
        if (data.offload() != null && !offloads) {
            refuse(0, Error.MALFORMED, "DATA_OFFLOAD without the offload flag in HELLO");
            return;
        }
        inFrames.increment();
        inOctets.add(frame.readableBytes());
        port.vlanSwitch.receive(port, frame.retain(), data.offload(), now);
    }

    /**
     * Storm control (the VLAN's flood policy) for a frame to a group address: a member that floods is held to its
     * own rate, so that the others keep their bandwidth.
     */
    private boolean floodAllowed(final Port port, final boolean broadcast, final long now) {
        final var info = dataplane.directory().vlan(port.vlan);
        final var policy = info.isPresent() ? info.orElseThrow().flood() : FloodPolicy.DEFAULT;
        final var action = broadcast ? policy.broadcast() : policy.multicast();
        return switch (action) {
            case FORWARD -> true;
            case DROP -> false;
            case RATE_LIMIT -> (broadcast ? port.broadcasts : port.multicasts).take(now, policy.ratePerSecond());
        };
    }

    /**
     * The user the client authenticated as, or null before.
     */
    String user() {
        return user;
    }

    private void hello(final Message.Hello hello) {
        if (clientId != null || authenticating != null) {
            if (!hello.clientId().equals(clientId != null ? clientId : authenticating)) {
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
        final var gatekeeper = dataplane.gatekeeper();
        final var ticket = link.ticket();
        if (ticket != null) {
            if (!ticket.clientId().equals(id)) {
                refuse(0, Error.AUTH_FAILED, "the ticket was issued to client " + ticket.clientId());
                return;
            }
            final var holder = gatekeeper.security().user(ticket.user());
            if (holder.isEmpty() || !holder.orElseThrow().enabled()) {
                denyLogin(ticket.user(), id, Error.AUTH_FAILED, "user " + ticket.user() + " is gone or disabled");
                return;
            }
            admit(id, holder.orElseThrow(), "ticket", hello);
            return;
        }
        if ((hello.flags() & Message.Hello.TICKET) != 0 && !link.secure()) {
            refuse(0, Error.AUTH_FAILED, "tickets for sealed UDP are handed out over TLS only");
            return;
        }
        final var from = link.remote() == null ? null : link.remote().getAddress();
        switch (hello.authMethod()) {
            case Message.Hello.AUTH_PASSWORD -> {
                authenticating = id;
                gatekeeper.password(hello.user(), hello.authData(), from).whenComplete((login, failure) ->
                    link.executor().execute(() -> {
                        authenticating = null;
                        if (ended) {
                            return;
                        }
                        if (failure != null) {
                            LOG.warn("Checking the login of client {} failed", id, failure);
                            refuse(0, Error.INTERNAL, "the server could not check the login");
                        } else if (login.ok()) {
                            admit(id, login.user(), "password", hello);
                        } else {
                            denyLogin(hello.user(), id, login.errorCode(), login.error());
                        }
                    }));
            }
            case Message.Hello.AUTH_CERTIFICATE -> {
                final var login = gatekeeper.certificate(hello.user(), link.clientCertificate(), from);
                if (login.ok()) {
                    admit(id, login.user(), "certificate", hello);
                } else {
                    denyLogin(hello.user(), id, login.errorCode(), login.error());
                }
            }
            default -> denyLogin(hello.user(), id, Error.AUTH_FAILED,
                "this server requires a user name and password or a client certificate");
        }
    }

    private void denyLogin(final String name, final String id, final int code, final String why) {
        dataplane.gatekeeper().audit(name, id, why, link.remote());
        refuse(0, code, why);
    }

    /**
     * Lets an authenticated client in, within its user's limits: a ticket if it asked for one, else a session.
     */
    private void admit(final String id, final UserInfo login, final String method, final Message.Hello hello) {
        final var directory = dataplane.directory();
        final var holder = directory.userOf(id);
        if (holder.isPresent() && !holder.orElseThrow().equals(login.name())) {
            denyLogin(login.name(), id, Error.DENIED, "client id " + id + " is in use by another user");
            return;
        }
        final var clients = directory.clientsOf(login.name());
        final int others = clients.size() - (clients.contains(id) ? 1 : 0);
        if (others >= login.maxClients()) {
            denyLogin(login.name(), id, Error.LIMIT, "user " + login.name() + " has " + others
                + " clients connected, the most it may have");
            return;
        }
        if (!dataplane.hasSession(id)) {
            final var lighter = dataplane.lighterNode();
            if (lighter.isPresent()) {
                // Full: tell the client where to go instead (it has not logged in here, so it may).
                link.send(dataplane.nodes());
                refuse(0, Error.MOVED, lighter.orElseThrow());
                return;
            }
        }
        Audit.login(login.name(), id, method, link.transport(), link.remote());
        if ((hello.flags() & Message.Hello.TICKET) != 0) {
            final var ticket = dataplane.gatekeeper().tickets().issue(login.name(), id, credential(method, login));
            if (ticket.isEmpty()) {
                refuse(0, Error.LIMIT, "the server has too many sessions starting; try again");
            } else {
                link.sendAndClose(ticket.orElseThrow());
            }
            return;
        }
        user = login.name();
        clientId = id;
        offloads = (hello.flags() & Message.Hello.OFFLOAD) != 0 && link.carriesOffload();
        final var previous = dataplane.register(id, this, credential(method, login));
        if (previous != null) {
            LOG.info("Client {} reconnected; closing its previous session", id);
            previous.close("closed");
        }
        final var remote = link.remote();
        dataplane.registry().connected(id, user, link.transport(),
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

    /**
     * What the client proved at this login, for the dataplane to end the session when it is revoked: a ticket
     * passes on the credential that got it.
     */
    private Credential credential(final String method, final UserInfo login) {
        return switch (method) {
            case "password" -> Credential.password(login.passwordHash());
            case "certificate" -> Credential.certificate(link.clientCertificate());
            default -> link.ticket() == null ? null : link.ticket().credential();
        };
    }

    private void welcome() {
        final var settings = dataplane.settings();
        link.send(new Message.Welcome(MessageCodec.VERSION, settings.nodeId(), settings.keepaliveMillis(),
            settings.expireAfter(), settings.tapMtu()));
        final var nodes = dataplane.nodes();
        if (!nodes.nodes().isEmpty()) {
            link.send(nodes);
        }
    }

    /**
     * Sends a message the server volunteers (a new node list), from any thread, once the client is welcome.
     */
    void tell(final Message message) {
        link.executor().execute(() -> {
            if (welcomed && !ended) {
                link.send(message);
            }
        });
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
        final var vlanInfo = info.orElseThrow();
        final var decision = dataplane.gatekeeper().security().decide(user, AccessPolicy.Operation.JOIN, vlan,
            vlanInfo.open(), vlanInfo.owner());
        if (!decision.permitted()) {
            Audit.denied(user, "join", vlan, decision.reason());
            link.send(new Error(join.request(), Error.DENIED, "user " + user + " may not join VLAN " + vlan));
            return;
        }
        if (directory.memberCount(vlan) >= vlanInfo.maxMembers()) {
            link.send(new Error(join.request(), Error.VLAN_FULL, "VLAN " + vlan + " is full"));
            return;
        }
        if (ports.size() + joining.size() >= MAX_VLANS || !Macs.isUnicast(join.mac())) {
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
                final var port = new Port(nextVlanRef++, vlan, join.mac(), dataplane.switchFor(vlan));
                ports.put(port.vlanRef, port);
                port.attach();
                link.send(new Message.Joined(join.request(), port.vlanRef, vlan));
            }));
    }

    private void leave(final Message.Leave leave) {
        final var port = ports.remove(leave.vlanRef());
        if (port == null) {
            link.send(new Error(leave.request(), Error.UNKNOWN_VLAN, "not joined: " + leave.vlanRef()));
            return;
        }
        port.detach();
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
     * Ends the membership of a VLAN from outside the executor (leave-vlan, the VLAN deleted).
     */
    void revoke(final String vlan) {
        link.executor().execute(() -> {
            for (var port : List.copyOf(ports.values())) {
                if (port.vlan.equals(vlan)) {
                    ports.remove(port.vlanRef);
                    port.detach();
                    dataplane.registry().left(clientId, vlan);
                    LOG.info("Client {} no longer in VLAN {}: ended by the server", clientId, vlan);
                }
            }
        });
    }

    /**
     * Asks the client to reconnect to another node (this one is over its soft limit), from outside the executor.
     */
    void move() {
        link.executor().execute(() -> {
            if (!ended && welcomed) {
                link.sendAndClose(new Message.Bye(Message.Bye.MOVE));
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
            port.detach();
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
