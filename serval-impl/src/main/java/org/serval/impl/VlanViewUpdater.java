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

import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.opendaylight.mdsal.binding.api.DataBroker;
import org.opendaylight.mdsal.binding.api.DataObjectDeleted;
import org.opendaylight.mdsal.binding.api.DataObjectModification.WithDataAfter;
import org.opendaylight.mdsal.binding.api.DataTreeChangeListener;
import org.opendaylight.mdsal.binding.api.DataTreeModification;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.ChatterRule;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.FloodAction;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.MembershipDecision;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.clients.Client;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.vlan.chatter.Chatter;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.vlans.Vlan;
import org.opendaylight.yangtools.concepts.Registration;
import org.serval.api.ChatterPolicy;
import org.serval.api.FloodPolicy;
import org.serval.api.LocalVlanView;
import org.serval.api.VlanDirectory;
import org.serval.api.VlanInfo;
import org.serval.dataplane.Bounds;
import org.serval.dataplane.protocol.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a {@link LocalVlanView} current from the datastore, so that the dataplane and get-vlans never read the
 * datastore on their own paths.
 *
 * <p>It also enforces, at the one place every deletion passes through, that deleting a VLAN ends the memberships
 * in it, whether the VLAN was deleted by the delete-vlan RPC or directly over RESTCONF. Each node ends only those
 * of the clients connected to it, so a cluster does not race on the same entries. Likewise an administrator's
 * decision (a VLAN's membership-decision list, written by join-vlan and leave-vlan on any node) reaches the
 * client's session on the node it is connected to, and only there.
 */
public final class VlanViewUpdater implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(VlanViewUpdater.class);
    private static final int MAX_DECISIONS = Bounds.DECISIONS_PER_CLIENT;

    /**
     * This node's sessions, as the listeners act on them; the dataplane's.
     */
    public interface Sessions {
        /**
         * Whether a client has a session on this node now.
         */
        boolean hasSession(String clientId);

        /**
         * The entry of a client of this node was removed (disconnect-client): its session closes.
         */
        void disconnect(String clientId);

        /**
         * A client's membership ended without it asking, for a reason of {@link Message.Removed}.
         */
        void revoke(String clientId, String vlan, int reason);

        /**
         * An administrator's decision about a client and a VLAN changed; the view shows the new one.
         */
        void decisionChanged(String clientId, String vlan);

        /**
         * Whether an entry this node wrote, of the given generation, belongs to an earlier session of the client
         * than the one it has here now.
         */
        default boolean isOfEarlierSession(final String clientId, final long generation) {
            return false;
        }
    }

    private final LocalVlanView view;
    private final DataBroker broker;
    private final String nodeId;
    private final Registration vlanReg;
    private final Registration clientReg;
    private final Sessions sessions;

    /**
     * Starts listening.
     *
     * @param sessions this node's sessions. For a client with a session here this node's own record is the
     *     truth, applied to the view before it is written; what the datastore says of it lags (an earlier write of
     *     ours, the entry its old node wrote before it moved here, a survivor removing that entry). What counts is
     *     the removal of an entry that names this node (disconnect-client) and a change someone else made to it (the
     *     same generation), whose ended memberships are revoked as an administrator's
     */
    public VlanViewUpdater(final DataBroker broker, final LocalVlanView view, final String nodeId,
            final Sessions sessions) {
        this.broker = requireNonNull(broker);
        this.view = requireNonNull(view);
        this.nodeId = requireNonNull(nodeId);
        this.sessions = requireNonNull(sessions);
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
            owner == null ? null : owner.getValue(), toFloodPolicy(vlan.getFloodPolicy()),
            toChatterPolicy(vlan.getChatter()));
    }

    private static ChatterPolicy toChatterPolicy(final Chatter chatter) {
        if (chatter == null) {
            return ChatterPolicy.DEFAULT;
        }
        final var rules = new EnumMap<ChatterPolicy.Protocol, ChatterPolicy.Rule>(ChatterPolicy.Protocol.class);
        putRule(rules, ChatterPolicy.Protocol.MDNS, chatter.getMdns());
        putRule(rules, ChatterPolicy.Protocol.LLMNR, chatter.getLlmnr());
        putRule(rules, ChatterPolicy.Protocol.SSDP, chatter.getSsdp());
        putRule(rules, ChatterPolicy.Protocol.NETBIOS_NS, chatter.getNetbiosNs());
        putRule(rules, ChatterPolicy.Protocol.DHCP, chatter.getDhcp());
        putRule(rules, ChatterPolicy.Protocol.ROUTER_ADVERTISEMENT, chatter.getRouterAdvertisement());
        return new ChatterPolicy(rules);
    }

    private static void putRule(final Map<ChatterPolicy.Protocol, ChatterPolicy.Rule> rules,
            final ChatterPolicy.Protocol protocol, final ChatterRule rule) {
        if (rule != null) {
            final var rate = rule.getRateLimit();
            rules.put(protocol, new ChatterPolicy.Rule(action(rule.getAction()),
                rate == null ? protocol.defaultRate() : (int) Math.min(Integer.MAX_VALUE, rate.toJava())));
        }
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
                    // Each session here leaves (REMOVED 2) and its registry writes its entry without the VLAN; an
                    // entry of this node without a session (being republished, say) loses it here.
                    final var tx = broker.newWriteOnlyTransaction();
                    int stale = 0;
                    for (var clientId : members) {
                        if (sessions.hasSession(clientId)) {
                            sessions.revoke(clientId, name, Message.Removed.DELETED);
                        } else if (view.isOnNode(clientId, nodeId)) {
                            tx.delete(OPERATIONAL, ServalPaths.membership(clientId, name));
                            stale++;
                        }
                    }
                    if (stale == 0) {
                        tx.cancel();
                    } else {
                        Commits.logOutcome(tx.commit(), "ending " + stale + " memberships in deleted VLAN " + name);
                    }
                }
                case WithDataAfter<Vlan> present -> {
                    final var vlan = present.dataAfter();
                    final var info = toInfo(vlan);
                    view.putVlan(info);
                    LOG.debug("VLAN {} is now {}", info.name(), info);
                    final var before = present.dataBefore();
                    if (before == null || !Objects.equals(before.getMembershipDecision(),
                            vlan.getMembershipDecision())) {
                        decisionsChanged(info.name(), vlan);
                    }
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
                    if (sessions.hasSession(id) && (!ours || before.getGeneration() != null
                            && sessions.isOfEarlierSession(id, before.getGeneration().longValue()))) {
                        // Another node's entry, or the one an earlier session of the client here wrote, removed
                        // late (its node removes it after the session ends, and the client may be back already):
                        // no news about the session of now. Only the removal of the entry this session wrote is
                        // a disconnect-client.
                        continue;
                    }
                    view.removeClient(id);
                    if (ours) {
                        sessions.disconnect(id);
                    }
                }
                case WithDataAfter<Client> present -> {
                    final var client = present.dataAfter();
                    final var node = client.getNode();
                    if (sessions.hasSession(client.getId().getValue())) {
                        // This node's own record leads (DatastoreClientRegistry); the datastore lags it. Only a
                        // change someone else made to the entry this node wrote is news.
                        final var before = change.getRootNode().dataBefore();
                        if (before != null && node != null && nodeId.equals(node.getValue())
                                && client.getGeneration() != null
                                && client.getGeneration().equals(before.getGeneration())) {
                            final var now = client.nonnullMembership().keySet();
                            for (var key : before.nonnullMembership().keySet()) {
                                if (!now.contains(key)) {
                                    sessions.revoke(client.getId().getValue(), key.getVlan().getValue(),
                                        Message.Removed.ADMIN);
                                }
                            }
                        }
                        continue;
                    }
                    final var user = client.getUser();
                    final var joined = new HashMap<String, Long>();
                    for (var membership : client.nonnullMembership().values()) {
                        joined.put(membership.getVlan().getValue(), membership.getMac() == null ? -1
                            : DatastoreClientRegistry.parseMac(membership.getMac().getValue()));
                    }
                    view.putClient(client.getId().getValue(), node == null ? null : node.getValue(),
                        user == null ? null : user.getValue(), Boolean.TRUE.equals(client.getManaged()), joined);
                }
            }
        }
    }

    /**
     * A VLAN's decisions changed: the view gets them (at most {@link Bounds#DECISIONS_PER_CLIENT} per client; the
     * RPCs refuse more, and one written straight into the datastore beyond that is ignored here), and the sessions
     * here of the clients whose decision changed act on it.
     */
    private void decisionsChanged(final String vlan, final Vlan entry) {
        final var now = new HashMap<String, VlanDirectory.Decision>();
        for (var decided : entry.nonnullMembershipDecision().values()) {
            final var clientId = decided.getClientId().getValue();
            final boolean known = view.decisionsOf(clientId).containsKey(vlan);
            if (!known && view.decisionCount(clientId) >= MAX_DECISIONS) {
                LOG.warn("Client {} has {} membership decisions, the most it may have; ignoring the one in VLAN {}",
                    clientId, MAX_DECISIONS, vlan);
                continue;
            }
            now.put(clientId, decided.getDecision() == MembershipDecision.Removed ? VlanDirectory.Decision.REMOVED
                : VlanDirectory.Decision.MEMBER);
        }
        final Map<String, VlanDirectory.Decision> before = new HashMap<>();
        for (var clientId : now.keySet()) {
            before.put(clientId, view.decision(clientId, vlan));
        }
        view.putDecisions(vlan, now);
        now.forEach((clientId, decision) -> {
            if (decision != before.get(clientId)) {
                LOG.info("Client {} is now {} of VLAN {} by an administrator's decision", clientId,
                    decision == VlanDirectory.Decision.MEMBER ? "a member" : "removed", vlan);
                sessions.decisionChanged(clientId, vlan);
            }
        });
    }

    @Override
    public void close() {
        vlanReg.close();
        clientReg.close();
    }
}
