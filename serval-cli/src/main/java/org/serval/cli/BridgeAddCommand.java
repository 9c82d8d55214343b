/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.cli;

import static org.opendaylight.mdsal.common.api.LogicalDatastoreType.CONFIGURATION;

import java.util.List;
import java.util.Set;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.CommandException;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.VlanName;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.nodes.config.node.Bridge;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.nodes.config.node.BridgeBuilder;

@Service
@Command(scope = "serval", name = "bridge-add", description = "Bridges VLANs to a Linux interface of a node: one "
    + "VLAN untagged (access port), or with --trunk several, each tagged with its vid.")
public class BridgeAddCommand extends BridgeAction {
    @Option(name = "--trunk", description = "802.1Q trunk: each VLAN tagged with its vid")
    boolean trunk;

    @Argument(index = 0, name = "interface", required = true, description = "The Linux interface, e.g. eth1")
    String iface;

    @Argument(index = 1, name = "vlans", required = true, multiValued = true,
        description = "The VLAN (access port) or VLANs (--trunk)")
    @Completion(VlanCompleter.class)
    List<String> vlans;

    @Override
    public Object execute() throws InterruptedException, CommandException {
        if (!trunk && vlans.size() != 1) {
            return error("an access port carries one VLAN; use --trunk for several (invalid-value)");
        }
        for (var vlan : vlans) {
            existingVlan(vlan);
        }
        final var id = nodeId();
        final var path = bridge(id, iface);
        if (Datastore.read(broker, CONFIGURATION, path).isPresent()) {
            return error("interface " + iface + " of node " + id + " is already bridged; bridge-remove it first "
                + "(data-exists)");
        }
        final var builder = new BridgeBuilder().setInterface(iface);
        if (trunk) {
            builder.setMode(Bridge.Mode.Trunk).setTrunkVlan(Set.copyOf(vlans.stream().map(VlanName::new).toList()));
        } else {
            builder.setMode(Bridge.Mode.Access).setVlan(new VlanName(vlans.get(0)));
        }
        final var tx = broker.newWriteOnlyTransaction();
        // the node's entry is made with its first bridge
        tx.mergeParentStructurePut(CONFIGURATION, path, builder.build());
        Datastore.commit(tx);
        out().println("Interface " + iface + " of node " + id + " bridged to " + String.join(",", vlans)
            + (trunk ? " (trunk)" : " (access)"));
        return null;
    }
}
