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

import java.util.List;
import org.opendaylight.mdsal.binding.api.DataBroker;
import org.opendaylight.mdsal.binding.api.DataObjectDeleted;
import org.opendaylight.mdsal.binding.api.DataObjectModification.WithDataAfter;
import org.opendaylight.mdsal.binding.api.DataTreeChangeListener;
import org.opendaylight.mdsal.binding.api.DataTreeModification;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.Nodes;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.nodes.Node;
import org.opendaylight.yangtools.binding.DataObjectReference;
import org.opendaylight.yangtools.concepts.Registration;
import org.serval.api.LocalNodeView;
import org.serval.api.NodeInfo;

/**
 * Keeps a {@link LocalNodeView} current from the operational node list, so that links between nodes and the node
 * lists sent to clients never wait for the datastore, and keep working while it elects a leader.
 */
final class NodeViewUpdater implements AutoCloseable {
    static final DataObjectReference<Node> ALL_NODES =
        DataObjectReference.builder(Nodes.class).child(Node.class).build();

    private final LocalNodeView view;
    private final Registration registration;

    NodeViewUpdater(final DataBroker broker, final LocalNodeView view) {
        this.view = requireNonNull(view);
        registration = broker.registerTreeChangeListener(OPERATIONAL, ALL_NODES,
            (DataTreeChangeListener<Node>) this::onNodesChanged);
    }

    static NodeInfo toInfo(final Node node) {
        final var endpoints = node.nonnullEndpoint().values().stream()
            .filter(endpoint -> endpoint.getTransport() != null)
            .map(endpoint -> new NodeInfo.Endpoint(endpoint.getTransport().getName(),
                endpoint.getAddress().stringValue(), endpoint.getPort().getValue().intValue()))
            .toList();
        final var peering = node.getPeering();
        final var load = node.getLoad();
        return new NodeInfo(node.getId().getValue(), endpoints,
            peering == null ? null : new NodeInfo.Endpoint("peer", peering.getAddress().stringValue(),
                peering.getPort().getValue().intValue()),
            node.getTlsFingerprint(),
            load == null || load.getClients() == null ? 0 : load.getClients().intValue(),
            load == null || load.getCpuPercent() == null ? 0 : load.getCpuPercent().intValue());
    }

    private void onNodesChanged(final List<DataTreeModification<Node>> changes) {
        for (var change : changes) {
            switch (change.getRootNode()) {
                case DataObjectDeleted<Node> deleted -> view.remove(deleted.dataBefore().getId().getValue());
                case WithDataAfter<Node> present -> view.put(toInfo(present.dataAfter()));
            }
        }
    }

    @Override
    public void close() {
        registration.close();
    }
}
