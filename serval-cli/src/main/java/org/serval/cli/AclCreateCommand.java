/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.cli;

import static org.opendaylight.mdsal.common.api.LogicalDatastoreType.CONFIGURATION;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.CommandException;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.AccessControlBuilder;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.UserName;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.access.control.RuleList;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.access.control.RuleListBuilder;
import org.serval.api.Checks;

@Service
@Command(scope = "serval", name = "acl-create",
    description = "Creates an access-control rule list for groups and users; add its rules with acl-rule-add. Rule "
        + "lists are tried in order: the first rule that matches, in the first list that has one, decides.")
public class AclCreateCommand extends DatastoreAction {
    @Argument(index = 0, name = "name", required = true, description = "The rule list's name (1 to 64 characters)")
    String name;

    @Option(name = "-g", aliases = "--group", multiValued = true,
        description = "A group the list applies to, or '*' for every user (repeatable)")
    @Completion(GroupCompleter.class)
    List<String> groups;

    @Option(name = "-u", aliases = "--user", multiValued = true,
        description = "A user the list applies to (repeatable)")
    @Completion(UserCompleter.class)
    List<String> users;

    @Option(name = "-p", aliases = "--position", description = "Where the list goes, 1 for first (default: last)")
    Integer position;

    @Override
    public Object execute() throws InterruptedException, CommandException {
        check(() -> Checks.ruleName(name));
        final Set<RuleList.Group> groupSet = new LinkedHashSet<>();
        for (var group : groups == null ? List.<String>of() : groups) {
            groupSet.add("*".equals(group) ? new RuleList.Group("*") : new RuleList.Group(existingGroup(group)
                .getName()));
        }
        final Set<UserName> userSet = new LinkedHashSet<>();
        for (var user : users == null ? List.<String>of() : users) {
            userSet.add(existingUser(user).getName());
        }
        if (groupSet.isEmpty() && userSet.isEmpty()) {
            return error("name the groups (--group, '*' for every user) or users (--user) the list applies to");
        }
        final var acl = Datastore.read(broker, CONFIGURATION, Datastore.ACCESS_CONTROL).orElse(null);
        final var lists = acl == null ? List.<RuleList>of() : acl.nonnullRuleList();
        if (lists.stream().anyMatch(list -> list.getName().equals(name))) {
            return error("rule list " + name + " exists (data-exists)");
        }
        final var list = new RuleListBuilder().setName(name).setGroup(groupSet.isEmpty() ? null : groupSet)
            .setUser(userSet.isEmpty() ? null : userSet).build();
        final var newLists = checked(() -> Values.insert(lists, list, position));
        // The whole container is written back: the order of an ordered-by-user list is set by writing it whole.
        final var tx = broker.newWriteOnlyTransaction();
        tx.put(CONFIGURATION, Datastore.ACCESS_CONTROL,
            (acl == null ? new AccessControlBuilder() : new AccessControlBuilder(acl)).setRuleList(newLists).build());
        Datastore.commit(tx);
        out().println("Rule list " + name + " created at position " + (newLists.indexOf(list) + 1) + " of "
            + newLists.size() + ", for " + AclListCommand.principals(list));
        return null;
    }
}
