/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.session;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.serval.api.AccessPolicy;
import org.serval.api.Audit;
import org.serval.api.ChatterPolicy;
import org.serval.api.ClientRegistry;
import org.serval.api.Credential;
import org.serval.api.NodeInfo;
import org.serval.api.VlanDirectory;
import org.serval.api.VlanInfo;
import org.serval.api.VlanRequests;
import org.serval.dataplane.Bounds;
import org.serval.dataplane.addressing.AddressServices;
import org.serval.dataplane.multicast.VlanChatter;
import org.serval.dataplane.protocol.Message;
import org.serval.dataplane.protocol.NodeLists;
import org.serval.dataplane.switching.SwitchPort;
import org.serval.dataplane.switching.VlanSwitch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's dataplane: the switches of the VLANs that have members here, and the sessions of the clients
 * connected here. Transports (TCP, UDP) give each client a {@link Link} and a {@link ClientSession}, which finds
 * everything else here.
 */
public final class Dataplane {
    /**
     * One connected client's traffic, as the metrics endpoint reads it.
     *
     * @param clientId the client's id
     * @param transport "tcp" or "udp"
     * @param counters its frames, bytes and discards since its session began
     */
    public record ClientTraffic(String clientId, String transport, ClientRegistry.TrafficCounters counters) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(Dataplane.class);

    private final DataplaneSettings settings;
    private final VlanDirectory directory;
    private final ClientRegistry registry;
    private final Gatekeeper gatekeeper;
    private final ConcurrentHashMap<String, VlanSwitch> switches = new ConcurrentHashMap<>();
    // Each switch's filter, and the counters last reported for it (by the sweep only).
    private final ConcurrentHashMap<String, VlanChatter> chatter = new ConcurrentHashMap<>();
    private final Map<String, ClientRegistry.VlanCounters> reportedCounters = new HashMap<>();
    // DHCP, router advertisements and the rogue guard of every switch here (vlans/vlan/addressing).
    private final AddressServices addressing = new AddressServices(System::currentTimeMillis);
    private final ConcurrentHashMap<String, ClientSession> sessions = new ConcurrentHashMap<>();
    // How each session authenticated, so that revoking that credential ends it (docs/security.md, "Revocation").
    private final ConcurrentHashMap<ClientSession, Credential> credentials = new ConcurrentHashMap<>();
    private volatile ClusterLinks peers;
    private volatile VlanRequests vlanRequests = VlanRequests.NONE;
    // The node list as clients are told it: the entries, and the messages that carry them (NodeLists).
    private volatile List<Message.NodeEntry> nodeEntries = List.of();
    private volatile List<Message.Nodes> nodes = NodeLists.split(List.of(), 0);
    // Tells the parts of one node list from another's (NodeLists); changed by nodesChanged only.
    private int nodeListSerial;

    public Dataplane(final DataplaneSettings settings, final VlanDirectory directory, final ClientRegistry registry,
            final Gatekeeper gatekeeper) {
        this.settings = requireNonNull(settings);
        this.directory = requireNonNull(directory);
        this.registry = requireNonNull(registry);
        this.gatekeeper = requireNonNull(gatekeeper);
    }

    public Gatekeeper gatekeeper() {
        return gatekeeper;
    }

    public DataplaneSettings settings() {
        return settings;
    }

    public VlanDirectory directory() {
        return directory;
    }

    /**
     * Connects this dataplane to the other nodes of its cluster: local joins and leaves are told to them from now
     * on.
     */
    public void attachPeers(final ClusterLinks links) {
        peers = links;
    }

    /**
     * Lets clients create and delete VLANs (CREATE_VLAN, DELETE_VLAN) through the controller; until then they are
     * refused.
     */
    public void attachVlanRequests(final VlanRequests requests) {
        vlanRequests = requireNonNull(requests);
    }

    VlanRequests vlanRequests() {
        return vlanRequests;
    }

    /**
     * A session of this node attached to a VLAN's switch with a client's MAC.
     */
    void localJoined(final String vlan, final long mac) {
        final var links = peers;
        if (links != null) {
            links.joined(vlan, mac);
        }
    }

    /**
     * A session of this node detached from a VLAN's switch.
     */
    void localLeft(final String vlan) {
        final var links = peers;
        if (links != null) {
            links.left(vlan);
        }
    }

    /**
     * The node list changed: every connected client hears the new one (NODES), so that it knows where to go when
     * its node fails.
     */
    public synchronized void nodesChanged(final Collection<NodeInfo> infos) {
        final var entries = new ArrayList<Message.NodeEntry>();
        final var sorted = new ArrayList<>(infos);
        sorted.sort(Comparator.comparing(NodeInfo::id));
        for (var node : sorted) {
            for (var endpoint : node.endpoints()) {
                final int transport = switch (endpoint.transport()) {
                    case "tcp" -> Message.NodeEntry.TCP;
                    case "udp" -> Message.NodeEntry.UDP;
                    default -> 0;
                };
                // Long lists go in parts (NodeLists), but every client gets all of it on every change.
                if (transport != 0 && entries.size() < Bounds.NODE_LIST_MAX_ENTRIES) {
                    entries.add(new Message.NodeEntry(node.id(), transport, endpoint.host(), endpoint.port(),
                        node.clients(), node.cpuPercent(), node.fingerprint() == null ? "" : node.fingerprint()));
                }
            }
        }
        final var before = nodeEntries;
        final var parts = NodeLists.split(entries, ++nodeListSerial);
        nodeEntries = List.copyOf(entries);
        nodes = parts;
        // The load changes all the time; clients are told when nodes come, go or move, and get the load then.
        if (!withoutLoad(entries).equals(withoutLoad(before))) {
            sessions.values().forEach(session -> session.tell(parts));
        }
    }

    private static List<Message.NodeEntry> withoutLoad(final List<Message.NodeEntry> list) {
        return list.stream().map(node -> new Message.NodeEntry(node.nodeId(), node.transport(), node.host(),
            node.port(), 0, 0, node.fingerprint())).toList();
    }

    /**
     * A node of the cluster with fewer clients than this one, below the soft limit, the lightest: where to send
     * clients when this node is over its soft limit (load.max.clients). Empty when there is none.
     */
    Optional<String> lighterNode() {
        final int soft = settings.softMaxClients();
        if (soft == 0 || sessions.size() < soft) {
            return Optional.empty();
        }
        final int mine = sessions.size();
        return nodeEntries.stream()
            .filter(node -> !node.nodeId().equals(settings.nodeId()) && node.clients() < Math.min(soft, mine - 1))
            .min(Comparator.comparingLong(Message.NodeEntry::loadScore))
            .map(Message.NodeEntry::nodeId);
    }

    /**
     * Asks some clients to move to other nodes when this node is over its soft limit and a lighter node exists: a
     * tenth of the excess per call (at least one), so that the clients spread out instead of stampeding.
     *
     * @return how many were asked
     */
    int rebalance() {
        final int excess = sessions.size() - settings.softMaxClients();
        if (settings.softMaxClients() == 0 || excess <= 0 || lighterNode().isEmpty()) {
            return 0;
        }
        int asked = 0;
        for (var session : sessions.values()) {
            if (asked >= Math.max(1, excess / 10)) {
                break;
            }
            session.move();
            asked++;
        }
        return asked;
    }

    /**
     * The node list as clients are told it: one NODES message, or its parts when it is longer than one message can
     * be (a dozen nodes with long host names are).
     */
    List<Message.Nodes> nodes() {
        return nodes;
    }

    ClientRegistry registry() {
        return registry;
    }

    /**
     * The switch of a VLAN that has one on this node, or null; never makes one.
     */
    VlanSwitch existingSwitch(final String vlan) {
        return switches.get(vlan);
    }

    public VlanSwitch switchFor(final String vlan) {
        return switches.computeIfAbsent(vlan, name -> {
            final var made = new VlanSwitch(name, settings.maxMacsPerVlan(), settings.maxMacsPerPort(),
                TimeUnit.SECONDS.toNanos(settings.macAgingSeconds()), settings.answerNeighbors());
            // the chatter policy and multicast snooping (docs/architecture.md, "Chatter and multicast")
            final var filter = new VlanChatter(made, () -> directory.vlan(name).map(VlanInfo::chatter)
                .orElse(ChatterPolicy.DEFAULT));
            made.filterWith(filter);
            chatter.put(name, filter);
            made.serveWith(addressing);
            return made;
        });
    }

    /**
     * Attaches a port that is not a client's (a bridged interface, {@code org.serval.dataplane.bridge}) to a VLAN's
     * switch, making the switch if needed; the other nodes of the cluster hear that this node has a member there,
     * as for a client's port.
     *
     * @return the switch
     */
    public VlanSwitch attachLocal(final String vlan, final SwitchPort port) {
        final var made = switchFor(vlan);
        made.attach(port);
        localJoined(vlan, -1);
        return made;
    }

    /**
     * Detaches a port attached with {@link #attachLocal}.
     */
    public void detachLocal(final VlanSwitch from, final SwitchPort port) {
        from.detach(port);
        localLeft(from.vlan());
    }

    /**
     * The addressing services of this node's switches, which the controller keeps configured and fed with leases.
     */
    public AddressServices addressing() {
        return addressing;
    }

    /**
     * Records the session of a client and how it authenticated, returning the one it replaces (a client that
     * reconnected before its old session expired). A credential revoked while the login was being checked (or
     * while its ticket waited) ends the session at once: the revocation's listener may have run before this.
     *
     * @param credential what the client proved, or null when that is not known (only deleting or disabling the
     *     user ends such a session)
     */
    ClientSession register(final String clientId, final ClientSession session, final Credential credential) {
        if (credential != null) {
            credentials.put(session, credential);
        }
        final var previous = sessions.put(clientId, session);
        if (!stillAuthenticated(session)) {
            Audit.user("revoked-during-login", session.user());
            session.close("administrative");
        }
        return previous;
    }

    private boolean stillAuthenticated(final ClientSession session) {
        final var user = gatekeeper.security().user(session.user()).orElse(null);
        final var credential = credentials.get(session);
        return credential == null ? user != null && user.enabled() : credential.holdsFor(user);
    }

    /**
     * A user was created, changed, disabled or deleted: ends this node's sessions of that user whose credential no
     * longer holds (a changed password ends the password logins and the tickets they got; a certificate removed
     * ends the logins with that certificate; disabling or deleting ends all), and re-checks the memberships of the
     * others (its groups may have changed).
     *
     * @return how many sessions were closed
     */
    public int userChanged(final String user) {
        int closed = 0;
        for (var session : sessions.values()) {
            if (user.equals(session.user()) && !stillAuthenticated(session)) {
                session.close("administrative");
                closed++;
            }
        }
        recheckMemberships(user::equals);
        return closed;
    }

    /**
     * Access control changed (the rules, or a user's groups): every membership of this node's sessions whose user
     * matches is decided again as a JOIN would be, and those no longer permitted end as a server-side leave does.
     *
     * @return how many memberships ended
     */
    public int recheckMemberships(final Predicate<String> users) {
        final var security = gatekeeper.security();
        int ended = 0;
        for (var entry : sessions.entrySet()) {
            final var user = entry.getValue().user();
            if (user == null || !users.test(user)) {
                continue;
            }
            for (var vlan : directory.vlansOf(entry.getKey())) {
                final var info = directory.vlan(vlan).orElse(null);
                final var decision = security.decide(user, AccessPolicy.Operation.JOIN, vlan,
                    info != null && info.open(), info == null ? null : info.owner());
                if (!decision.permitted()) {
                    Audit.denied(user, "membership", vlan, decision.reason());
                    entry.getValue().revoke(vlan, Message.Removed.DENIED);
                    ended++;
                }
            }
        }
        return ended;
    }

    /**
     * Forgets a session that ended.
     *
     * @return false when a newer session of the same client has taken its place, whose registry entry must stay
     */
    boolean unregister(final String clientId, final ClientSession session) {
        credentials.remove(session);
        return sessions.remove(clientId, session);
    }

    /**
     * Closes a client's session on this node, if it has one (disconnect-client).
     *
     * @return whether there was one
     */
    public boolean disconnect(final String clientId) {
        final var session = sessions.get(clientId);
        if (session == null) {
            return false;
        }
        // BYE 3: an administrator's doing, so the client does not come straight back.
        session.close("administrative", Message.Bye.ADMIN);
        return true;
    }

    /**
     * Ends a client's membership of a VLAN on this node, if it has a session here, because an administrator removed
     * it: its session stops switching frames there and tells the client (REMOVED, or an ERROR naming the VLAN to a
     * client that cannot follow).
     */
    public void revoke(final String clientId, final String vlan) {
        revoke(clientId, vlan, Message.Removed.ADMIN);
    }

    /**
     * Ends a client's membership of a VLAN on this node, if it has a session here, for a reason of
     * {@link Message.Removed}: the session stops switching frames there; a client that follows the server's changes
     * is told (REMOVED), one that does not is told only of an administrator's removal (ERROR denied).
     */
    public void revoke(final String clientId, final String vlan, final int reason) {
        final var session = sessions.get(clientId);
        if (session != null) {
            session.revoke(vlan, reason);
        }
    }

    /**
     * An administrator's decision about a client and a VLAN changed (join-vlan, leave-vlan), as this node's
     * directory now shows it: a session of that client here is assigned the VLAN (member) or removed from it
     * (removed).
     */
    public void decisionChanged(final String clientId, final String vlan) {
        final var session = sessions.get(clientId);
        if (session == null) {
            return;
        }
        final var decision = directory.decision(clientId, vlan);
        if (decision == VlanDirectory.Decision.MEMBER) {
            session.assign(vlan);
        } else if (decision == VlanDirectory.Decision.REMOVED) {
            session.revoke(vlan, Message.Removed.ADMIN);
        }
    }

    /**
     * Closes the sessions of a user on this node (the user was deleted or disabled).
     *
     * @return how many there were
     */
    public int disconnectUser(final String user) {
        int count = 0;
        for (var session : sessions.values()) {
            if (user.equals(session.user())) {
                session.close("administrative");
                count++;
            }
        }
        return count;
    }

    /**
     * The clients whose sessions are on this node now.
     */
    public boolean hasSession(final String clientId) {
        return sessions.containsKey(clientId);
    }

    public int sessionCount() {
        return sessions.size();
    }

    /**
     * The logged-in clients' sessions here and their traffic now, read from the sessions' counters (metrics).
     */
    public List<ClientTraffic> clientTraffic() {
        final var all = new ArrayList<ClientTraffic>(sessions.size());
        sessions.forEach((id, session) -> all.add(new ClientTraffic(id, session.transport(), session.counters())));
        return all;
    }

    /**
     * The links to other nodes of the cluster, or null on a single node.
     */
    public ClusterLinks peerLinks() {
        return peers;
    }

    /**
     * Each VLAN switch's counters on this node now, the same as are written to OPERATIONAL vlan-statistics.
     */
    public Map<String, ClientRegistry.VlanCounters> vlanCounters() {
        final var all = new HashMap<String, ClientRegistry.VlanCounters>();
        switches.forEach((name, vlanSwitch) -> {
            final var filter = chatter.get(name);
            if (filter != null) {
                all.put(name, countersOf(name, vlanSwitch, filter));
            }
        });
        return all;
    }

    private ClientRegistry.VlanCounters countersOf(final String vlan, final VlanSwitch vlanSwitch,
            final VlanChatter filter) {
        final var part = filter.counters();
        return new ClientRegistry.VlanCounters(part.forwarded(), part.flooded(), part.snooped(), part.answered(),
            part.filtered(), part.rateLimited(), part.groups(), part.protocols(), vlanSwitch.localMemberCount(),
            vlanSwitch.forwardedOctets(), vlanSwitch.floodedOctets(), vlanSwitch.snoopedOctets(),
            vlanSwitch.stormDroppedFrames(), vlanSwitch.droppedFrames(), addressing.probesSent(vlan),
            addressing.conflictsFound(vlan));
    }

    /**
     * Periodic housekeeping: reports changed client counters, ages MAC entries and multicast memberships, sends the
     * multicast queries that are due, reports each VLAN's changed counters, and drops the switches of VLANs that are
     * gone or empty.
     */
    public void sweep(final long nowNanos) {
        // the switches' own frames (queries) first, so that the client counters reported next include them
        chatter.values().forEach(filter -> filter.tick(nowNanos));
        sessions.values().forEach(ClientSession::reportCounters);
        final int moved = rebalance();
        if (moved > 0) {
            LOG.info("Over the soft limit of {} clients: asked {} to move to a lighter node",
                settings.softMaxClients(), moved);
        }
        for (var entry : switches.entrySet()) {
            final var vlanSwitch = entry.getValue();
            vlanSwitch.expire(nowNanos);
            addressing.tick(vlanSwitch, nowNanos);
            final var filter = chatter.get(entry.getKey());
            if (filter != null) {
                final var counters = countersOf(entry.getKey(), vlanSwitch, filter);
                if (!counters.equals(reportedCounters.put(entry.getKey(), counters))) {
                    registry.vlanCounters(entry.getKey(), counters);
                }
            }
            if (vlanSwitch.memberCount() == 0 && directory.vlan(entry.getKey()).isEmpty()
                    && switches.remove(entry.getKey(), vlanSwitch)) {
                chatter.remove(entry.getKey());
                if (reportedCounters.remove(entry.getKey()) != null) {
                    registry.vlanCounters(entry.getKey(), null);
                }
            }
        }
    }
}
