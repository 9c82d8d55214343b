/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.cli;

import java.io.IOException;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.CommandException;
import org.opendaylight.mdsal.binding.api.RpcService;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.SetPassword;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.SetPasswordInputBuilder;
import org.serval.api.Checks;

@Service
@Command(scope = "serval", name = "user-password",
    description = "Sets a SERVAL user's password, creating the user when it does not exist. Only a slow salted hash"
        + " is stored.")
public class UserPasswordCommand extends ServalAction {
    @Reference
    RpcService rpcService;

    @Argument(index = 0, name = "user", required = true,
        description = "The user's name: 1 to 64 letters, digits, '.', '_', '@' or '-'")
    @Completion(UserCompleter.class)
    String user;

    @Argument(index = 1, name = "password", required = false,
        description = "The new password; asked for (not echoed) when omitted, which keeps it out of the history")
    String password;

    @Override
    public Object execute() throws InterruptedException, CommandException {
        String secret = password;
        try {
            Checks.userName(user);
            if (secret == null) {
                secret = session.readLine("Password for " + user + ": ", '*');
            }
            Checks.password(secret);
        } catch (IllegalArgumentException e) {
            return error(e.getMessage());
        } catch (IOException e) {
            return error("cannot read the password: " + e.getMessage());
        }
        if (call(rpcService.getRpc(SetPassword.class).invoke(new SetPasswordInputBuilder().setUser(user)
                .setPassword(secret).build())) != null) {
            out().println("Password of user " + user + " set");
        }
        return null;
    }
}
