/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.cli;

import static org.opendaylight.mdsal.common.api.LogicalDatastoreType.CONFIGURATION;

import java.util.ArrayList;
import java.util.HashSet;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.CommandException;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.users.UserBuilder;

@Service
@Command(scope = "serval", name = "group-delete",
    description = "Deletes a group and takes its members out of it, in one change; rule lists naming it then "
        + "match nobody through it.")
public class GroupDeleteCommand extends DatastoreAction {
    @Argument(index = 0, name = "group", required = true, description = "The group")
    @Completion(GroupCompleter.class)
    String group;

    @Override
    public Object execute() throws InterruptedException, CommandException {
        final var name = existingGroup(group).getName();
        final var tx = broker.newWriteOnlyTransaction();
        final var members = new ArrayList<String>();
        for (var user : GroupListCommand.users(broker)) {
            if (user.getGroup() != null && user.getGroup().contains(name)) {
                final var rest = new HashSet<>(user.getGroup());
                rest.remove(name);
                // users/user/group is a leafref: no member may keep naming a group that is gone
                tx.put(CONFIGURATION, Datastore.user(user.getName().getValue()),
                    new UserBuilder(user).setGroup(rest.isEmpty() ? null : rest).build());
                members.add(user.getName().getValue());
            }
        }
        tx.delete(CONFIGURATION, Datastore.group(group));
        Datastore.commit(tx);
        out().println("Group " + group + " deleted" + (members.isEmpty() ? ""
            : "; removed from users " + String.join(",", members.stream().sorted().toList())));
        return null;
    }
}
