/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.impl;

import static java.util.Objects.requireNonNull;
import static org.opendaylight.mdsal.common.api.LogicalDatastoreType.OPERATIONAL;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.opendaylight.mdsal.binding.api.DataBroker;
import org.opendaylight.mdsal.binding.api.NotificationPublishService;
import org.opendaylight.mdsal.common.api.CommitInfo;
import org.opendaylight.mdsal.common.api.OptimisticLockFailedException;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.IetfInetUtil;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.IpAddress;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.PortNumber;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.yang.types.rev130715.Counter64;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.yang.types.rev130715.DateAndTime;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.yang.types.rev130715.Gauge32;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.yang.types.rev130715.Gauge64;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.yang.types.rev130715.MacAddress;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.ClientConnectedBuilder;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.ClientDisconnected;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.ClientDisconnectedBuilder;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.ClientId;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.NodeId;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.Transport;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.UserName;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.VlanName;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.clients.Client;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.clients.ClientBuilder;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.clients.client.CountersBuilder;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.clients.client.Membership;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.clients.client.MembershipBuilder;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.vlan.counters.ProtocolBuilder;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.vlan.statistics.VlanBuilder;
import org.opendaylight.yangtools.binding.util.BindingMap;
import org.opendaylight.yangtools.yang.common.Uint16;
import org.opendaylight.yangtools.yang.common.Uint32;
import org.opendaylight.yangtools.yang.common.Uint64;
import org.serval.api.ClientRegistry;
import org.serval.api.LocalVlanView;
import org.serval.impl.metrics.CommitTimes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dataplane's clients in the operational datastore: what RESTCONF {@code clients} and
 * {@code serval:client-list} show, and what every node's view learns memberships from.
 *
 * <p>The dataplane never waits for the datastore: each change is applied to this node's view at once and the call
 * completes, and the write follows in the background. In a cluster a commit can take seconds (a shard electing a
 * new leader after a node died), and a client moving to this node must be switching by then.
 *
 * <p>This node keeps the record of each of its clients and writes it whole on every change, through one
 * transaction chain, so that its writes apply in order and never conflict with each other. A write that failed
 * (no leader, or a conflict with another node's cleanup) marks the record stale, and {@link #republish} writes it
 * again.
 */
public final class DatastoreClientRegistry implements ClientRegistry, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DatastoreClientRegistry.class);
    private static final long REMOVE_RETRY_SECONDS = 5;
    private static final int REMOVE_ATTEMPTS = 3;

    /**
     * What this node publishes about one of its clients.
     */
    private record Published(String user, Transport transport, IpAddress address, int port, DateAndTime since,
            boolean managed, Map<String, Long> memberships, TrafficCounters counters, long firstGeneration) {
        Published with(final String vlan, final Long mac) {
            final var now = new HashMap<>(memberships);
            if (mac == null) {
                now.remove(vlan);
            } else {
                now.put(vlan, mac);
            }
            return new Published(user, transport, address, port, since, managed, Map.copyOf(now), counters,
                firstGeneration);
        }

        Published with(final TrafficCounters traffic) {
            return new Published(user, transport, address, port, since, managed, memberships, traffic,
                firstGeneration);
        }
    }

    private final DataBroker broker;
    private final LocalVlanView view;
    private final NotificationPublishService notifications;
    private final String nodeId;
    private final Map<String, Published> published = new ConcurrentHashMap<>();
    // Clients whose last write failed; rewritten whole by republish().
    private final Set<String> stale = ConcurrentHashMap.newKeySet();
    // Every entry this node writes carries a new generation; others' changes leave it as it was.
    private final AtomicLong generation = new AtomicLong(System.currentTimeMillis() * 1000);
    // Which writes a failed chain lost is not known: every record is written again.
    private final RenewingChain chain;
    // what the metrics endpoint shows of the datastore: these writes' commit times
    private final CommitTimes commitTimes = new CommitTimes();
    private boolean closed;

    public DatastoreClientRegistry(final DataBroker broker, final LocalVlanView view,
            final NotificationPublishService notifications, final String nodeId) {
        this.broker = requireNonNull(broker);
        this.view = requireNonNull(view);
        this.notifications = requireNonNull(notifications);
        this.nodeId = requireNonNull(nodeId);
        chain = new RenewingChain(broker, () -> stale.addAll(published.keySet()));
    }

    @Override
    public CompletionStage<Void> connected(final String clientId, final String user, final String transport,
            final String remoteAddress, final int remotePort) {
        return connected(clientId, user, transport, remoteAddress, remotePort, false);
    }

    @Override
    public CompletionStage<Void> connected(final String clientId, final String user, final String transport,
            final String remoteAddress, final int remotePort, final boolean managed) {
        final var record = new Published(user, "udp".equals(transport) ? Transport.Udp : Transport.Tcp,
            IetfInetUtil.ipAddressFor(remoteAddress), remotePort, VlanRpcs.now(), managed, Map.of(), null,
            generation.get() + 1);
        published.put(clientId, record);
        view.putClient(clientId, nodeId, user, managed, Map.of());
        write(clientId, "registering client " + clientId);
        notifications.offerNotification(new ClientConnectedBuilder()
            .setClientId(new ClientId(clientId))
            .setNode(new NodeId(nodeId))
            .setTransport(record.transport())
            .setRemoteAddress(record.address())
            .build());
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Void> joined(final String clientId, final String vlan, final long mac) {
        published.computeIfPresent(clientId, (id, now) -> now.with(vlan, mac));
        view.join(clientId, vlan, mac);
        write(clientId, "client " + clientId + " joining " + vlan);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Void> left(final String clientId, final String vlan) {
        published.computeIfPresent(clientId, (id, now) -> now.with(vlan, null));
        view.leave(clientId, vlan);
        write(clientId, "client " + clientId + " leaving " + vlan);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public void counters(final String clientId, final TrafficCounters counters) {
        if (published.computeIfPresent(clientId, (id, now) -> now.with(counters)) != null) {
            write(clientId, "counters of client " + clientId);
        }
    }

    /**
     * Writes this node's counters of a VLAN's switch (vlan-statistics/vlan), or removes them when the switch
     * is gone. Called by the dataplane's sweep every few seconds, when they changed; never per frame.
     */
    @Override
    public void vlanCounters(final String vlan, final VlanCounters counters) {
        if (closed) {
            return;
        }
        final var path = ServalPaths.vlanStatistics(vlan, nodeId);
        final var tx = broker.newWriteOnlyTransaction();
        if (counters == null) {
            tx.delete(OPERATIONAL, path);
        } else {
            tx.mergeParentStructurePut(OPERATIONAL, path, new VlanBuilder()
                .setName(new VlanName(vlan))
                .setNode(new NodeId(nodeId))
                .setForwarded(counter(counters.forwarded()))
                .setFlooded(counter(counters.flooded()))
                .setSnooped(counter(counters.snooped()))
                .setAnswered(counter(counters.answered()))
                .setFiltered(counter(counters.filtered()))
                .setRateLimited(counter(counters.rateLimited()))
                .setGroups(new Gauge64(Uint64.valueOf(counters.groups())))
                .setDhcpProbes(counter(counters.dhcpProbes()))
                .setDhcpConflicts(counter(counters.dhcpConflicts()))
                .setMembers(new Gauge32(Uint32.valueOf(counters.members())))
                .setForwardedOctets(counter(counters.forwardedOctets()))
                .setFloodedOctets(counter(counters.floodedOctets()))
                .setSnoopedOctets(counter(counters.snoopedOctets()))
                .setStormDropped(counter(counters.stormDropped()))
                .setDropped(counter(counters.dropped()))
                .setProtocol(BindingMap.of(counters.protocols().entrySet().stream()
                    .map(protocol -> new ProtocolBuilder()
                        .setName(protocol.getKey())
                        .setFrames(counter(protocol.getValue().frames()))
                        .setRateLimited(counter(protocol.getValue().rateLimited()))
                        .setDropped(counter(protocol.getValue().dropped()))
                        .build())
                    .toList()))
                .build());
        }
        final long started = System.nanoTime();
        Futures.addCallback(tx.commit(), new FutureCallback<CommitInfo>() {
            @Override
            public void onSuccess(final CommitInfo result) {
                commitTimes.observe(System.nanoTime() - started);
                LOG.trace("counters of VLAN {}: written", vlan);
            }

            @Override
            public void onFailure(final Throwable cause) {
                // the next change writes them again
                LOG.debug("counters of VLAN {}: not written ({})", vlan, cause.getMessage());
            }
        }, MoreExecutors.directExecutor());
    }

    /**
     * The commit times of this registry's writes, for the metrics endpoint.
     */
    public CommitTimes commitTimes() {
        return commitTimes;
    }

    private static Counter64 counter(final long value) {
        return new Counter64(Uint64.valueOf(value));
    }

    /**
     * Whether an entry of this node's with the given generation was written for an earlier session of a client
     * than the one it has now: a deletion of such an entry (the earlier session's own, committed late) is no news
     * about the session of now.
     */
    boolean isOfEarlierSession(final String clientId, final long entryGeneration) {
        final var record = published.get(clientId);
        return record != null && entryGeneration < record.firstGeneration();
    }

    @Override
    public CompletionStage<Void> disconnected(final String clientId, final String reason) {
        published.remove(clientId);
        stale.remove(clientId);
        view.removeClient(clientId);
        remove(clientId, 1);
        notifications.offerNotification(new ClientDisconnectedBuilder()
            .setClientId(new ClientId(clientId))
            .setNode(new NodeId(nodeId))
            .setReason(switch (reason) {
                case "expired" -> ClientDisconnected.Reason.Expired;
                case "administrative" -> ClientDisconnected.Reason.Administrative;
                case "error" -> ClientDisconnected.Reason.Error;
                default -> ClientDisconnected.Reason.Closed;
            })
            .build());
        return CompletableFuture.completedFuture(null);
    }

    /**
     * Removes a client's entry if it still names this node: a client that has moved on to another node keeps the
     * entry that node wrote.
     */
    private void remove(final String clientId, final int attempt) {
        final var tx = broker.newReadWriteTransaction();
        final var path = ServalPaths.client(clientId);
        Futures.addCallback(tx.read(OPERATIONAL, path), new FutureCallback<Optional<Client>>() {
            @Override
            public void onSuccess(final Optional<Client> entry) {
                final var node = entry.map(Client::getNode).map(NodeId::getValue).orElse(null);
                if (!nodeId.equals(node) || published.containsKey(clientId)) {
                    tx.cancel();
                    return;
                }
                tx.delete(OPERATIONAL, path);
                Futures.addCallback(tx.commit(), new FutureCallback<CommitInfo>() {
                    @Override
                    public void onSuccess(final CommitInfo result) {
                        LOG.debug("Removed client {}", clientId);
                    }

                    @Override
                    public void onFailure(final Throwable cause) {
                        retryRemove(clientId, attempt, cause);
                    }
                }, MoreExecutors.directExecutor());
            }

            @Override
            public void onFailure(final Throwable cause) {
                tx.cancel();
                retryRemove(clientId, attempt, cause);
            }
        }, MoreExecutors.directExecutor());
    }

    private void retryRemove(final String clientId, final int attempt, final Throwable cause) {
        if (attempt >= REMOVE_ATTEMPTS) {
            LOG.warn("Removing client {} failed", clientId, cause);
            return;
        }
        CompletableFuture.delayedExecutor(REMOVE_RETRY_SECONDS, TimeUnit.SECONDS)
            .execute(() -> remove(clientId, attempt + 1));
    }

    /**
     * Writes again, whole, the entries of this node's clients whose last write failed (the datastore had no
     * leader, say), and those the view no longer shows on this node. Called periodically, off the dataplane.
     */
    void republish() {
        for (var entry : published.entrySet()) {
            final var clientId = entry.getKey();
            if (stale.remove(clientId) || !view.isOnNode(clientId, nodeId)) {
                LOG.info("Publishing client {} again", clientId);
                view.putClient(clientId, nodeId, entry.getValue().user(), entry.getValue().managed(),
                    entry.getValue().memberships());
                write(clientId, "publishing client " + clientId + " again");
            }
        }
    }

    /**
     * Writes a client's current record, in order with every other write of this registry.
     */
    private synchronized void write(final String clientId, final String what) {
        final var record = published.get(clientId);
        if (record == null || closed) {
            return;
        }
        final var tx = chain.newWriteOnlyTransaction();
        tx.put(OPERATIONAL, ServalPaths.client(clientId), entry(clientId, record));
        final long started = System.nanoTime();
        Futures.addCallback(tx.commit(), new FutureCallback<CommitInfo>() {
            @Override
            public void onSuccess(final CommitInfo result) {
                commitTimes.observe(System.nanoTime() - started);
                LOG.debug("{}: done", what);
            }

            @Override
            public void onFailure(final Throwable cause) {
                if (VlanRpcs.hasCause(cause, OptimisticLockFailedException.class)) {
                    // Another write to the entry won the race (a late removal of the client's earlier session,
                    // say); the entry is written again whole, so the operator need not hear of it.
                    LOG.debug("{}: raced with another change; it will be written again", what);
                } else {
                    LOG.warn("{}: failed ({}); it will be written again", what, cause.getMessage());
                }
                if (published.containsKey(clientId)) {
                    stale.add(clientId);
                }
            }
        }, MoreExecutors.directExecutor());
    }

    @Override
    public synchronized void close() {
        closed = true;
        chain.close();
    }

    private Client entry(final String clientId, final Published record) {
        final var entry = new ClientBuilder()
            .setId(new ClientId(clientId))
            .setUser(record.user() == null ? null : new UserName(record.user()))
            .setNode(new NodeId(nodeId))
            .setTransport(record.transport())
            .setRemoteAddress(record.address())
            .setRemotePort(new PortNumber(Uint16.valueOf(record.port())))
            .setManaged(record.managed())
            .setConnectedSince(record.since())
            .setLastSeen(VlanRpcs.now())
            .setGeneration(Uint64.valueOf(generation.incrementAndGet()))
            .setMembership(BindingMap.of(record.memberships().entrySet().stream()
                .map(joined -> membership(joined.getKey(), joined.getValue())).toList()));
        final var counters = record.counters();
        if (counters != null) {
            entry.setCounters(new CountersBuilder()
                .setInFrames(new Counter64(Uint64.valueOf(counters.inFrames())))
                .setInOctets(new Counter64(Uint64.valueOf(counters.inOctets())))
                .setOutFrames(new Counter64(Uint64.valueOf(counters.outFrames())))
                .setOutOctets(new Counter64(Uint64.valueOf(counters.outOctets())))
                .setInDiscards(new Counter64(Uint64.valueOf(counters.inDiscards())))
                .setOutDiscards(new Counter64(Uint64.valueOf(counters.outDiscards())))
                .build());
        }
        return entry.build();
    }

    private static Membership membership(final String vlan, final long mac) {
        return new MembershipBuilder()
            .setVlan(new VlanName(vlan))
            .setMac(new MacAddress(formatMac(mac)))
            .setJoinedAt(VlanRpcs.now())
            .build();
    }

    /**
     * A MAC in the YANG mac-address form (colon-separated hex) as a long.
     */
    static long parseMac(final String text) {
        return Long.parseLong(text.replace(":", ""), 16);
    }

    static String formatMac(final long mac) {
        final var text = new StringBuilder(17);
        for (int shift = 40; shift >= 0; shift -= 8) {
            if (text.length() > 0) {
                text.append(':');
            }
            text.append(String.format("%02x", mac >>> shift & 0xff));
        }
        return text.toString();
    }
}
