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
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.CommandException;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.AccessControl;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.access.control.RuleList;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.access.control.RuleListKey;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.access.control.rule.list.Rule;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.access.control.rule.list.RuleKey;
import org.opendaylight.yangtools.binding.DataObjectIdentifier;

@Service
@Command(scope = "serval", name = "acl-rule-remove", description = "Removes a rule from a rule list.")
public class AclRuleRemoveCommand extends DatastoreAction {
    @Argument(index = 0, name = "list", required = true, description = "The rule list")
    @Completion(RuleListCompleter.class)
    String list;

    @Argument(index = 1, name = "rule", required = true, description = "The rule, as acl-list shows it")
    String rule;

    @Override
    public Object execute() throws InterruptedException, CommandException {
        if (existingRuleList(list).nonnullRule().stream().noneMatch(other -> other.getName().equals(rule))) {
            return error("rule list " + list + " has no rule " + rule + " (data-missing)");
        }
        final var tx = broker.newWriteOnlyTransaction();
        tx.delete(CONFIGURATION, DataObjectIdentifier.builder(AccessControl.class)
            .child(RuleList.class, new RuleListKey(list)).child(Rule.class, new RuleKey(rule)).build());
        Datastore.commit(tx);
        out().println("Rule " + rule + " removed from " + list);
        return null;
    }
}
