/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.cli;

import static org.opendaylight.mdsal.common.api.LogicalDatastoreType.OPERATIONAL;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.CommandException;
import org.apache.karaf.shell.support.table.ShellTable;
import org.opendaylight.mdsal.binding.api.DataBroker;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.Clients;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.Leases;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.leases.LeaseKey;
import org.opendaylight.yangtools.binding.DataObjectIdentifier;

@Service
@Command(scope = "serval", name = "client-list", description = "Lists connected clients, on every node.")
public class ClientListCommand extends ServalAction {
    @Reference
    DataBroker broker;

    @Override
    public Object execute() throws InterruptedException, CommandException {
        final Clients clients;
        final Leases leases;
        try (var tx = broker.newReadOnlyTransaction()) {
            clients = tx.read(OPERATIONAL, DataObjectIdentifier.builder(Clients.class).build())
                .get(TIMEOUT_SECONDS, TimeUnit.SECONDS).orElse(null);
            leases = tx.read(OPERATIONAL, DataObjectIdentifier.builder(Leases.class).build())
                .get(TIMEOUT_SECONDS, TimeUnit.SECONDS).orElse(null);
        } catch (ExecutionException | TimeoutException e) {
            return error("cannot read the client registry: " + e.getMessage());
        }
        if (clients == null || clients.nonnullClient().isEmpty()) {
            out().println("No clients connected.");
            return null;
        }
        final var table = new ShellTable();
        table.column("Client");
        table.column("User");
        table.column("Node");
        table.column("Transport");
        table.column("Remote");
        table.column("VLANs");
        table.column("Addresses");
        table.column("In frames").alignRight();
        table.column("Out frames").alignRight();
        table.column("Connected since");
        for (var client : clients.nonnullClient().values()) {
            final var counters = client.getCounters();
            table.addRow().addContent(client.getId().getValue(),
                client.getUser() == null ? "-" : client.getUser().getValue(),
                client.getNode() == null ? "-" : client.getNode().getValue(),
                client.getTransport() == null ? "-" : client.getTransport().getName(),
                client.getRemoteAddress() == null ? "-" : client.getRemoteAddress().stringValue()
                    + (client.getRemotePort() == null ? "" : ":" + client.getRemotePort().getValue()),
                client.nonnullMembership().keySet().stream().map(key -> key.getVlan().getValue()).sorted()
                    .collect(Collectors.joining(",")),
                // The DHCPv4 lease of each membership's interface, where its VLAN's switch gave one.
                client.nonnullMembership().values().stream()
                    .filter(membership -> membership.getMac() != null && leases != null)
                    .map(membership -> leases.nonnullLease().get(new LeaseKey(membership.getMac(),
                        membership.getVlan())))
                    .filter(lease -> lease != null && lease.getAddress() != null)
                    .map(lease -> lease.getAddress().getValue()).sorted().collect(Collectors.joining(",")),
                counters == null || counters.getInFrames() == null ? 0 : counters.getInFrames().getValue(),
                counters == null || counters.getOutFrames() == null ? 0 : counters.getOutFrames().getValue(),
                client.getConnectedSince() == null ? "-" : client.getConnectedSince().getValue());
        }
        table.print(out());
        return null;
    }
}
