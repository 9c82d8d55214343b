/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.impl;

import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.AccessControl;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.ClientId;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.Clients;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.NodeId;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.Nodes;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.UserName;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.Users;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.VlanName;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.VlanStatistics;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.Vlans;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.clients.Client;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.clients.ClientKey;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.clients.client.Membership;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.clients.client.MembershipKey;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.nodes.Node;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.nodes.NodeKey;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.users.User;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.users.UserKey;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.vlans.Vlan;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.vlans.VlanKey;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.vlans.vlan.MembershipDecision;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.vlans.vlan.MembershipDecisionKey;
import org.opendaylight.yangtools.binding.DataObjectIdentifier;
import org.opendaylight.yangtools.binding.DataObjectReference;

/**
 * Where SERVAL's data lives in the datastore.
 */
public final class ServalPaths {
    public static final DataObjectReference<Vlan> ALL_VLANS =
        DataObjectReference.builder(Vlans.class).child(Vlan.class).build();
    public static final DataObjectReference<Client> ALL_CLIENTS =
        DataObjectReference.builder(Clients.class).child(Client.class).build();
    public static final DataObjectReference<User> ALL_USERS =
        DataObjectReference.builder(Users.class).child(User.class).build();
    public static final DataObjectIdentifier<AccessControl> ACCESS_CONTROL =
        DataObjectIdentifier.builder(AccessControl.class).build();
    public static final DataObjectIdentifier<Clients> CLIENTS = DataObjectIdentifier.builder(Clients.class).build();
    public static final DataObjectIdentifier<Vlans> VLANS = DataObjectIdentifier.builder(Vlans.class).build();
    public static final DataObjectIdentifier<VlanStatistics> VLAN_STATISTICS =
        DataObjectIdentifier.builder(VlanStatistics.class).build();

    private ServalPaths() {
        // constants only
    }

    public static DataObjectIdentifier<Vlan> vlan(final String name) {
        return DataObjectIdentifier.builder(Vlans.class).child(Vlan.class, new VlanKey(new VlanName(name))).build();
    }

    /**
     * One node's counters of one VLAN's switch (vlan-statistics/vlan).
     */
    public static DataObjectIdentifier<org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.vlan.statistics
            .Vlan> vlanStatistics(final String vlan, final String node) {
        return VLAN_STATISTICS.toBuilder()
            .child(org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.vlan.statistics.Vlan.class,
                new org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.vlan.statistics.VlanKey(
                    new VlanName(vlan), new NodeId(node)))
            .build();
    }

    /**
     * An administrator's decision about a client in a VLAN (join-vlan, leave-vlan).
     */
    public static DataObjectIdentifier<MembershipDecision> decision(final String vlan, final String clientId) {
        return DataObjectIdentifier.builder(Vlans.class).child(Vlan.class, new VlanKey(new VlanName(vlan)))
            .child(MembershipDecision.class, new MembershipDecisionKey(new ClientId(clientId))).build();
    }

    public static DataObjectIdentifier<Client> client(final String id) {
        return DataObjectIdentifier.builder(Clients.class).child(Client.class, new ClientKey(new ClientId(id)))
            .build();
    }

    public static DataObjectIdentifier<Membership> membership(final String clientId, final String vlan) {
        return DataObjectIdentifier.builder(Clients.class).child(Client.class, new ClientKey(new ClientId(clientId)))
            .child(Membership.class, new MembershipKey(new VlanName(vlan))).build();
    }

    public static DataObjectIdentifier<User> user(final String name) {
        return DataObjectIdentifier.builder(Users.class).child(User.class, new UserKey(new UserName(name))).build();
    }

    public static DataObjectIdentifier<Node> node(final String id) {
        return DataObjectIdentifier.builder(Nodes.class).child(Node.class, new NodeKey(new NodeId(id))).build();
    }
}
