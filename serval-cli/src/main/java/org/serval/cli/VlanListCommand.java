/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.cli;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.CommandException;
import org.apache.karaf.shell.support.table.ShellTable;
import org.opendaylight.mdsal.binding.api.RpcService;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.GetVlans;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.GetVlansInputBuilder;

@Service
@Command(scope = "serval", name = "vlan-list", description = "Lists VLANs with their member counts.")
public class VlanListCommand extends ServalAction {
    @Reference
    RpcService rpcService;

    @Argument(index = 0, name = "prefix", description = "Only VLANs whose name starts with this")
    String prefix;

    @Override
    public Object execute() throws InterruptedException, CommandException {
        final var output = call(rpcService.getRpc(GetVlans.class)
            .invoke(new GetVlansInputBuilder().setNamePrefix(prefix).build()));
        if (output == null) {
            return null;
        }
        final var vlans = output.nonnullVlan().values();
        if (vlans.isEmpty()) {
            out().println(prefix == null ? "No VLANs." : "No VLANs starting with " + prefix + ".");
            return null;
        }
        final var table = new ShellTable();
        table.column("Name");
        table.column("VID").alignRight();
        table.column("Members").alignRight();
        table.column("Max").alignRight();
        table.column("Open");
        table.column("Description");
        for (var vlan : vlans) {
            table.addRow().addContent(vlan.getName().getValue(),
                vlan.getVid() == null ? "-" : vlan.getVid().getValue(),
                vlan.getMemberCount(), vlan.getMaxMembers(),
                Boolean.TRUE.equals(vlan.getOpen()) ? "yes" : "no",
                vlan.getDescription() == null ? "" : vlan.getDescription());
        }
        table.print(out());
        return null;
    }
}
