/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.api;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Set;

/**
 * The access-control container of the YANG model, and the one place that decides who may create, delete and join
 * which VLAN. Rule lists are tried in order, the rules of a list in order; the first rule that matches the user
 * and the VLAN and names the operation decides. Then: a VLAN's owner may delete it, an open VLAN may be joined, and
 * otherwise the operation's default applies. An explicit deny therefore keeps a user out of an open VLAN.
 *
 * @param enabled false permits everything to every authenticated user
 */
public record AccessPolicy(boolean enabled, boolean createDefault, boolean deleteDefault, boolean joinDefault,
        List<RuleList> ruleLists) {
    /**
     * What the model's defaults say when no access-control is configured: anyone may create, only owners delete,
     * only open VLANs are joined.
     */
    public static final AccessPolicy DEFAULT = new AccessPolicy(true, true, false, false, List.of());

    public enum Operation {
        CREATE, DELETE, JOIN;

        public String yangName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * One rule list: it applies to its users, the members of its groups, and everybody when its groups hold "*".
     */
    public record RuleList(String name, Set<String> groups, Set<String> users, List<Rule> rules) {
        public RuleList {
            requireNonNull(name);
            groups = Set.copyOf(groups);
            users = Set.copyOf(users);
            rules = List.copyOf(rules);
        }

        boolean appliesTo(final UserInfo user) {
            return groups.contains("*") || users.contains(user.name())
                || user.groups().stream().anyMatch(groups::contains);
        }
    }

    /**
     * One rule.
     *
     * @param vlan a VLAN name, a prefix ending in "*", or "*"
     */
    public record Rule(String name, String vlan, Set<Operation> operations, boolean permit) {
        public Rule {
            requireNonNull(name);
            requireNonNull(vlan);
            operations = Set.copyOf(operations);
        }

        boolean matches(final Operation operation, final String vlanName) {
            if (!operations.contains(operation)) {
                return false;
            }
            return vlan.endsWith("*") ? vlanName.startsWith(vlan.substring(0, vlan.length() - 1))
                : vlan.equals(vlanName);
        }
    }

    /**
     * A decision and what made it, for the audit log and the refusal's message.
     */
    public record Decision(boolean permitted, String reason) {
    }

    public AccessPolicy {
        ruleLists = List.copyOf(ruleLists);
    }

    /**
     * Decides whether a user may perform an operation on a VLAN.
     *
     * @param vlan the VLAN's name, or the name it would have
     * @param open whether the VLAN is open (false when it does not exist yet)
     * @param owner the VLAN's owner, or null
     */
    public Decision decide(final UserInfo user, final Operation operation, final String vlan, final boolean open,
            final String owner) {
        if (!enabled) {
            return new Decision(true, "access control is disabled");
        }
        for (var list : ruleLists) {
            if (list.appliesTo(user)) {
                for (var rule : list.rules()) {
                    if (rule.matches(operation, vlan)) {
                        return new Decision(rule.permit(), "rule " + rule.name() + " of rule list " + list.name());
                    }
                }
            }
        }
        if (operation == Operation.DELETE && user.name().equals(owner)) {
            return new Decision(true, "the user owns the VLAN");
        }
        if (operation == Operation.JOIN && open) {
            return new Decision(true, "the VLAN is open");
        }
        final boolean permit = switch (operation) {
            case CREATE -> createDefault;
            case DELETE -> deleteDefault;
            case JOIN -> joinDefault;
        };
        return new Decision(permit, operation.yangName() + "-default");
    }
}
