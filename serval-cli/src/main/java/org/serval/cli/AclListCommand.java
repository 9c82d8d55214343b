/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.cli;

import static org.opendaylight.mdsal.common.api.LogicalDatastoreType.CONFIGURATION;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.CommandException;
import org.apache.karaf.shell.support.table.ShellTable;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.AclAction;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.UserName;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.access.control.RuleList;

@Service
@Command(scope = "serval", name = "acl-list",
    description = "Shows access control: whether it is on, the defaults, and the rule lists and rules in the order "
        + "they are tried (the first match decides).")
public class AclListCommand extends DatastoreAction {
    @Override
    public Object execute() throws InterruptedException, CommandException {
        final var acl = Datastore.read(broker, CONFIGURATION, Datastore.ACCESS_CONTROL).orElse(null);
        final var out = out();
        out.println("Access control: " + (acl == null || !Boolean.FALSE.equals(acl.getEnabled()) ? "on"
            : "off (every authenticated user may do everything)"));
        out.println("When no rule matches: create " + action(acl == null ? null : acl.getCreateDefault(),
            AclAction.Permit) + ", delete " + action(acl == null ? null : acl.getDeleteDefault(), AclAction.Deny)
            + " (the owner always may), join " + action(acl == null ? null : acl.getJoinDefault(), AclAction.Deny)
            + " (open VLANs: permit)");
        final var lists = acl == null ? List.<RuleList>of() : acl.nonnullRuleList();
        if (lists.isEmpty()) {
            out.println("No rule lists.");
            return null;
        }
        final var table = new ShellTable();
        table.column("#").alignRight();
        table.column("Rule list");
        table.column("Applies to");
        table.column("#").alignRight();
        table.column("Rule");
        table.column("VLANs");
        table.column("Operations");
        table.column("Action");
        int listNumber = 0;
        for (var list : lists) {
            listNumber++;
            final var rules = list.nonnullRule();
            if (rules.isEmpty()) {
                table.addRow().addContent(listNumber, list.getName(), principals(list), "", "(no rules)", "", "", "");
            }
            int ruleNumber = 0;
            for (var rule : rules) {
                ruleNumber++;
                table.addRow().addContent(ruleNumber == 1 ? listNumber : "", ruleNumber == 1 ? list.getName() : "",
                    ruleNumber == 1 ? principals(list) : "", ruleNumber, rule.getName(),
                    rule.getVlan() == null ? "*" : rule.getVlan(), Values.operations(rule.getOperations()),
                    rule.getAction() == null ? "-" : rule.getAction().getName());
            }
        }
        table.print(out);
        return null;
    }

    private static String action(final AclAction action, final AclAction fallback) {
        return (action == null ? fallback : action).getName();
    }

    static String principals(final RuleList list) {
        final var names = new ArrayList<String>();
        if (list.getGroup() != null) {
            list.getGroup().stream().map(RuleList.Group::stringValue).sorted()
                .forEach(group -> names.add("*".equals(group) ? "every user" : "group " + group));
        }
        if (list.getUser() != null) {
            new TreeSet<>(list.getUser().stream().map(UserName::getValue).toList())
                .forEach(user -> names.add("user " + user));
        }
        return names.isEmpty() ? "nobody" : String.join(", ", names);
    }
}
