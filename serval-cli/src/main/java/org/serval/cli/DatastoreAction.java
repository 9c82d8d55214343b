/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.cli;

import static org.opendaylight.mdsal.common.api.LogicalDatastoreType.CONFIGURATION;

import java.util.List;
import java.util.function.Supplier;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.support.CommandException;
import org.opendaylight.mdsal.binding.api.DataBroker;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.access.control.RuleList;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.groups.Group;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.users.User;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.vlans.Vlan;
import org.serval.api.Checks;

/**
 * A command that reads or writes the configuration datastore directly, as a RESTCONF PUT or PATCH does: users,
 * groups, access control, a VLAN's settings. The lookups fail the command with data-missing, as RESTCONF would.
 */
abstract class DatastoreAction extends ServalAction {
    @Reference
    DataBroker broker;

    User existingUser(final String name) throws CommandException, InterruptedException {
        check(() -> Checks.userName(name));
        return Datastore.read(broker, CONFIGURATION, Datastore.user(name))
            .orElseThrow(() -> failure("no such user " + name + " (data-missing)"));
    }

    Group existingGroup(final String name) throws CommandException, InterruptedException {
        check(() -> Checks.groupName(name));
        return Datastore.read(broker, CONFIGURATION, Datastore.group(name))
            .orElseThrow(() -> failure("no such group " + name + " (data-missing)"));
    }

    RuleList existingRuleList(final String name) throws CommandException, InterruptedException {
        check(() -> Checks.ruleName(name));
        return Datastore.read(broker, CONFIGURATION, Datastore.ruleList(name))
            .orElseThrow(() -> failure("no such rule list " + name + " (data-missing)"));
    }

    Vlan existingVlan(final String name) throws CommandException, InterruptedException {
        check(() -> Checks.vlanName(name));
        return Datastore.read(broker, CONFIGURATION, Datastore.vlan(name))
            .orElseThrow(() -> failure("no such VLAN " + name + " (data-missing)"));
    }

    /**
     * Writes users back whole, in one transaction: a leaf-list entry (a group, a certificate) cannot be addressed on
     * its own.
     */
    void commitUsers(final List<User> users) throws CommandException, InterruptedException {
        final var tx = broker.newWriteOnlyTransaction();
        users.forEach(user -> tx.put(CONFIGURATION, Datastore.user(user.getName().getValue()), user));
        Datastore.commit(tx);
    }

    /**
     * Runs checks that throw {@link IllegalArgumentException}, failing the command with invalid-value and the
     * check's message.
     */
    static void check(final Runnable checks) throws CommandException {
        checked(() -> {
            checks.run();
            return null;
        });
    }

    /**
     * Computes a value whose checks throw {@link IllegalArgumentException}, failing the command with invalid-value
     * and the check's message.
     */
    static <T> T checked(final Supplier<T> value) throws CommandException {
        try {
            return value.get();
        } catch (IllegalArgumentException e) {
            throw failure(e.getMessage() + " (invalid-value)", e);
        }
    }
}
