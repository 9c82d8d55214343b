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
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.CommandException;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.UserName;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.users.UserBuilder;
import org.opendaylight.yangtools.yang.common.Uint16;
import org.serval.api.Checks;

@Service
@Command(scope = "serval", name = "user-set",
    description = "Changes a user's limits. Groups: group-add-user; certificates: user-cert-add; password: "
        + "user-password; logins: user-enable, user-disable.")
public class UserSetCommand extends DatastoreAction {
    @Argument(index = 0, name = "user", required = true, description = "The user")
    @Completion(UserCompleter.class)
    String user;

    @Option(name = "--max-clients", description = "The most clients connected at once (0-65535)")
    Integer maxClients;

    @Option(name = "--max-vlans", description = "The most VLANs the user may own (0-65535)")
    Integer maxVlans;

    @Override
    public Object execute() throws InterruptedException, CommandException {
        if (maxClients == null && maxVlans == null) {
            return error("nothing to change: give --max-clients or --max-vlans");
        }
        final var builder = new UserBuilder();
        check(() -> {
            builder.setName(new UserName(Checks.userName(user)));
            if (maxClients != null) {
                builder.setMaxClients(Uint16.valueOf(Checks.uint16("max-clients", maxClients)));
            }
            if (maxVlans != null) {
                builder.setMaxVlans(Uint16.valueOf(Checks.uint16("max-vlans", maxVlans)));
            }
        });
        existingUser(user);
        final var tx = broker.newWriteOnlyTransaction();
        tx.merge(CONFIGURATION, Datastore.user(user), builder.build());
        Datastore.commit(tx);
        out().println("User " + user + " changed" + (maxClients == null ? "" : ": max-clients " + maxClients)
            + (maxVlans == null ? "" : (maxClients == null ? ": " : ", ") + "max-vlans " + maxVlans));
        return null;
    }
}
