/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.cli;

import static org.opendaylight.mdsal.common.api.LogicalDatastoreType.CONFIGURATION;
import static org.opendaylight.mdsal.common.api.LogicalDatastoreType.OPERATIONAL;

import java.util.HashMap;
import java.util.TreeSet;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.CommandException;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.BridgePorts;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.NodesConfig;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.bridge.ports.BridgePort;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.nodes.config.node.Bridge;
import org.opendaylight.yangtools.binding.DataObjectIdentifier;

@Service
@Command(scope = "serval", name = "bridge-list",
    description = "Lists the bridged interfaces of every node: VLANs, state and counters.")
public class BridgeListCommand extends DatastoreAction {
    @Override
    public Object execute() throws InterruptedException, CommandException {
        final var config = Datastore.read(broker, CONFIGURATION, DataObjectIdentifier.builder(NodesConfig.class)
            .build());
        final var states = new HashMap<String, BridgePort>();
        Datastore.read(broker, OPERATIONAL, DataObjectIdentifier.builder(BridgePorts.class).build())
            .ifPresent(ports -> ports.nonnullBridgePort().values().forEach(port ->
                states.put(port.getNode().getValue() + "/" + port.getInterface(), port)));
        final var out = out();
        out.printf("%-12s %-15s %-7s %-24s %-8s %12s %12s %10s%n", "NODE", "INTERFACE", "MODE", "VLANS", "STATE",
            "IN-OCTETS", "OUT-OCTETS", "IN-DISC");
        if (config.isEmpty()) {
            return null;
        }
        for (var node : config.orElseThrow().nonnullNode().values()) {
            for (var bridge : node.nonnullBridge().values()) {
                final var vlans = new TreeSet<String>();
                if (bridge.getMode() == Bridge.Mode.Trunk) {
                    if (bridge.getTrunkVlan() != null) {
                        bridge.getTrunkVlan().forEach(vlan -> vlans.add(vlan.getValue()));
                    }
                } else if (bridge.getVlan() != null) {
                    vlans.add(bridge.getVlan().getValue());
                }
                final var state = states.get(node.getNodeId().getValue() + "/" + bridge.getInterface());
                final var stats = state == null ? null : state.getStatistics();
                out.printf("%-12s %-15s %-7s %-24s %-8s %12s %12s %10s%n", node.getNodeId().getValue(),
                    bridge.getInterface(), bridge.getMode() == null ? "?" : bridge.getMode().getName(),
                    String.join(",", vlans), state == null || state.getState() == null ? "-"
                        : state.getState().getName(),
                    stats == null ? "-" : stats.getInOctets(), stats == null ? "-" : stats.getOutOctets(),
                    stats == null ? "-" : stats.getInDiscards());
                if (state != null && state.getReason() != null) {
                    out.println("    " + state.getReason());
                }
            }
        }
        return null;
    }
}
