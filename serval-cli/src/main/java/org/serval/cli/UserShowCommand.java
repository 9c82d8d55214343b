/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.cli;

import java.util.Set;
import java.util.TreeSet;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.CommandException;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.GroupName;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.users.User;
import org.serval.api.UserInfo;
import org.serval.api.VlanDirectory;

@Service
@Command(scope = "serval", name = "user-show",
    description = "Shows one SERVAL user: settings, certificates, connected clients. Never the password hash.")
public class UserShowCommand extends DatastoreAction {
    @Reference
    VlanDirectory directory;

    @Argument(index = 0, name = "user", required = true, description = "The user")
    @Completion(UserCompleter.class)
    String user;

    @Override
    public Object execute() throws InterruptedException, CommandException {
        final var found = existingUser(user);
        final var out = out();
        out.println("User:         " + found.getName().getValue());
        out.println("Enabled:      " + yesNo(enabled(found)));
        out.println("Password:     " + (found.getPasswordHash() == null ? "none" : "set"));
        out.println("Groups:       " + groups(found));
        out.println("Max clients:  " + maxClients(found));
        out.println("Max VLANs:    " + maxVlans(found) + " (owns " + directory.vlansOwnedBy(user) + ")");
        final var certificates = certificates(found);
        out.println("Certificates: " + certificates.size());
        certificates.forEach(fingerprint -> out.println("  " + fingerprint));
        final var clients = new TreeSet<>(directory.clientsOf(user));
        out.println("Clients:      " + clients.size() + " connected");
        clients.forEach(client -> out.println("  " + client + " on " + directory.nodeOf(client).orElse("?")));
        return null;
    }

    // Absent leaves have the model's defaults; the binding does not fill them in.
    static boolean enabled(final User user) {
        return !Boolean.FALSE.equals(user.getEnabled());
    }

    static int maxClients(final User user) {
        return user.getMaxClients() == null ? UserInfo.DEFAULT_MAX_CLIENTS : user.getMaxClients().intValue();
    }

    static int maxVlans(final User user) {
        return user.getMaxVlans() == null ? UserInfo.DEFAULT_MAX_VLANS : user.getMaxVlans().intValue();
    }

    static TreeSet<String> certificates(final User user) {
        return user.getCertificate() == null ? new TreeSet<>() : new TreeSet<>(user.getCertificate());
    }

    static String yesNo(final boolean value) {
        return value ? "yes" : "no";
    }

    static String groups(final User user) {
        final var names = new TreeSet<String>();
        (user.getGroup() == null ? Set.<GroupName>of() : user.getGroup()).stream().map(GroupName::getValue)
            .forEach(names::add);
        return names.isEmpty() ? "-" : String.join(",", names);
    }

    static String login(final User user) {
        final boolean password = user.getPasswordHash() != null;
        final int certificates = certificates(user).size();
        if (certificates == 0) {
            return password ? "password" : "none";
        }
        return (password ? "password, " : "") + certificates + " certificate" + (certificates == 1 ? "" : "s");
    }
}
