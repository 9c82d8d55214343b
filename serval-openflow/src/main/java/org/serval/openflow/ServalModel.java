/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.openflow;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.opendaylight.yangtools.yang.common.QName;
import org.opendaylight.yangtools.yang.common.QNameModule;
import org.opendaylight.yangtools.yang.common.Uint16;
import org.opendaylight.yangtools.yang.common.Uint32;
import org.opendaylight.yangtools.yang.data.api.YangInstanceIdentifier;
import org.opendaylight.yangtools.yang.data.api.YangInstanceIdentifier.NodeIdentifier;
import org.opendaylight.yangtools.yang.data.api.YangInstanceIdentifier.NodeIdentifierWithPredicates;
import org.opendaylight.yangtools.yang.data.api.schema.LeafNode;
import org.opendaylight.yangtools.yang.data.api.schema.MapEntryNode;
import org.opendaylight.yangtools.yang.data.api.schema.MapNode;
import org.opendaylight.yangtools.yang.data.api.schema.NormalizedNode;
import org.opendaylight.yangtools.yang.data.spi.node.ImmutableNodes;
import org.serval.dataplane.Bounds;
import org.serval.openflow.FlowPlan.Mode;
import org.serval.openflow.FlowPlan.PortMapping;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The parts of YANG module {@code serval} this bundle reads and writes, as DOM (NormalizedNode) data: QNames built
 * from the module's namespace and revision, and the translation between those nodes and {@link FlowPlan}'s records.
 * This bundle must not use SERVAL's generated binding classes (README.md), so the names are spelled out here;
 * {@code ServalModelTest} checks them against the binding classes.
 */
final class ServalModel {
    private static final Logger LOG = LoggerFactory.getLogger(ServalModel.class);

    /** Module serval, revision 2026-11-30 (yang/src/main/yang/serval@2026-11-30.yang). */
    static final QNameModule MODULE = QNameModule.ofRevision("urn:serval:yang:serval", "2026-11-30");

    // CONFIGURATION vlans/vlan[name]/vid
    static final QName VLANS = qname("vlans");
    static final QName VLAN = qname("vlan");
    static final QName NAME = qname("name");
    static final QName VID = qname("vid");

    // CONFIGURATION openflow/switch[dpid]/port[number] (mode, vlan)
    static final QName OPENFLOW = qname("openflow");
    static final QName SWITCH = qname("switch");
    static final QName DPID = qname("dpid");
    static final QName PORT = qname("port");
    static final QName NUMBER = qname("number");
    static final QName MODE = qname("mode");

    // OPERATIONAL openflow-switches/switch[dpid] (node, address, source-port, connected, flows, port[number])
    static final QName OPENFLOW_SWITCHES = qname("openflow-switches");
    static final QName NODE = qname("node");
    static final QName ADDRESS = qname("address");
    static final QName SOURCE_PORT = qname("source-port");
    static final QName CONNECTED = qname("connected");
    static final QName FLOWS = qname("flows");
    static final QName STATE = qname("state");

    static final YangInstanceIdentifier VLANS_PATH = YangInstanceIdentifier.of(VLANS);
    static final YangInstanceIdentifier OPENFLOW_PATH = YangInstanceIdentifier.of(OPENFLOW);
    static final NodeIdentifier VLAN_LIST = NodeIdentifier.create(VLAN);
    static final NodeIdentifier SWITCH_LIST = NodeIdentifier.create(SWITCH);

    /** One port as a switch describes it. */
    record PortState(long number, String name, State state) {
    }

    /** A port's state, as YANG's enumeration spells it. */
    enum State {
        UP("up"), LINK_DOWN("link-down"), ADMIN_DOWN("admin-down");

        private final String yangName;

        State(final String yangName) {
            this.yangName = yangName;
        }

        String yangName() {
            return yangName;
        }
    }

    private ServalModel() {
        // constants and functions only
    }

    private static QName qname(final String localName) {
        return QName.create(MODULE, localName);
    }

    /** A datapath id as the model writes it: 16 lower-case hex digits. */
    static String dpid(final long datapathId) {
        return HexFormat.of().toHexDigits(datapathId).toLowerCase(Locale.ROOT);
    }

    static YangInstanceIdentifier switchPath(final String dpid) {
        return YangInstanceIdentifier.of(NodeIdentifier.create(OPENFLOW_SWITCHES), SWITCH_LIST,
            NodeIdentifierWithPredicates.of(SWITCH, DPID, dpid));
    }

    static YangInstanceIdentifier portPath(final String dpid, final long port) {
        return switchPath(dpid).node(NodeIdentifier.create(PORT))
            .node(NodeIdentifierWithPredicates.of(PORT, NUMBER, Uint32.valueOf(port)));
    }

    /** The key of a list entry, as a string (a VLAN's name, a switch's dpid). */
    static String key(final NodeIdentifierWithPredicates entry, final QName leaf) {
        return String.valueOf(entry.getValue(leaf));
    }

    private static Object leaf(final MapEntryNode entry, final QName leaf) {
        return entry.childByArg(NodeIdentifier.create(leaf)) instanceof LeafNode<?> found ? found.body() : null;
    }

    /**
     * A VLAN's vid, or {@link FlowPlan#UNTAGGED} when it has none.
     */
    static int vid(final MapEntryNode vlan) {
        return leaf(vlan, VID) instanceof Uint16 vid ? vid.intValue() : FlowPlan.UNTAGGED;
    }

    /**
     * A switch's mapped ports ({@code openflow/switch} entry), in port order, at most {@link
     * Bounds#OPENFLOW_MAPPED_PORTS}.
     */
    static List<PortMapping> mappings(final String dpid, final MapEntryNode mapped) {
        if (!(mapped.childByArg(NodeIdentifier.create(PORT)) instanceof MapNode ports)) {
            return List.of();
        }
        final var result = new ArrayList<PortMapping>();
        for (var port : ports.body().stream()
                .sorted(Comparator.comparingLong(ServalModel::portNumber)).toList()) {
            if (result.size() == Bounds.OPENFLOW_MAPPED_PORTS) {
                LOG.warn("Switch {}: only its first {} mapped ports are programmed", dpid,
                    Bounds.OPENFLOW_MAPPED_PORTS);
                break;
            }
            final var mode = "trunk".equals(leaf(port, MODE)) ? Mode.TRUNK : Mode.ACCESS;
            final var vlan = leaf(port, VLAN);
            result.add(new PortMapping(portNumber(port), mode, vlan == null ? null : vlan.toString()));
        }
        return List.copyOf(result);
    }

    private static long portNumber(final MapEntryNode port) {
        return ((Uint32) port.name().getValue(NUMBER)).toJava();
    }

    /**
     * A switch's whole OPERATIONAL entry: written when it connects (ports as far as known), and again when its port
     * descriptions arrive.
     */
    static MapEntryNode switchEntry(final String dpid, final String node, final InetAddress address,
            final int sourcePort, final boolean connected, final int flows, final Collection<PortState> ports) {
        final var entry = ImmutableNodes.newMapEntryBuilder()
            .withNodeIdentifier(NodeIdentifierWithPredicates.of(SWITCH, DPID, dpid))
            .withChild(ImmutableNodes.leafNode(DPID, dpid))
            .withChild(ImmutableNodes.leafNode(NODE, node))
            .withChild(ImmutableNodes.leafNode(CONNECTED, connected))
            .withChild(ImmutableNodes.leafNode(FLOWS, Uint32.valueOf(flows)));
        if (address != null) {
            // inet:ip-address is a union of strings: the DOM value is the address's text
            entry.withChild(ImmutableNodes.leafNode(ADDRESS, address.getHostAddress()));
        }
        if (sourcePort > 0) {
            entry.withChild(ImmutableNodes.leafNode(SOURCE_PORT, Uint16.valueOf(sourcePort)));
        }
        if (!ports.isEmpty()) {
            final var list = ImmutableNodes.newSystemMapBuilder().withNodeIdentifier(NodeIdentifier.create(PORT));
            ports.forEach(port -> list.withChild(portEntry(port)));
            entry.withChild(list.build());
        }
        return entry.build();
    }

    /** The leaves that change with the connection and the flows, to merge into a switch's entry. */
    static MapEntryNode connectedAndFlows(final String dpid, final boolean connected, final int flows) {
        return ImmutableNodes.newMapEntryBuilder()
            .withNodeIdentifier(NodeIdentifierWithPredicates.of(SWITCH, DPID, dpid))
            .withChild(ImmutableNodes.leafNode(DPID, dpid))
            .withChild(ImmutableNodes.leafNode(CONNECTED, connected))
            .withChild(ImmutableNodes.leafNode(FLOWS, Uint32.valueOf(flows)))
            .build();
    }

    static MapEntryNode portEntry(final PortState port) {
        final var number = Uint32.valueOf(port.number());
        final var entry = ImmutableNodes.newMapEntryBuilder()
            .withNodeIdentifier(NodeIdentifierWithPredicates.of(PORT, NUMBER, number))
            .withChild(ImmutableNodes.leafNode(NUMBER, number))
            .withChild(ImmutableNodes.leafNode(STATE, port.state().yangName()));
        if (port.name() != null) {
            entry.withChild(ImmutableNodes.leafNode(NAME, port.name()));
        }
        return entry.build();
    }

    /** A node's leaf value, for tests and logs. */
    static Object leafOf(final NormalizedNode node, final QName leaf) {
        return node instanceof MapEntryNode entry ? leaf(entry, leaf) : null;
    }
}
