/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.impl;

import static java.util.Objects.requireNonNull;
import static org.opendaylight.mdsal.common.api.LogicalDatastoreType.CONFIGURATION;
import static org.opendaylight.mdsal.common.api.LogicalDatastoreType.OPERATIONAL;

import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.opendaylight.mdsal.binding.api.DataBroker;
import org.opendaylight.mdsal.binding.api.DataObjectDeleted;
import org.opendaylight.mdsal.binding.api.DataObjectModification.WithDataAfter;
import org.opendaylight.mdsal.binding.api.DataTreeChangeListener;
import org.opendaylight.mdsal.binding.api.DataTreeModification;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.FloodAction;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.clients.Client;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.vlans.Vlan;
import org.opendaylight.yangtools.concepts.Registration;
import org.serval.api.FloodPolicy;
import org.serval.api.LocalVlanView;
import org.serval.api.VlanInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a {@link LocalVlanView} current from the datastore, so that the dataplane and get-vlans never read the
 * datastore on their own paths.
 *
 * <p>It also enforces, at the one place every deletion passes through, that deleting a VLAN ends the memberships
 * in it, whether the VLAN was deleted by the delete-vlan RPC or directly over RESTCONF. Each node cleans up only
 * the clients connected to it, so a cluster does not race on the same entries.
 */
public final class VlanViewUpdater implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(VlanViewUpdater.class);

    private final LocalVlanView view;
    private final DataBroker broker;
    private final String nodeId;
    private final Registration vlanReg;
    private final Registration clientReg;
    private final Consumer<String> clientRemoved;
    private final Predicate<String> connectedHere;
    private final BiConsumer<String, String> membershipRevoked;

    /**
     * Starts listening.
     *
     * @param clientRemoved told the id of every client of this node whose entry was removed, so that this node's
     *     dataplane can close its session (disconnect-client)
     * @param connectedHere whether a client has a session on this node now: for such a client this node's own
     *     record is the truth, applied to the view before it is written; what the datastore says of it lags (an
     *     earlier write of ours, the entry its old node wrote before it moved here, a survivor removing that
     *     entry). What counts is the removal of an entry that names this node (disconnect-client) and a change
     *     someone else made to it (the same generation): memberships it ends go to membershipRevoked
     * @param membershipRevoked told (client, VLAN) when someone else ended a membership of a client connected here
     *     (leave-vlan, a VLAN deleted), so that its session stops switching there
     */
    public VlanViewUpdater(final DataBroker broker, final LocalVlanView view, final String nodeId,
            final Consumer<String> clientRemoved, final Predicate<String> connectedHere,
            final BiConsumer<String, String> membershipRevoked) {
        this.broker = requireNonNull(broker);
        this.view = requireNonNull(view);
        this.nodeId = requireNonNull(nodeId);
        this.clientRemoved = requireNonNull(clientRemoved);
        this.connectedHere = requireNonNull(connectedHere);
        this.membershipRevoked = requireNonNull(membershipRevoked);
        vlanReg = broker.registerTreeChangeListener(CONFIGURATION, ServalPaths.ALL_VLANS,
            (DataTreeChangeListener<Vlan>) this::onVlansChanged);
        clientReg = broker.registerTreeChangeListener(OPERATIONAL, ServalPaths.ALL_CLIENTS,
            (DataTreeChangeListener<Client>) this::onClientsChanged);
    }

    static VlanInfo toInfo(final Vlan vlan) {
        final var vid = vlan.getVid();
        final var max = vlan.getMaxMembers();
        final var owner = vlan.getOwner();
        return new VlanInfo(vlan.getName().getValue(),
            vid == null ? VlanInfo.NO_VID : vid.getValue().intValue(),
            vlan.getDescription() == null ? "" : vlan.getDescription(),
            max == null ? VlanInfo.DEFAULT_MAX_MEMBERS : max.intValue(),
            Boolean.TRUE.equals(vlan.getOpen()),
            owner == null ? null : owner.getValue(), toFloodPolicy(vlan.getFloodPolicy()));
    }

    private static FloodPolicy toFloodPolicy(final org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130
            .vlan.config.FloodPolicy policy) {
        if (policy == null) {
            return FloodPolicy.DEFAULT;
        }
        final var rate = policy.getRateLimit();
        return new FloodPolicy(action(policy.getBroadcast()), action(policy.getMulticast()),
            rate == null ? FloodPolicy.DEFAULT.ratePerSecond() : (int) Math.min(Integer.MAX_VALUE, rate.toJava()));
    }

    private static FloodPolicy.Action action(final FloodAction action) {
        if (action == null) {
            return FloodPolicy.Action.RATE_LIMIT;
        }
        return switch (action) {
            case Forward -> FloodPolicy.Action.FORWARD;
            case RateLimit -> FloodPolicy.Action.RATE_LIMIT;
            case Drop -> FloodPolicy.Action.DROP;
        };
    }

    private void onVlansChanged(final List<DataTreeModification<Vlan>> changes) {
        for (var change : changes) {
            switch (change.getRootNode()) {
                case DataObjectDeleted<Vlan> deleted -> {
                    final var name = deleted.dataBefore().getName().getValue();
                    final var members = view.members(name);
                    view.removeVlan(name);
                    LOG.info("VLAN {} deleted", name);
                    endMemberships(name, members);
                }
                case WithDataAfter<Vlan> present -> {
                    final var info = toInfo(present.dataAfter());
                    view.putVlan(info);
                    LOG.debug("VLAN {} is now {}", info.name(), info);
                }
            }
        }
    }

    private void onClientsChanged(final List<DataTreeModification<Client>> changes) {
        for (var change : changes) {
            switch (change.getRootNode()) {
                case DataObjectDeleted<Client> deleted -> {
                    final var before = deleted.dataBefore();
                    final var id = before.getId().getValue();
                    final boolean ours = before.getNode() != null && nodeId.equals(before.getNode().getValue());
                    if (connectedHere.test(id) && !ours) {
                        continue;
                    }
                    view.removeClient(id);
                    if (ours) {
                        clientRemoved.accept(id);
                    }
                }
                case WithDataAfter<Client> present -> {
                    final var client = present.dataAfter();
                    final var node = client.getNode();
                    if (connectedHere.test(client.getId().getValue())) {
                        // This node's own record leads (DatastoreClientRegistry); the datastore lags it. Only a
                        // change someone else made to the entry this node wrote is news.
                        final var before = change.getRootNode().dataBefore();
                        if (before != null && node != null && nodeId.equals(node.getValue())
                                && client.getGeneration() != null
                                && client.getGeneration().equals(before.getGeneration())) {
                            final var now = client.nonnullMembership().keySet();
                            for (var key : before.nonnullMembership().keySet()) {
                                if (!now.contains(key)) {
                                    membershipRevoked.accept(client.getId().getValue(), key.getVlan().getValue());
                                }
                            }
                        }
                        continue;
                    }
                    final var user = client.getUser();
                    view.putClient(client.getId().getValue(), node == null ? null : node.getValue(),
                        user == null ? null : user.getValue(),
                        client.nonnullMembership().keySet().stream().map(key -> key.getVlan().getValue()).toList());
                }
            }
        }
    }

    private void endMemberships(final String vlan, final Iterable<String> members) {
        final var tx = broker.newWriteOnlyTransaction();
        var count = 0;
        for (var clientId : members) {
            if (view.isOnNode(clientId, nodeId)) {
                tx.delete(OPERATIONAL, ServalPaths.membership(clientId, vlan));
                count++;
            }
        }
        if (count == 0) {
            tx.cancel();
            return;
        }
        Commits.logOutcome(tx.commit(), "ending " + count + " memberships in deleted VLAN " + vlan);
    }

    @Override
    public void close() {
        vlanReg.close();
        clientReg.close();
    }
}
