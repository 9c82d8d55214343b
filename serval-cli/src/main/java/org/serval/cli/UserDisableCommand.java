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
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.CommandException;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.users.UserBuilder;

@Service
@Command(scope = "serval", name = "user-disable",
    description = "Refuses every login of a user; its connected clients are "
        + "disconnected at once.")
public class UserDisableCommand extends DatastoreAction {
    @Argument(index = 0, name = "user", required = true, description = "The user")
    @Completion(UserCompleter.class)
    String user;

    @Override
    public Object execute() throws InterruptedException, CommandException {
        final var existing = existingUser(user);
        final var tx = broker.newWriteOnlyTransaction();
        tx.merge(CONFIGURATION, Datastore.user(user),
            new UserBuilder().setName(existing.getName()).setEnabled(false).build());
        Datastore.commit(tx);
        out().println("User " + user + " disabled");
        return null;
    }
}
