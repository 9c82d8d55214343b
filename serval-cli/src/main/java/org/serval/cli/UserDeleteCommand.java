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

@Service
@Command(scope = "serval", name = "user-delete",
    description = "Deletes a user: its logins are refused and its connected clients disconnected.")
public class UserDeleteCommand extends DatastoreAction {
    @Argument(index = 0, name = "user", required = true, description = "The user")
    @Completion(UserCompleter.class)
    String user;

    @Override
    public Object execute() throws InterruptedException, CommandException {
        existingUser(user);
        final var tx = broker.newWriteOnlyTransaction();
        tx.delete(CONFIGURATION, Datastore.user(user));
        Datastore.commit(tx);
        out().println("User " + user + " deleted");
        return null;
    }
}
