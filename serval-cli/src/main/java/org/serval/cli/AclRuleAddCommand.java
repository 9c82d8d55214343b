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
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.access.control.RuleListBuilder;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.access.control.rule.list.RuleBuilder;
import org.serval.api.Checks;

@Service
@Command(scope = "serval", name = "acl-rule-add",
    description = "Adds a rule to a rule list: which VLANs, which operations, permit or deny. Rules are tried in "
        + "order; the first that matches decides.")
public class AclRuleAddCommand extends DatastoreAction {
    @Argument(index = 0, name = "list", required = true, description = "The rule list")
    @Completion(RuleListCompleter.class)
    String list;

    @Argument(index = 1, name = "rule", required = true, description = "The new rule's name (1 to 64 characters)")
    String rule;

    @Option(name = "-v", aliases = "--vlan",
        description = "The VLANs it matches: a name, a prefix ending in '*', or '*' (the default) for every VLAN")
    String vlan = "*";

    @Option(name = "-o", aliases = "--operations", required = true,
        description = "What it matches: create, delete, join, comma-separated")
    @Completion(values = {"join", "create", "delete", "join,create", "create,delete", "join,create,delete"},
        value = StringsCompleter.class)
    String operations;

    @Option(name = "-a", aliases = "--action", required = true, description = "permit or deny")
    @Completion(values = {"permit", "deny"}, value = StringsCompleter.class)
    String action;

    @Option(name = "-p", aliases = "--position", description = "Where the rule goes, 1 for first (default: last)")
    Integer position;

    @Override
    public Object execute() throws InterruptedException, CommandException {
        final var builder = new RuleBuilder();
        check(() -> builder.setName(Checks.ruleName(rule)).setVlan(Checks.ruleVlan(vlan))
            .setOperations(Values.operations(operations)).setAction(Values.action("--action", action)));
        final var existing = existingRuleList(list);
        final var rules = existing.nonnullRule();
        if (rules.stream().anyMatch(other -> other.getName().equals(rule))) {
            return error("rule list " + list + " has a rule " + rule + " already (data-exists)");
        }
        final var newRule = builder.build();
        final var newRules = checked(() -> Values.insert(rules, newRule, position));
        // The whole list is written back: the order of an ordered-by-user list is set by writing it whole.
        final var tx = broker.newWriteOnlyTransaction();
        tx.put(CONFIGURATION, Datastore.ruleList(list), new RuleListBuilder(existing).setRule(newRules).build());
        Datastore.commit(tx);
        out().println("Rule " + rule + " added to " + list + " at position " + (newRules.indexOf(newRule) + 1)
            + ": " + newRule.getAction().getName() + " " + Values.operations(newRule.getOperations()) + " on "
            + newRule.getVlan());
        return null;
    }
}
