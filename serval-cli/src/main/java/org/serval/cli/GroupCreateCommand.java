/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.cli;

import static org.opendaylight.mdsal.common.api.LogicalDatastoreType.CONFIGURATION;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.CommandException;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.GroupName;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.groups.GroupBuilder;
import org.serval.api.Checks;

@Service
@Command(scope = "serval", name = "group-create",
    description = "Creates a group of users, for access-control rule lists to name.")
public class GroupCreateCommand extends DatastoreAction {
    @Argument(index = 0, name = "group", required = true,
        description = "The group's name: 1 to 64 letters, digits, '.', '_' or '-'")
    String group;

    @Option(name = "-d", aliases = "--description", description = "Free text")
    String description;

    @Override
    public Object execute() throws InterruptedException, CommandException {
        check(() -> Checks.groupName(group));
        if (Datastore.read(broker, CONFIGURATION, Datastore.group(group)).isPresent()) {
            return error("group " + group + " exists (data-exists)");
        }
        final var tx = broker.newWriteOnlyTransaction();
        tx.put(CONFIGURATION, Datastore.group(group),
            new GroupBuilder().setName(new GroupName(group)).setDescription(description).build());
        Datastore.commit(tx);
        out().println("Group " + group + " created");
        return null;
    }
}
