/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.cli;

import static org.opendaylight.mdsal.common.api.LogicalDatastoreType.OPERATIONAL;

import java.util.List;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.support.CommandException;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.NodeId;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.NodesConfig;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.nodes.config.Node;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.nodes.config.NodeKey;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.nodes.config.node.Bridge;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.nodes.config.node.BridgeKey;
import org.opendaylight.yangtools.binding.DataObjectIdentifier;

/**
 * What the bridge commands share: which node's interfaces they are about.
 */
abstract class BridgeAction extends DatastoreAction {
    @Option(name = "--node", description = "The node whose interface it is (default: the only node there is)")
    String node;

    /**
     * The node named, or the installation's only node.
     */
    String nodeId() throws CommandException, InterruptedException {
        if (node != null) {
            return node;
        }
        final List<String> ids = Datastore.read(broker, OPERATIONAL, Datastore.NODES)
            .map(nodes -> nodes.nonnullNode().keySet().stream().map(key -> key.getId().getValue()).sorted()
                .toList())
            .orElse(List.of());
        if (ids.size() != 1) {
            throw failure("name the node with --node: this installation has " + (ids.isEmpty() ? "no node up"
                : "nodes " + String.join(", ", ids)) + " (invalid-value)");
        }
        return ids.get(0);
    }

    static DataObjectIdentifier<Node> nodeConfig(final String id) {
        return DataObjectIdentifier.builder(NodesConfig.class).child(Node.class, new NodeKey(new NodeId(id)))
            .build();
    }

    static DataObjectIdentifier<Bridge> bridge(final String id, final String iface) {
        return DataObjectIdentifier.builder(NodesConfig.class).child(Node.class, new NodeKey(new NodeId(id)))
            .child(Bridge.class, new BridgeKey(iface)).build();
    }
}
