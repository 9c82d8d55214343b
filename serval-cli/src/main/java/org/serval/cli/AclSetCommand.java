/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.cli;

import static org.opendaylight.mdsal.common.api.LogicalDatastoreType.CONFIGURATION;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.CommandException;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.AccessControlBuilder;

@Service
@Command(scope = "serval", name = "acl-set",
    description = "Turns access control on or off and sets what happens when no rule matches.")
public class AclSetCommand extends DatastoreAction {
    @Option(name = "--enabled", description = "true, or false to let every authenticated user do everything")
    @Completion(values = {"true", "false"}, value = StringsCompleter.class)
    String enabled;

    @Option(name = "--create-default", description = "permit or deny VLAN creation when no rule matches")
    @Completion(values = {"permit", "deny"}, value = StringsCompleter.class)
    String createDefault;

    @Option(name = "--delete-default", description = "permit or deny deleting a VLAN when no rule matches")
    @Completion(values = {"permit", "deny"}, value = StringsCompleter.class)
    String deleteDefault;

    @Option(name = "--join-default", description = "permit or deny joining a VLAN that is not open when no rule "
        + "matches")
    @Completion(values = {"permit", "deny"}, value = StringsCompleter.class)
    String joinDefault;

    @Override
    public Object execute() throws InterruptedException, CommandException {
        if (enabled == null && createDefault == null && deleteDefault == null && joinDefault == null) {
            return error("nothing to change: give --enabled, --create-default, --delete-default or --join-default");
        }
        final var builder = new AccessControlBuilder();
        check(() -> {
            if (enabled != null) {
                builder.setEnabled(Values.bool("--enabled", enabled));
            }
            if (createDefault != null) {
                builder.setCreateDefault(Values.action("--create-default", createDefault));
            }
            if (deleteDefault != null) {
                builder.setDeleteDefault(Values.action("--delete-default", deleteDefault));
            }
            if (joinDefault != null) {
                builder.setJoinDefault(Values.action("--join-default", joinDefault));
            }
        });
        final var tx = broker.newWriteOnlyTransaction();
        tx.merge(CONFIGURATION, Datastore.ACCESS_CONTROL, builder.build());
        Datastore.commit(tx);
        out().println("Access control changed");
        return null;
    }
}
