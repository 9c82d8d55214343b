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

import org.opendaylight.mdsal.binding.api.DataBroker;
import org.opendaylight.mdsal.binding.api.NotificationPublishService;
import org.opendaylight.mdsal.binding.api.RpcProviderService;
import org.opendaylight.mdsal.dom.api.DOMDataBroker;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261121.NodeId;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261121.nodes.NodeBuilder;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261121.nodes.node.LoadBuilder;
import org.opendaylight.yangtools.yang.common.Uint32;
import org.serval.api.LocalVlanView;
import org.serval.api.VlanDirectory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's SERVAL controller: the local view, the listeners that keep it current, the RPCs and the node's own
 * entry in the operational node list. Free of OSGi so that tests can run it on a plain data broker.
 */
public final class ServalController implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServalController.class);

    private final DataBroker broker;
    private final String nodeId;
    private final LocalVlanView view = new LocalVlanView();
    private final VlanViewUpdater updater;
    private final VlanRpcs rpcs;
    private final VidUniquenessCheck vidCheck;

    public ServalController(final DataBroker broker, final DOMDataBroker domBroker,
            final RpcProviderService rpcProvider, final NotificationPublishService notifications, final String nodeId,
            final int getVlansLimit) {
        this.broker = requireNonNull(broker);
        this.nodeId = requireNonNull(nodeId);
        updater = new VlanViewUpdater(broker, view, nodeId);
        vidCheck = VidUniquenessCheck.register(domBroker, view);
        rpcs = new VlanRpcs(broker, rpcProvider, notifications, view, nodeId, getVlansLimit);
        announceNode();
        LOG.info("SERVAL controller started on node {}", nodeId);
    }

    public VlanDirectory directory() {
        return view;
    }

    VlanRpcs rpcs() {
        return rpcs;
    }

    public String nodeId() {
        return nodeId;
    }

    private void announceNode() {
        final var tx = broker.newWriteOnlyTransaction();
        tx.put(OPERATIONAL, ServalPaths.node(nodeId), new NodeBuilder()
            .setId(new NodeId(nodeId))
            .setLoad(new LoadBuilder().setClients(Uint32.ZERO).build())
            .build());
        Commits.logOutcome(tx.commit(), "announcing node " + nodeId);
    }

    @Override
    public void close() {
        rpcs.close();
        if (vidCheck != null) {
            vidCheck.close();
        }
        updater.close();
        final var tx = broker.newWriteOnlyTransaction();
        tx.delete(OPERATIONAL, ServalPaths.node(nodeId));
        // Best effort: a node that goes away without this is removed by the survivors (cluster issue).
        Commits.logOutcome(tx.commit(), "withdrawing node " + nodeId);
        LOG.info("SERVAL controller on node {} stopped", nodeId);
    }
}
