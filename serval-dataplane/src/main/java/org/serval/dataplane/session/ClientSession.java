/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.session;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.EventExecutor;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.serval.api.AccessPolicy;
import org.serval.api.Audit;
import org.serval.api.Checks;
import org.serval.api.ClientRegistry;
import org.serval.api.Credential;
import org.serval.api.FloodPolicy;
import org.serval.api.VlanDirectory;
import org.serval.dataplane.Bounds;
import org.serval.dataplane.Throttle;
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
 * One client's session, whatever its transport: its VLAN memberships, its frames into and out of the switches, and
 * the dispatch of what it sends. The HELLO is {@link Login}'s, storm control {@link StormControl}'s, the bound on
 * what the session says to the client {@link Replies}', listing, creating and deleting VLANs
 * {@link ClientVlanRequests}', the traffic counters {@link SessionCounters}'. Its state is touched
 * only on its link's executor; other sessions reach it only through its {@link SwitchPort}s, whose {@code deliver}
 * only sends on the link, which every {@link Link} allows from any thread.
 */
public final class ClientSession {
    private static final Logger LOG = LoggerFactory.getLogger(ClientSession.class);
    // Any client (or anyone, before login) can send garbage; the log says so at most once a second.
    private static final Throttle MALFORMED = new Throttle("Closed a connection for malformed input");
    private static final Throttle STALLED = new Throttle("Expired a client that reads nothing");
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
        final StormControl storm = new StormControl();

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

        FloodPolicy floodPolicy() {
            final var info = dataplane.directory().vlan(vlan);
            return info.isPresent() ? info.orElseThrow().flood() : FloodPolicy.DEFAULT;
        }

        @Override
        public boolean mayFloodUnknown(final long nowNanos) {
            // asked by the switch on this session's executor, inside forward()
            return storm.allowUnknownUnicast(floodPolicy(), nowNanos);
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
                counters.outDiscard();
                return;
            }
            counters.out(frame.readableBytes());
            link.send(new Data(vlanRef, frame, offload));
        }

        @Override
        public String owner() {
            return clientId;
        }
    }

    private final Dataplane dataplane;
    private final Link link;
    private final Login login;
    private final Replies replies;
    private final ClientVlanRequests vlanRequests;
    private final SessionCounters counters = new SessionCounters();
    private final Map<Integer, Port> ports = new HashMap<>();
    // VLANs whose JOIN waits for the registry; a repeated JOIN (a UDP client retransmitting) is not a second one.
    private final Set<String> joining = new HashSet<>();
    private volatile String clientId;
    private volatile String user;
    private boolean welcomed;
    // HELLO flag managed: the client follows ASSIGN, REMOVED and BYE 3 (docs/protocol.md).
    private boolean managed;
    // Whether the client asked for DATA_OFFLOAD and its link can carry it; read by other clients' loops.
    private volatile boolean offloads;
    private boolean ended;
    private int nextVlanRef = 1;
    private String endReason = "closed";
    private final TokenBucket requests = new TokenBucket(Bounds.REQUESTS_BURST_SECONDS);

    public ClientSession(final Dataplane dataplane, final Link link) {
        this.dataplane = dataplane;
        this.link = link;
        login = new Login(this, dataplane, link);
        vlanRequests = new ClientVlanRequests(this, dataplane);
        replies = new Replies(link, () -> {
            // nothing more can be said to a client that does not read: no ERROR, the link goes
            endReason = "error";
            link.close();
        });
    }

    /**
     * Handles one message from the client, on the link's executor. The caller still owns the message.
     */
    public void receive(final Message msg) {
        if (ended || replies.isCut()) {
            return;
        }
        if (clientId == null && !(msg instanceof Message.Hello)) {
            refuse(0, Error.MALFORMED, "the first message must be HELLO");
            return;
        }
        // Every request costs the node work and an answer: a client asking faster than any honest one is burning
        // the node's CPU, and goes (to log in again, which costs it a password check).
        final int rate = dataplane.settings().requestsPerSecond();
        if (!(msg instanceof Data) && !requests.take(System.nanoTime(), rate)) {
            refuse(0, Error.LIMIT, "more than " + rate + " requests a second");
            return;
        }
        switch (msg) {
            case Data data -> forward(data);
            case Message.Hello hello -> {
                if (clientId == null) {
                    managed = (hello.flags() & Message.Hello.MANAGED) != 0;
                }
                login.hello(hello);
            }
            case Message.Join join -> join(join);
            case Message.Leave leave -> leave(leave);
            case Message.Keepalive keepalive -> reply(new Message.KeepaliveAck(keepalive.seq()));
            case Message.KeepaliveAck ack -> {
                // any message proves the client alive; the transport has noted this one
            }
            case Message.ListVlans list -> reply(vlanRequests.listVlans(list));
            case Message.ListMembers list -> reply(vlanRequests.listMembers(list));
            case Message.CreateVlan create -> vlanRequests.change(create.request(), true, create.name(), create.open());
            case Message.DeleteVlan delete -> vlanRequests.change(delete.request(), false, delete.name(), false);
            case Message.Resolve resolve -> resolve(resolve);
            case Message.Bye bye -> link.close();
            default -> refuse(0, Error.MALFORMED, "a client does not send " + msg.getClass().getSimpleName());
        }
    }

    /**
     * Says something to the client within its bound ({@link Replies}); a client that stopped reading is cut off.
     */
    void reply(final Message message) {
        replies.send(message, clientId);
    }

    private void forward(final Data data) {
        final var port = ports.get(data.vlanRef());
        // The membership is checked on every frame against the node's view, so a VLAN that was deleted or a
        // membership that was ended elsewhere stops traffic at once.
        if (port == null || !dataplane.directory().isMember(clientId, port.vlan)) {
            counters.inDiscard();
            return;
        }
        final var frame = data.content();
        final long now = System.nanoTime();
        final long dst = Macs.read(frame, frame.readerIndex());
        if (Macs.isGroup(dst) && !port.storm.allowGroup(port.floodPolicy(), dst == Macs.BROADCAST, now)) {
            counters.inDiscard();
            port.vlanSwitch.stormDropped();
            return;
        }
        if (data.offload() != null && !offloads) {
            refuse(0, Error.MALFORMED, "DATA_OFFLOAD without the offload flag in HELLO");
            return;
        }
        final int length = frame.readableBytes();
        // The switch drops unknown unicast beyond the storm-control rate (Port.mayFloodUnknown), among others.
        if (port.vlanSwitch.receive(port, frame.retain(), data.offload(), now)) {
            counters.in(length);
        } else {
            counters.inDiscard();
        }
    }

    /**
     * The user the client authenticated as, or null before.
     */
    String user() {
        return user;
    }

    /**
     * The client id once the client is in, or null before.
     */
    String clientId() {
        return clientId;
    }

    boolean isWelcomed() {
        return welcomed;
    }

    boolean isEnded() {
        return ended;
    }

    EventExecutor executor() {
        return link.executor();
    }

    /**
     * The VLANs this session is in, on this node: a set of the caller's own.
     */
    Set<String> vlansHere() {
        final var here = new HashSet<String>();
        for (var port : ports.values()) {
            here.add(port.vlan);
        }
        return here;
    }

    /**
     * Opens the session of a client {@link Login} let in: registers it here and in the registry, then WELCOMEs it.
     */
    void open(final String id, final String name, final boolean offload, final Credential credential) {
        user = name;
        clientId = id;
        offloads = offload;
        final var previous = dataplane.register(id, this, credential);
        if (previous != null) {
            LOG.info("Client {} reconnected; closing its previous session", id);
            previous.close("closed");
        }
        final var remote = link.remote();
        dataplane.registry().connected(id, user, link.transport(),
            remote == null ? "0.0.0.0" : remote.getAddress().getHostAddress(), remote == null ? 0 : remote.getPort(),
            managed)
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

    void welcome() {
        final var settings = dataplane.settings();
        reply(new Message.Welcome(MessageCodec.VERSION, settings.nodeId(), settings.keepaliveMillis(),
            settings.expireAfter(), settings.tapMtu()));
        for (var part : dataplane.nodes()) {
            if (!part.nodes().isEmpty()) {
                reply(part);
            }
        }
        // what lets the client fail over without its password (docs/protocol.md, "Resumption")
        final var resume = login.resume();
        if (resume != null) {
            reply(resume);
        }
        if (managed) {
            // What administrators assigned survives reconnection, to this node or another: in name order.
            final var decided = new TreeSet<String>();
            dataplane.directory().decisionsOf(clientId).forEach((vlan, decision) -> {
                if (decision == VlanDirectory.Decision.MEMBER) {
                    decided.add(vlan);
                }
            });
            decided.forEach(this::offer);
        }
    }

    /**
     * Sends ASSIGN for a VLAN an administrator made the client a member of, unless it is in it or joining it.
     */
    private void offer(final String vlan) {
        if (joining.contains(vlan) || ports.values().stream().anyMatch(port -> port.vlan.equals(vlan))) {
            return;
        }
        reply(new Message.Assign(vlan));
    }

    /**
     * An administrator made the client a member of a VLAN (join-vlan), from any thread: a client that follows the
     * server's changes is told to join it.
     */
    void assign(final String vlan) {
        link.executor().execute(() -> {
            if (welcomed && !ended && managed
                    && dataplane.directory().decision(clientId, vlan) == VlanDirectory.Decision.MEMBER) {
                offer(vlan);
            }
        });
    }

    private static String removedText(final String clientId, final String vlan) {
        return "an administrator removed client " + clientId + " from VLAN " + vlan;
    }

    /**
     * Sends what the server volunteers (a new node list, in as many parts as it needs), from any thread, once the
     * client is welcome.
     */
    void tell(final List<? extends Message> messages) {
        link.executor().execute(() -> {
            if (welcomed && !ended) {
                messages.forEach(this::reply);
            }
        });
    }

    private void join(final Message.Join join) {
        final String vlan;
        try {
            vlan = Checks.vlanName(join.vlan());
        } catch (IllegalArgumentException e) {
            reply(new Error(join.request(), Error.UNKNOWN_VLAN, e.getMessage()));
            return;
        }
        for (var port : ports.values()) {
            if (port.vlan.equals(vlan)) {
                reply(new Message.Joined(join.request(), port.vlanRef, vlan));
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
            reply(new Error(join.request(), Error.UNKNOWN_VLAN, "VLAN " + vlan + " does not exist"));
            return;
        }
        if (directory.decision(clientId, vlan) == VlanDirectory.Decision.REMOVED) {
            reply(new Error(join.request(), Error.DENIED, removedText(clientId, vlan)));
            return;
        }
        final var vlanInfo = info.orElseThrow();
        final var decision = dataplane.gatekeeper().security().decide(user, AccessPolicy.Operation.JOIN, vlan,
            vlanInfo.open(), vlanInfo.owner());
        if (!decision.permitted()) {
            Audit.denied(user, "join", vlan, decision.reason());
            reply(new Error(join.request(), Error.DENIED, "user " + user + " may not join VLAN " + vlan));
            return;
        }
        if (directory.memberCount(vlan) >= vlanInfo.maxMembers()) {
            reply(new Error(join.request(), Error.VLAN_FULL, "VLAN " + vlan + " is full"));
            return;
        }
        if (ports.size() + joining.size() >= MAX_VLANS || !Macs.isUnicast(join.mac())) {
            reply(new Error(join.request(), Error.LIMIT, "too many VLANs or not a unicast MAC"));
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
                    reply(new Error(join.request(), Error.INTERNAL, "could not join " + vlan));
                    return;
                }
                if (directory.decision(clientId, vlan) == VlanDirectory.Decision.REMOVED) {
                    // leave-vlan arrived while the join was being recorded: it wins
                    dataplane.registry().left(clientId, vlan);
                    reply(new Error(join.request(), Error.DENIED, removedText(clientId, vlan)));
                    return;
                }
                final var port = new Port(nextVlanRef++, vlan, join.mac(), dataplane.switchFor(vlan));
                ports.put(port.vlanRef, port);
                port.attach();
                reply(new Message.Joined(join.request(), port.vlanRef, vlan));
            }));
    }

    private void leave(final Message.Leave leave) {
        final var port = ports.remove(leave.vlanRef());
        if (port == null) {
            reply(new Error(leave.request(), Error.UNKNOWN_VLAN, "not joined: " + leave.vlanRef()));
            return;
        }
        port.detach();
        dataplane.registry().left(clientId, port.vlan);
        reply(new Message.Left(leave.request(), port.vlanRef));
    }

    private void resolve(final Message.Resolve resolve) {
        final var port = ports.get(resolve.vlanRef());
        if (port == null) {
            reply(new Error(resolve.request(), Error.UNKNOWN_VLAN, "not joined: " + resolve.vlanRef()));
            return;
        }
        final long mac = port.vlanSwitch.resolve(IpAddress.of(resolve.address()), System.nanoTime());
        reply(new Message.Resolved(resolve.request(), mac >= 0, Math.max(mac, 0)));
    }

    /**
     * Ends the session with an ERROR: the last thing it says.
     */
    void refuse(final long request, final int code, final String why) {
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
        final var changed = counters.report();
        if (changed != null) {
            dataplane.registry().counters(id, changed);
        }
    }

    /**
     * This session's traffic since it began, read from its counters at once (from any thread).
     */
    ClientRegistry.TrafficCounters counters() {
        return counters.now();
    }

    /**
     * The transport the session runs over: "tcp" or "udp".
     */
    String transport() {
        return link.transport();
    }

    /**
     * Ends the session from outside its executor (disconnect-client, a newer session of the same client).
     */
    void close(final String reason) {
        close(reason, Message.Bye.CLOSED);
    }

    /**
     * Ends the session from outside its executor with a BYE of the given reason ({@link Message.Bye#ADMIN} for
     * disconnect-client).
     */
    void close(final String reason, final int byeReason) {
        link.executor().execute(() -> {
            if (!ended) {
                endReason = reason;
                link.sendAndClose(new Message.Bye(byeReason));
            }
        });
    }

    /**
     * Ends the membership of a VLAN from outside the executor, for a reason of {@link Message.Removed}
     * (leave-vlan, the VLAN deleted, access control): the session stops switching it and says so to a client that
     * follows the server's changes (REMOVED); one that does not hears only of an administrator's removal, as an
     * ERROR naming the VLAN (it knows no REMOVED), and its frames there are dropped.
     */
    void revoke(final String vlan, final int reason) {
        link.executor().execute(() -> {
            if (ended) {
                return;
            }
            for (var port : List.copyOf(ports.values())) {
                if (port.vlan.equals(vlan)) {
                    ports.remove(port.vlanRef);
                    port.detach();
                    dataplane.registry().left(clientId, vlan);
                    LOG.info("Client {} no longer in VLAN {}: ended by the server (reason {})", clientId, vlan,
                        reason);
                    if (managed) {
                        reply(new Message.Removed(port.vlanRef, reason, vlan));
                    } else if (reason == Message.Removed.ADMIN) {
                        reply(new Error(0, Error.DENIED, removedText(clientId, vlan)));
                    }
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
     * The client has read nothing for as long as a silent client is given: its connection had no room all that
     * time. It is expired like a silent one rather than buffered for.
     */
    public void stalled(final long millis) {
        STALLED.log(LOG, link.remote(), link.transport() + ", client " + clientId + ": read nothing for " + millis
            + " ms");
        endReason = "expired";
        link.close();
    }

    /**
     * The client broke the protocol in a way that ends a stream: one log line, an ERROR, and the link goes.
     */
    public void malformed(final String why) {
        MALFORMED.log(LOG, link.remote(), link.transport() + ", client " + clientId + ": " + why);
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
            LOG.info("Client {} disconnected ({}); {}", clientId, endReason, counters.summary());
        }
    }
}
