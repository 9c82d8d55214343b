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
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.CommandException;
import org.opendaylight.mdsal.binding.api.RpcService;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.CreateVlan;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.CreateVlanInputBuilder;
import org.serval.api.Checks;

@Service
@Command(scope = "serval", name = "vlan-create", description = "Creates a VLAN that clients can join.")
public class VlanCreateCommand extends ServalAction {
    @Reference
    RpcService rpcService;

    @Argument(index = 0, name = "name", required = true,
        description = "The VLAN's name: 1 to 64 letters, digits, '.', '_' or '-'")
    String name;

    @Option(name = "-v", aliases = "--vid", description = "802.1Q VLAN id (1-4094), unique across VLANs")
    Integer vid;

    @Option(name = "-d", aliases = "--description", description = "Free text")
    String description;

    @Option(name = "-m", aliases = "--max-members", description = "Most clients at once (default 256)")
    Integer maxMembers;

    @Option(name = "-o", aliases = "--open", description = "Let every authenticated user join")
    boolean open;

    @Override
    public Object execute() throws InterruptedException, CommandException {
        final var input = new CreateVlanInputBuilder();
        try {
            input.setName(Checks.vlanName(name));
            if (vid != null) {
                input.setVid((long) Checks.vid(vid));
            }
            if (maxMembers != null) {
                input.setMaxMembers((long) Checks.maxMembers(maxMembers));
            }
            input.setDescription(Checks.description(description));
            input.setOpen(open ? Boolean.TRUE : null);
        } catch (IllegalArgumentException e) {
            return error(e.getMessage());
        }
        if (call(rpcService.getRpc(CreateVlan.class).invoke(input.build())) != null) {
            out().println("VLAN " + name + " created" + (vid == null ? "" : " with vid " + vid));
        }
        return null;
    }
}
