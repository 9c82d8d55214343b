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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import org.opendaylight.mdsal.binding.api.DataBroker;
import org.opendaylight.mdsal.binding.api.NotificationPublishService;
import org.opendaylight.mdsal.binding.api.WriteTransaction;
import org.opendaylight.mdsal.common.api.CommitInfo;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.IetfInetUtil;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.PortNumber;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.yang.types.rev130715.Counter64;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.yang.types.rev130715.MacAddress;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261121.ClientConnectedBuilder;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261121.ClientDisconnected;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261121.ClientDisconnectedBuilder;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261121.ClientId;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261121.NodeId;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261121.Transport;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261121.UserName;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261121.VlanName;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261121.clients.ClientBuilder;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261121.clients.client.CountersBuilder;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261121.clients.client.MembershipBuilder;
import org.opendaylight.yangtools.yang.common.Uint16;
import org.opendaylight.yangtools.yang.common.Uint64;
import org.serval.api.ClientRegistry;
import org.serval.api.LocalVlanView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dataplane's clients in the operational datastore: what RESTCONF {@code clients} and
 * {@code serval:client-list} show, and what every node's view learns memberships from. Each call completes when
 * this node's view shows the change, so a session answers JOINED only once its frames pass the membership check.
 */
public final class DatastoreClientRegistry implements ClientRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(DatastoreClientRegistry.class);

    private final DataBroker broker;
    private final LocalVlanView view;
    private final NotificationPublishService notifications;
    private final String nodeId;

    public DatastoreClientRegistry(final DataBroker broker, final LocalVlanView view,
            final NotificationPublishService notifications, final String nodeId) {
        this.broker = requireNonNull(broker);
        this.view = requireNonNull(view);
        this.notifications = requireNonNull(notifications);
        this.nodeId = requireNonNull(nodeId);
    }

    @Override
    public CompletionStage<Void> connected(final String clientId, final String user, final String transport,
            final String remoteAddress, final int remotePort) {
        final var now = VlanRpcs.now();
        final var address = IetfInetUtil.ipAddressFor(remoteAddress);
        final var tx = broker.newWriteOnlyTransaction();
        tx.put(OPERATIONAL, ServalPaths.client(clientId), new ClientBuilder()
            .setId(new ClientId(clientId))
            .setUser(user == null ? null : new UserName(user))
            .setNode(new NodeId(nodeId))
            .setTransport("udp".equals(transport) ? Transport.Udp : Transport.Tcp)
            .setRemoteAddress(address)
            .setRemotePort(new PortNumber(Uint16.valueOf(remotePort)))
            .setConnectedSince(now)
            .setLastSeen(now)
            .build());
        return commit(tx, "registering client " + clientId, () -> view.isKnownClient(clientId))
            .thenRun(() -> notifications.offerNotification(new ClientConnectedBuilder()
                .setClientId(new ClientId(clientId))
                .setNode(new NodeId(nodeId))
                .setTransport("udp".equals(transport) ? Transport.Udp : Transport.Tcp)
                .setRemoteAddress(address)
                .build()));
    }

    @Override
    public CompletionStage<Void> joined(final String clientId, final String vlan, final long mac) {
        final var tx = broker.newWriteOnlyTransaction();
        tx.put(OPERATIONAL, ServalPaths.membership(clientId, vlan), new MembershipBuilder()
            .setVlan(new VlanName(vlan))
            .setMac(new MacAddress(formatMac(mac)))
            .setJoinedAt(VlanRpcs.now())
            .build());
        return commit(tx, "client " + clientId + " joining " + vlan, () -> view.isMember(clientId, vlan));
    }

    @Override
    public CompletionStage<Void> left(final String clientId, final String vlan) {
        final var tx = broker.newWriteOnlyTransaction();
        tx.delete(OPERATIONAL, ServalPaths.membership(clientId, vlan));
        return commit(tx, "client " + clientId + " leaving " + vlan, () -> !view.isMember(clientId, vlan));
    }

    @Override
    public CompletionStage<Void> disconnected(final String clientId, final String reason) {
        final var tx = broker.newWriteOnlyTransaction();
        tx.delete(OPERATIONAL, ServalPaths.client(clientId));
        return commit(tx, "removing client " + clientId, () -> !view.isKnownClient(clientId))
            .thenRun(() -> notifications.offerNotification(new ClientDisconnectedBuilder()
                .setClientId(new ClientId(clientId))
                .setNode(new NodeId(nodeId))
                .setReason(switch (reason) {
                    case "expired" -> ClientDisconnected.Reason.Expired;
                    case "administrative" -> ClientDisconnected.Reason.Administrative;
                    case "error" -> ClientDisconnected.Reason.Error;
                    default -> ClientDisconnected.Reason.Closed;
                })
                .build()));
    }

    @Override
    public void counters(final String clientId, final TrafficCounters counters) {
        final var path = ServalPaths.client(clientId);
        final var update = new ClientBuilder()
            .setId(new ClientId(clientId))
            .setLastSeen(VlanRpcs.now())
            .setCounters(new CountersBuilder()
                .setInFrames(new Counter64(Uint64.valueOf(counters.inFrames())))
                .setInOctets(new Counter64(Uint64.valueOf(counters.inOctets())))
                .setOutFrames(new Counter64(Uint64.valueOf(counters.outFrames())))
                .setOutOctets(new Counter64(Uint64.valueOf(counters.outOctets())))
                .setInDiscards(new Counter64(Uint64.valueOf(counters.inDiscards())))
                .setOutDiscards(new Counter64(Uint64.valueOf(counters.outDiscards())))
                .build())
            .build();
        // Merged only into an entry that still exists, in one transaction: a client that left meanwhile makes the
        // commit conflict instead of leaving a half-made entry behind.
        final var tx = broker.newReadWriteTransaction();
        Futures.addCallback(tx.exists(OPERATIONAL, path), new FutureCallback<Boolean>() {
            @Override
            public void onSuccess(final Boolean exists) {
                if (!exists) {
                    tx.cancel();
                    return;
                }
                tx.merge(OPERATIONAL, path, update);
                Commits.logOutcome(tx.commit(), "counters of client " + clientId);
            }

            @Override
            public void onFailure(final Throwable cause) {
                tx.cancel();
                LOG.debug("Reading client {} for its counters failed", clientId, cause);
            }
        }, MoreExecutors.directExecutor());
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

    private CompletionStage<Void> commit(final WriteTransaction tx, final String what, final BooleanSupplier shown) {
        final var done = new CompletableFuture<Void>();
        Futures.addCallback(tx.commit(), new FutureCallback<CommitInfo>() {
            @Override
            public void onSuccess(final CommitInfo result) {
                Commits.shownLocally(view, shown, what).thenRun(() -> done.complete(null));
            }

            @Override
            public void onFailure(final Throwable cause) {
                LOG.warn("{}: failed", what, cause);
                done.completeExceptionally(cause);
            }
        }, MoreExecutors.directExecutor());
        return done;
    }
}
