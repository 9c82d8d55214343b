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
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.DeleteVlan;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.DeleteVlanInputBuilder;

@Service
@Command(scope = "serval", name = "vlan-delete",
    description = "Deletes a VLAN; its members are taken out of it.")
public class VlanDeleteCommand extends ServalAction {
    @Reference
    RpcService rpcService;

    @Argument(index = 0, name = "name", required = true, description = "The VLAN to delete")
    @Completion(VlanCompleter.class)
    String name;

    @Override
    public Object execute() throws InterruptedException, CommandException {
        if (call(rpcService.getRpc(DeleteVlan.class).invoke(new DeleteVlanInputBuilder().setName(name).build()))
                != null) {
            out().println("VLAN " + name + " deleted");
        }
        return null;
    }
}
