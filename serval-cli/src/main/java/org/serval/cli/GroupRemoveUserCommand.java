/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.cli;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.CommandException;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.GroupName;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.users.User;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.users.UserBuilder;

@Service
@Command(scope = "serval", name = "group-remove-user", description = "Takes users out of a group.")
public class GroupRemoveUserCommand extends DatastoreAction {
    @Argument(index = 0, name = "group", required = true, description = "The group")
    @Completion(GroupCompleter.class)
    String group;

    @Argument(index = 1, name = "users", required = true, multiValued = true, description = "The users")
    @Completion(UserCompleter.class)
    List<String> users;

    @Override
    public Object execute() throws InterruptedException, CommandException {
        final var name = existingGroup(group).getName();
        // Everything is checked before anything is written: all the users change, or none.
        final var changed = new ArrayList<User>();
        for (var user : users) {
            final var existing = existingUser(user);
            final var groups = existing.getGroup() == null ? new HashSet<GroupName>()
                : new HashSet<>(existing.getGroup());
            if (!groups.remove(name)) {
                return error("user " + user + " is not in group " + group + " (data-missing)");
            }
            changed.add(new UserBuilder(existing).setGroup(groups.isEmpty() ? null : groups).build());
        }
        commitUsers(changed);
        out().println("Removed " + String.join(",", users) + " from group " + group);
        return null;
    }
}
