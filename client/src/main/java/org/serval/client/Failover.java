/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.client;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.serval.dataplane.protocol.Message;
import org.serval.dataplane.protocol.NodeLists;
import org.serval.dataplane.security.Fingerprints;
import org.serval.dataplane.security.ServerTrust;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster as the client knows it, from the last node list (NODES) its node sent, and where to go when that
 * node is lost or full: the nodes that speak the client's transport, lightest first, then --server.
 *
 * <p>The node list also widens the client's trust, and only so far: a node's certificate fingerprint is trusted
 * at the endpoints of that node's own entries, while the node is in the latest list the client's node sent
 * (docs/security.md, "Links between nodes").
 */
final class Failover {
    /**
     * One try at a node: connect, log in and join the VLANs again.
     */
    interface Attempt {
        void connect(Endpoint to) throws ClientFailure, InterruptedException;
    }

    private static final Logger LOG = LoggerFactory.getLogger(Failover.class);

    private final Endpoint server;
    private final int transport;
    private final ServerTrust trust;
    // The node list the server last sent (NODES).
    private volatile List<Message.NodeEntry> nodes = List.of();
    private final NodeLists.Assembler nodeParts = new NodeLists.Assembler();

    /**
     * The failover of a client.
     *
     * @param server --server, the last resort
     * @param udp whether the client speaks UDP (else TCP): it goes only to nodes' endpoints of its transport
     * @param trust the client's trust in servers, which the node list extends; null over plaintext
     */
    Failover(final Endpoint server, final boolean udp, final ServerTrust trust) {
        this.server = server;
        transport = udp ? Message.NodeEntry.UDP : Message.NodeEntry.TCP;
        this.trust = trust;
    }

    /**
     * A NODES message from the node this client is connected to (and has authenticated): the whole list, which
     * replaces the last one. The one way in for NODES, so that a list sent in several messages can be put together
     * here before it counts, for failover and for trust alike.
     */
    void received(final Message.Nodes list) {
        // A long list comes in parts (docs/protocol.md, NODES): until its last part is in, the list so far counts,
        // which trusts fewer nodes, never more.
        accept(nodeParts.add(list));
    }

    /**
     * A complete node list: the one failover goes by, and the nodes trusted besides the pin.
     */
    private void accept(final List<Message.NodeEntry> entries) {
        nodes = entries;
        if (trust != null) {
            trust.trustNodes(endpointsByFingerprint(entries));
        }
        LOG.debug("Node list: {}", entries);
    }

    /**
     * Each fingerprint of a list with the endpoints of its entries, as the client would dial them (one per
     * transport; over UDP the ticket is fetched over TLS at the UDP entry's host and port). Entries without a
     * fingerprint (plaintext) or with a malformed one give no trust.
     */
    static Map<String, Set<InetSocketAddress>> endpointsByFingerprint(final List<Message.NodeEntry> entries) {
        final var result = new HashMap<String, Set<InetSocketAddress>>();
        for (var entry : entries) {
            if (entry.fingerprint().isEmpty()) {
                continue;
            }
            final String fingerprint;
            try {
                fingerprint = Fingerprints.parse(entry.fingerprint());
            } catch (IllegalArgumentException e) {
                LOG.debug("Node {} has a malformed fingerprint; not trusted: {}", entry.nodeId(), e.getMessage());
                continue;
            }
            result.computeIfAbsent(fingerprint, key -> new HashSet<>())
                .add(InetSocketAddress.createUnresolved(entry.host(), entry.port()));
        }
        return result;
    }

    /**
     * The last node list.
     */
    List<Message.NodeEntry> nodes() {
        return nodes;
    }

    /**
     * The nodes of the last list that speak this client's transport.
     */
    private List<Message.NodeEntry> reachableNodes() {
        return nodes.stream().filter(node -> node.transport() == transport).toList();
    }

    /**
     * Where a node of the last node list is, on this client's transport: for following a full node's pointer.
     *
     * @return null when the list has no such node
     */
    Endpoint find(final String nodeId) {
        for (var node : reachableNodes()) {
            if (node.nodeId().equals(nodeId)) {
                return new Endpoint(node.host(), node.port());
            }
        }
        return null;
    }

    /**
     * Where to go after losing a node: the nodes of the last list that speak this client's transport, least
     * loaded first, the lost node last (it may only have dropped the connection, and is left out of the first
     * round unless it is the only one), then --server.
     *
     * @param lost the id of the node lost, or null
     * @param again whether an earlier round has been tried
     */
    List<Endpoint> candidates(final String lost, final boolean again) {
        final var usable = new ArrayList<>(reachableNodes());
        usable.sort(Comparator.<Message.NodeEntry>comparingInt(node -> node.nodeId().equals(lost) ? 1 : 0)
            .thenComparingLong(Message.NodeEntry::loadScore));
        final var result = new ArrayList<Endpoint>();
        for (var node : usable) {
            if (again || !node.nodeId().equals(lost) || usable.size() == 1) {
                result.add(new Endpoint(node.host(), node.port()));
            }
        }
        result.add(server);
        return result;
    }

    /**
     * The first login, at --server. A full node's pointer (ERROR moved) is followed at once, three times at most
     * against ping-pong. An unreachable server is tried again, with backoff, until --retry's deadline; a busy one
     * (ERROR limit: too many logins at once, or throttled) until a deadline of its own, which holds even without
     * --retry, since the server asks to be tried again. A refused login ends it.
     *
     * @param deadline a {@link Backoff.Clock#nanoTime()} after which an unreachable server is given up
     * @param busyDeadline the same for a busy server
     * @param movedTo the node id a full node named in the last failed attempt, once (null when none)
     * @return the endpoint that took the client
     * @throws ClientFailure the last failure, when the client gives up
     */
    Endpoint start(final long deadline, final long busyDeadline, final Attempt attempt,
            final Supplier<String> movedTo, final Backoff backoff) throws ClientFailure, InterruptedException {
        int redirects = 0;
        var to = server;
        backoff.reset();
        while (true) {
            try {
                attempt.connect(to);
                return to;
            } catch (ClientFailure e) {
                final var moved = movedTo.get();
                final var lighter = moved == null || redirects++ >= 3 ? null : find(moved);
                if (lighter != null) {
                    to = lighter;
                    LOG.info("Redirected: {}", e.getMessage());
                    continue;
                }
                final long until = e.serverError() == Message.Error.LIMIT ? busyDeadline : deadline;
                if (e.exitCode() == ClientFailure.AUTH || backoff.clock().nanoTime() - until >= 0) {
                    throw e;
                }
                LOG.info("{}; trying again", e.getMessage());
                backoff.pause(until);
            }
        }
    }

    /**
     * Tries the candidates, round after round, until one takes the client, the deadline passes, or every candidate
     * has refused the login. The first round starts at once (a failover is a race against the users' patience);
     * between rounds the client backs off, with jitter, so that the clients of a dead node do not come back in step.
     * A node that refuses the login (the password or certificate, or TLS: a node this client does not trust) is not
     * asked again in this reconnection, but the others are: the refusal may be that node's alone (a stranger in the
     * list, a node whose users are behind), and giving up at the first would take the client off the network.
     *
     * @param lost the id of the node lost, or null
     * @param deadline a {@link Backoff.Clock#nanoTime()} after which no new round starts
     * @param stopped whether the client is stopping
     * @return the endpoint that took the client, or null when the deadline passed or the client is stopping
     * @throws ClientFailure (a login refusal) when every candidate refused the login
     */
    Endpoint reconnect(final String lost, final long deadline, final BooleanSupplier stopped, final Attempt attempt,
            final Backoff backoff) throws ClientFailure, InterruptedException {
        final Set<Endpoint> refused = new HashSet<>();
        ClientFailure refusal = null;
        backoff.reset();
        for (int round = 0; !stopped.getAsBoolean() && backoff.clock().nanoTime() - deadline < 0; round++) {
            for (var candidate : remaining(lost, round > 0, refused)) {
                if (stopped.getAsBoolean()) {
                    return null;
                }
                try {
                    attempt.connect(candidate);
                    return candidate;
                } catch (ClientFailure e) {
                    LOG.info("Node at {}: {}", candidate, e.getMessage());
                    if (e.exitCode() == ClientFailure.AUTH) {
                        refused.add(candidate);
                        refusal = e;
                    }
                }
            }
            if (refusal != null && remaining(lost, true, refused).isEmpty()) {
                throw refusal;
            }
            if (!backoff.pause(deadline)) {
                break;
            }
        }
        return null;
    }

    private List<Endpoint> remaining(final String lost, final boolean again, final Set<Endpoint> refused) {
        return candidates(lost, again).stream().distinct().filter(candidate -> !refused.contains(candidate)).toList();
    }
}
