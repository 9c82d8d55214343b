/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.cli;

import static org.opendaylight.mdsal.common.api.LogicalDatastoreType.CONFIGURATION;

import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.CommandException;
import org.opendaylight.mdsal.binding.api.RpcService;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.GroupName;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.SetPassword;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.SetPasswordInputBuilder;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.UserName;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.users.UserBuilder;
import org.opendaylight.yangtools.yang.common.Uint16;
import org.serval.api.Checks;

@Service
@Command(scope = "serval", name = "user-create",
    description = "Creates a SERVAL user (a client login). Asks for the password (not echoed) unless it is given or"
        + " --no-password; only a slow salted hash is stored, by the set-password RPC.")
public class UserCreateCommand extends DatastoreAction {
    @Reference
    RpcService rpcService;

    @Argument(index = 0, name = "user", required = true,
        description = "The new user's name: 1 to 64 letters, digits, '.', '_', '@' or '-'")
    String user;

    @Argument(index = 1, name = "password", required = false,
        description = "The password; asked for when omitted, which keeps it out of the history")
    String password;

    @Option(name = "-g", aliases = "--group", multiValued = true, description = "A group to join (repeatable)")
    @Completion(GroupCompleter.class)
    List<String> groups;

    @Option(name = "-c", aliases = "--certificate", multiValued = true,
        description = "A client certificate that logs in as this user: its SHA-256 fingerprint or a PEM/DER file")
    List<String> certificates;

    @Option(name = "--max-clients", description = "The most clients connected at once (0-65535, default 8)")
    Integer maxClients;

    @Option(name = "--max-vlans", description = "The most VLANs the user may own (0-65535, default 16)")
    Integer maxVlans;

    @Option(name = "--disabled", description = "Create the user disabled: every login is refused until user-enable")
    boolean disabled;

    @Option(name = "--no-password", description = "No password: the user logs in with a certificate only")
    boolean noPassword;

    @Override
    public Object execute() throws InterruptedException, CommandException {
        final var builder = new UserBuilder();
        final Set<String> fingerprints = new LinkedHashSet<>();
        check(() -> {
            builder.setName(new UserName(Checks.userName(user)));
            if (maxClients != null) {
                builder.setMaxClients(Uint16.valueOf(Checks.uint16("max-clients", maxClients)));
            }
            if (maxVlans != null) {
                builder.setMaxVlans(Uint16.valueOf(Checks.uint16("max-vlans", maxVlans)));
            }
            if (certificates != null) {
                certificates.forEach(given -> fingerprints.add(Values.fingerprint(given)));
            }
            if (noPassword && password != null) {
                throw new IllegalArgumentException("give a password or --no-password, not both");
            }
        });
        if (Datastore.read(broker, CONFIGURATION, Datastore.user(user)).isPresent()) {
            return error("user " + user + " exists (data-exists); change it with user-set or user-password");
        }
        final Set<GroupName> groupNames = new LinkedHashSet<>();
        if (groups != null) {
            for (var group : groups) {
                groupNames.add(existingGroup(group).getName());
            }
        }
        String secret = password;
        if (!noPassword && secret == null) {
            secret = prompt();
        }
        final String checked = secret;
        if (!noPassword) {
            check(() -> Checks.password(checked));
        }
        builder.setEnabled(disabled ? Boolean.FALSE : null)
            .setGroup(groupNames.isEmpty() ? null : groupNames)
            .setCertificate(fingerprints.isEmpty() ? null : fingerprints);
        final var tx = broker.newWriteOnlyTransaction();
        tx.put(CONFIGURATION, Datastore.user(user), builder.build());
        Datastore.commit(tx);
        if (!noPassword) {
            try {
                call(rpcService.getRpc(SetPassword.class).invoke(new SetPasswordInputBuilder().setUser(user)
                    .setPassword(checked).build()));
            } catch (CommandException e) {
                // The user exists but matches no password: a safe state, and the operator needs to know it.
                return error("user " + user + " created, but its password was not set: " + e.getMessage()
                    + "; set it with user-password");
            }
        }
        out().println("User " + user + " created" + (disabled ? ", disabled" : "")
            + (groupNames.isEmpty() ? "" : ", in groups " + String.join(",", groups)));
        return null;
    }

    private String prompt() throws CommandException {
        try {
            final var first = session.readLine("Password for " + user + ": ", '*');
            final var again = session.readLine("Again: ", '*');
            if (first == null || !first.equals(again)) {
                throw error("the passwords differ; nothing was created");
            }
            return first;
        } catch (IOException e) {
            throw failure("cannot read the password: " + e.getMessage(), e);
        }
    }
}
