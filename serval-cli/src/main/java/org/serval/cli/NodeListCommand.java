/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.cli;

import static org.opendaylight.mdsal.common.api.LogicalDatastoreType.OPERATIONAL;

import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.CommandException;
import org.apache.karaf.shell.support.table.ShellTable;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.cluster.rev261130.Node1;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.nodes.Node;

@Service
@Command(scope = "serval", name = "node-list",
    description = "Lists the SERVAL nodes of this installation, as they announce themselves in the operational "
        + "datastore: where clients and other nodes reach them, their load, their certificate's fingerprint.")
public class NodeListCommand extends DatastoreAction {
    @Override
    public Object execute() throws InterruptedException, CommandException {
        final var nodes = Datastore.read(broker, OPERATIONAL, Datastore.NODES)
            .map(all -> all.nonnullNode().values().stream().sorted(Comparator.comparing(node -> node.getId()
                .getValue())).toList()).orElse(List.of());
        if (nodes.isEmpty()) {
            out().println("No nodes have announced themselves yet.");
            return null;
        }
        final var table = new ShellTable();
        table.column("Node");
        table.column("Clients at");
        table.column("Nodes at");
        table.column("Clients").alignRight();
        table.column("CPU %").alignRight();
        table.column("Heartbeat").alignRight();
        table.column("TLS fingerprint (SHA-256)");
        for (var node : nodes) {
            final var load = node.getLoad();
            final var heartbeat = node.augmentation(Node1.class);
            table.addRow().addContent(node.getId().getValue(), endpoints(node),
                node.getPeering() == null ? "-" : node.getPeering().getAddress().stringValue() + ":"
                    + node.getPeering().getPort().getValue(),
                load == null || load.getClients() == null ? "-" : load.getClients(),
                load == null || load.getCpuPercent() == null ? "-" : load.getCpuPercent(),
                heartbeat == null || heartbeat.getHeartbeat() == null ? "-" : heartbeat.getHeartbeat(),
                node.getTlsFingerprint() == null ? "none (plaintext)" : node.getTlsFingerprint());
        }
        table.print(out());
        return null;
    }

    static String endpoints(final Node node) {
        final var endpoints = node.nonnullEndpoint().values();
        return endpoints.isEmpty() ? "-" : endpoints.stream()
            .map(endpoint -> (endpoint.getTransport() == null ? "?" : endpoint.getTransport().getName()) + " "
                + endpoint.getAddress().stringValue() + ":" + endpoint.getPort().getValue())
            .sorted().collect(Collectors.joining(", "));
    }
}
