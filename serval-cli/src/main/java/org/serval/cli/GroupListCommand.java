/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.cli;

import static org.opendaylight.mdsal.common.api.LogicalDatastoreType.CONFIGURATION;

import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.CommandException;
import org.apache.karaf.shell.support.table.ShellTable;
import org.opendaylight.mdsal.binding.api.DataBroker;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.users.User;

@Service
@Command(scope = "serval", name = "group-list", description = "Lists groups with their members.")
public class GroupListCommand extends DatastoreAction {
    @Override
    public Object execute() throws InterruptedException, CommandException {
        final var groups = Datastore.read(broker, CONFIGURATION, Datastore.GROUPS)
            .map(all -> List.copyOf(all.nonnullGroup().values())).orElse(List.of());
        if (groups.isEmpty()) {
            out().println("No groups.");
            return null;
        }
        final var users = users(broker);
        final var table = new ShellTable();
        table.column("Group");
        table.column("Members");
        table.column("Description");
        groups.stream().sorted(Comparator.comparing(group -> group.getName().getValue())).forEach(group ->
            table.addRow().addContent(group.getName().getValue(),
                users.stream().filter(user -> user.getGroup() != null && user.getGroup().contains(group.getName()))
                    .map(user -> user.getName().getValue()).sorted().collect(Collectors.joining(",")),
                group.getDescription() == null ? "" : group.getDescription()));
        table.print(out());
        return null;
    }

    static List<User> users(final DataBroker broker) throws CommandException, InterruptedException {
        return Datastore.read(broker, CONFIGURATION, Datastore.USERS)
            .map(all -> List.copyOf(all.nonnullUser().values())).orElse(List.of());
    }
}
