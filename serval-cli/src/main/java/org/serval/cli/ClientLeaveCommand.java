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
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.CommandException;
import org.opendaylight.mdsal.binding.api.RpcService;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.LeaveVlan;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.LeaveVlanInputBuilder;

@Service
@Command(scope = "serval", name = "client-leave",
    description = "Removes a client from a VLAN (leave-vlan): the membership ends now, and the client may not join "
        + "the VLAN again until client-join.")
public class ClientLeaveCommand extends ServalAction {
    @Reference
    RpcService rpcService;

    @Argument(index = 0, name = "client-id", required = true, description = "The client, as client-list shows it")
    @Completion(ClientCompleter.class)
    String clientId;

    @Argument(index = 1, name = "vlan", required = true, description = "The VLAN")
    @Completion(VlanCompleter.class)
    String vlan;

    @Override
    public Object execute() throws InterruptedException, CommandException {
        if (call(rpcService.getRpc(LeaveVlan.class)
                .invoke(new LeaveVlanInputBuilder().setClientId(clientId).setVlan(vlan).build())) != null) {
            out().println("Client " + clientId + " is removed from VLAN " + vlan);
        }
        return null;
    }
}
