/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.impl;

import static java.util.Objects.requireNonNull;

import com.google.common.util.concurrent.FluentFuture;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.opendaylight.mdsal.common.api.DataValidationFailedException;
import org.opendaylight.mdsal.common.api.LogicalDatastoreType;
import org.opendaylight.mdsal.common.api.PostCanCommitStep;
import org.opendaylight.mdsal.dom.api.DOMDataBroker;
import org.opendaylight.mdsal.dom.api.DOMDataTreeCandidate;
import org.opendaylight.mdsal.dom.api.DOMDataTreeCommitCohort;
import org.opendaylight.mdsal.dom.api.DOMDataTreeIdentifier;
import org.opendaylight.netconf.api.NetconfDocumentedException;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.NodesConfig;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.nodes.config.Node;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.nodes.config.node.Bridge;
import org.opendaylight.yangtools.concepts.Registration;
import org.opendaylight.yangtools.util.concurrent.FluentFutures;
import org.opendaylight.yangtools.yang.common.ErrorSeverity;
import org.opendaylight.yangtools.yang.common.ErrorTag;
import org.opendaylight.yangtools.yang.common.ErrorType;
import org.opendaylight.yangtools.yang.common.QName;
import org.opendaylight.yangtools.yang.data.api.YangInstanceIdentifier;
import org.opendaylight.yangtools.yang.data.api.YangInstanceIdentifier.NodeIdentifier;
import org.opendaylight.yangtools.yang.data.api.schema.LeafNode;
import org.opendaylight.yangtools.yang.data.api.schema.LeafSetNode;
import org.opendaylight.yangtools.yang.data.api.schema.MapEntryNode;
import org.serval.api.VlanDirectory;
import org.serval.api.VlanInfo;
import org.serval.dataplane.bridge.BridgeConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses a bridge configuration a node could not serve, however it was written (RESTCONF, the shell): an access
 * port without its VLAN, a trunk VLAN without a vid or with a vid another VLAN on the same trunk has, a VLAN that
 * does not exist (invalid-value); and, on the node the entry names, an interface it does not have (invalid-value)
 * or one a Linux bridge or bond has already (data-exists). Other nodes' interfaces are not known here: their nodes
 * report an unknown one as missing in {@code bridge-ports}.
 *
 * <p>VLANs are looked up in the local view, which may trail a VLAN created in the same instant by the view's lag.
 */
final class BridgeCheck implements DOMDataTreeCommitCohort, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BridgeCheck.class);
    private static final NodeIdentifier NODE_LIST = NodeIdentifier.create(Node.QNAME);
    private static final NodeIdentifier NODE_ID = leaf(Node.QNAME, "node-id");
    private static final NodeIdentifier BRIDGE_LIST = NodeIdentifier.create(Bridge.QNAME);
    private static final NodeIdentifier INTERFACE = leaf(Bridge.QNAME, "interface");
    private static final NodeIdentifier MODE = leaf(Bridge.QNAME, "mode");
    private static final NodeIdentifier VLAN = leaf(Bridge.QNAME, "vlan");
    private static final NodeIdentifier TRUNK_VLAN = leaf(Bridge.QNAME, "trunk-vlan");
    private static final YangInstanceIdentifier PATH = YangInstanceIdentifier.of(NodesConfig.QNAME);

    /**
     * What the node knows of its own interfaces.
     *
     * @param exists whether it has an interface of that name
     * @param masterOf the Linux bridge or bond an interface is a port of, or null
     */
    record Interfaces(Predicate<String> exists, UnaryOperator<String> masterOf) {
    }

    private final VlanDirectory view;
    private final String nodeId;
    private final Interfaces interfaces;
    private final Registration registration;

    private BridgeCheck(final VlanDirectory view, final String nodeId, final Interfaces interfaces,
            final DOMDataBroker.CommitCohortExtension cohorts) {
        this.view = requireNonNull(view);
        this.nodeId = requireNonNull(nodeId);
        this.interfaces = requireNonNull(interfaces);
        registration = cohorts == null ? null : cohorts.registerCommitCohort(
            DOMDataTreeIdentifier.of(LogicalDatastoreType.CONFIGURATION, PATH), this);
    }

    /**
     * A check that is registered nowhere (tests of {@link #check}).
     */
    BridgeCheck(final VlanDirectory view, final String nodeId, final Interfaces interfaces) {
        this(view, nodeId, interfaces, null);
    }

    private static NodeIdentifier leaf(final QName parent, final String name) {
        return NodeIdentifier.create(QName.create(parent, name));
    }

    /**
     * Registers the check with a broker, or returns null (with a warning) when the broker cannot run commit
     * cohorts.
     */
    static BridgeCheck register(final DOMDataBroker broker, final VlanDirectory view, final String nodeId,
            final Interfaces interfaces) {
        final var cohorts = broker.extension(DOMDataBroker.CommitCohortExtension.class);
        if (cohorts == null) {
            LOG.warn("The data broker runs no commit cohorts: bad bridge configurations are not refused");
            return null;
        }
        return new BridgeCheck(view, nodeId, interfaces, cohorts);
    }

    /**
     * A refusal: the message and the error-tag RESTCONF answers with.
     */
    record Refusal(String message, ErrorTag tag) {
    }

    @Override
    public FluentFuture<PostCanCommitStep> canCommit(final Object txId,
            final org.opendaylight.yangtools.yang.model.api.EffectiveModelContext ctx,
            final Collection<DOMDataTreeCandidate> candidates) {
        for (var candidate : candidates) {
            final var nodes = candidate.getRootNode().modifiedChild(NODE_LIST);
            if (nodes == null) {
                continue;
            }
            for (var node : nodes.childNodes()) {
                final var bridges = node.modifiedChild(BRIDGE_LIST);
                if (!(node.dataAfter() instanceof MapEntryNode entry) || bridges == null) {
                    continue;
                }
                final var id = text(entry, NODE_ID);
                // only the entries written now: one whose interface went away since must not block other changes
                for (var bridge : bridges.childNodes()) {
                    if (bridge.dataAfter() instanceof MapEntryNode written) {
                        final var refusal = check(id, written);
                        if (refusal != null) {
                            return refuse(refusal);
                        }
                    }
                }
            }
        }
        return PostCanCommitStep.NOOP_SUCCESSFUL_FUTURE;
    }

    /**
     * Why a node's bridge entry cannot be served, or null.
     */
    Refusal check(final String node, final MapEntryNode bridge) {
        final var iface = text(bridge, INTERFACE);
        final var mode = text(bridge, MODE);
        final var vlan = text(bridge, VLAN);
        final var trunk = new ArrayList<String>();
        if (bridge.childByArg(TRUNK_VLAN) instanceof LeafSetNode<?> names) {
            names.body().forEach(name -> trunk.add(String.valueOf(name.body())));
        }
        return check(node, iface, mode, vlan, trunk);
    }

    Refusal check(final String node, final String iface, final String mode, final String vlan,
            final List<String> trunk) {
        final var where = "bridge " + iface + " on node " + node + ": ";
        if (!BridgeConfig.isInterfaceName(iface)) {
            return invalid(where + "not a Linux interface name");
        }
        if ("trunk".equals(mode)) {
            if (vlan != null) {
                return invalid(where + "a trunk carries the VLANs in trunk-vlan; leaf vlan is for access ports");
            }
            if (trunk.isEmpty()) {
                return invalid(where + "a trunk needs at least one VLAN in trunk-vlan");
            }
            final var byVid = new HashMap<Integer, String>();
            for (var name : trunk) {
                final var info = view.vlan(name);
                if (info.isEmpty()) {
                    return invalid(where + "no such VLAN " + name);
                }
                final int vid = info.orElseThrow().vid();
                if (vid == VlanInfo.NO_VID) {
                    return invalid(where + "VLAN " + name + " has no vid; a trunk tags its frames with it (set one "
                        + "with vlan-set or PUT its vid)");
                }
                final var other = byVid.put(vid, name);
                if (other != null) {
                    return new Refusal(where + "vid " + vid + " is used twice on this trunk, by VLANs " + other
                        + " and " + name, ErrorTag.DATA_EXISTS);
                }
            }
        } else {
            if (vlan == null || !trunk.isEmpty()) {
                return invalid(where + "an access port needs exactly one VLAN, in leaf vlan (trunk-vlan is for "
                    + "trunks)");
            }
            if (view.vlan(vlan).isEmpty()) {
                return invalid(where + "no such VLAN " + vlan);
            }
        }
        if (nodeId.equals(node)) {
            if (!interfaces.exists().test(iface)) {
                return invalid(where + "this node has no interface " + iface);
            }
            final var master = interfaces.masterOf().apply(iface);
            if (master != null) {
                return new Refusal(where + "interface " + iface + " is already bridged: it is a port of " + master
                    + " (ip link set " + iface + " nomaster)", ErrorTag.DATA_EXISTS);
            }
        }
        return null;
    }

    private static Refusal invalid(final String message) {
        return new Refusal(message, ErrorTag.INVALID_VALUE);
    }

    private static String text(final org.opendaylight.yangtools.yang.data.api.schema.DataContainerNode node,
            final NodeIdentifier leaf) {
        return node.childByArg(leaf) instanceof LeafNode<?> value ? String.valueOf(value.body()) : null;
    }

    private static FluentFuture<PostCanCommitStep> refuse(final Refusal refusal) {
        // RESTCONF passes a NetconfDocumentedException's own error-tag on (AddressingCheck says why)
        return FluentFutures.immediateFailedFluentFuture(new DataValidationFailedException(
            YangInstanceIdentifier.class, PATH, refusal.message(),
            new NetconfDocumentedException(refusal.message(), ErrorType.APPLICATION, refusal.tag(),
                ErrorSeverity.ERROR)));
    }

    @Override
    public void close() {
        if (registration != null) {
            registration.close();
        }
    }
}
