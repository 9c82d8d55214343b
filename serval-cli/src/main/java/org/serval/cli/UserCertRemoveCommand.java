/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.cli;

import java.util.List;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.CommandException;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.users.UserBuilder;

@Service
@Command(scope = "serval", name = "user-cert-remove",
    description = "Stops a client certificate logging in as a user; its sessions end at once.")
public class UserCertRemoveCommand extends DatastoreAction {
    @Argument(index = 0, name = "user", required = true, description = "The user")
    @Completion(UserCompleter.class)
    String user;

    @Argument(index = 1, name = "certificate", required = true,
        description = "The certificate's SHA-256 fingerprint (hex, colons and case do not matter), or a PEM or DER"
            + " certificate file on the server")
    String certificate;

    @Override
    public Object execute() throws InterruptedException, CommandException {
        final var fingerprint = checked(() -> Values.fingerprint(certificate));
        final var existing = existingUser(user);
        final var certificates = UserShowCommand.certificates(existing);
        if (!certificates.remove(fingerprint)) {
            return error("user " + user + " has no certificate " + fingerprint + " (data-missing)");
        }
        commitUsers(List.of(new UserBuilder(existing)
            .setCertificate(certificates.isEmpty() ? null : certificates).build()));
        out().println("Certificate " + fingerprint + " removed from user " + user);
        return null;
    }
}
