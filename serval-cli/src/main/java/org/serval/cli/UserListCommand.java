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
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.CommandException;
import org.apache.karaf.shell.support.table.ShellTable;
import org.serval.api.VlanDirectory;

@Service
@Command(scope = "serval", name = "user-list",
    description = "Lists SERVAL users: enabled, groups, limits, how they log in, clients connected now.")
public class UserListCommand extends DatastoreAction {
    @Reference
    VlanDirectory directory;

    @Argument(index = 0, name = "prefix", description = "Only users whose name starts with this")
    String prefix;

    @Override
    public Object execute() throws InterruptedException, CommandException {
        final var users = Datastore.read(broker, CONFIGURATION, Datastore.USERS)
            .map(all -> all.nonnullUser().values().stream()
                .filter(user -> prefix == null || user.getName().getValue().startsWith(prefix))
                .sorted(Comparator.comparing(user -> user.getName().getValue())).toList())
            .orElse(List.of());
        if (users.isEmpty()) {
            out().println(prefix == null ? "No users." : "No users starting with " + prefix + ".");
            return null;
        }
        final var table = new ShellTable();
        table.column("User");
        table.column("Enabled");
        table.column("Groups");
        table.column("Max clients").alignRight();
        table.column("Max VLANs").alignRight();
        table.column("Login");
        table.column("Clients").alignRight();
        for (var user : users) {
            table.addRow().addContent(user.getName().getValue(), UserShowCommand.yesNo(UserShowCommand.enabled(user)),
                UserShowCommand.groups(user), UserShowCommand.maxClients(user), UserShowCommand.maxVlans(user),
                UserShowCommand.login(user), directory.clientsOf(user.getName().getValue()).size());
        }
        table.print(out());
        return null;
    }
}
