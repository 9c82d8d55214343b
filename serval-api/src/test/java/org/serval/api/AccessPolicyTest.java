/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.serval.api.AccessPolicy.Operation;
import org.serval.api.AccessPolicy.Rule;
import org.serval.api.AccessPolicy.RuleList;

class AccessPolicyTest {
    private static final UserInfo ALICE = user("alice", "gamers");
    private static final UserInfo BOB = user("bob");
    private static final UserInfo MALLORY = user("mallory", "gamers");

    private static UserInfo user(final String name, final String... groups) {
        return new UserInfo(name, null, true, Set.of(groups), 8, 16, Set.of());
    }

    private static final AccessPolicy POLICY = new AccessPolicy(true, false, false, false, List.of(
        new RuleList("bans", Set.of(), Set.of("mallory"), List.of(
            new Rule("no-mallory", "*", Set.of(Operation.JOIN, Operation.CREATE), false))),
        new RuleList("gamers", Set.of("gamers"), Set.of(), List.of(
            new Rule("lan", "lan-*", Set.of(Operation.JOIN, Operation.CREATE), true),
            new Rule("office", "office", Set.of(Operation.JOIN), false))),
        new RuleList("all", Set.of("*"), Set.of(), List.of(
            new Rule("office", "office", Set.of(Operation.JOIN), true)))));

    private static boolean may(final UserInfo user, final Operation op, final String vlan, final boolean open,
            final String owner) {
        return POLICY.decide(user, op, vlan, open, owner).permitted();
    }

    @Test
    void firstMatchingRuleDecides() {
        assertTrue(may(ALICE, Operation.JOIN, "lan-party", false, null));
        assertTrue(may(ALICE, Operation.CREATE, "lan-2", false, null));
        assertFalse(may(ALICE, Operation.JOIN, "office", false, null), "gamers' deny comes before everyone's permit");
        assertTrue(may(BOB, Operation.JOIN, "office", false, null));
        assertEquals("rule office of rule list all", POLICY.decide(BOB, Operation.JOIN, "office", false, null)
            .reason());
    }

    @Test
    void prefixesMatchOnlyTheirPrefix() {
        assertFalse(may(ALICE, Operation.JOIN, "lan", false, null));
        assertFalse(may(ALICE, Operation.JOIN, "xlan-1", false, null));
        assertFalse(may(ALICE, Operation.DELETE, "lan-1", false, null), "the rule does not name delete");
    }

    @Test
    void openVlansAndOwnersComeAfterRules() {
        assertTrue(may(BOB, Operation.JOIN, "public", true, null));
        assertFalse(may(BOB, Operation.JOIN, "private", false, null));
        assertFalse(may(MALLORY, Operation.JOIN, "public", true, null), "an explicit deny beats open");
        assertTrue(may(BOB, Operation.DELETE, "mine", false, "bob"));
        assertFalse(may(ALICE, Operation.DELETE, "mine", false, "bob"));
    }

    @Test
    void defaultsAndDisabling() {
        assertTrue(AccessPolicy.DEFAULT.decide(BOB, Operation.CREATE, "x", false, null).permitted());
        assertFalse(AccessPolicy.DEFAULT.decide(BOB, Operation.JOIN, "x", false, null).permitted());
        assertFalse(AccessPolicy.DEFAULT.decide(BOB, Operation.DELETE, "x", false, "alice").permitted());
        final var off = new AccessPolicy(false, false, false, false, POLICY.ruleLists());
        assertTrue(off.decide(MALLORY, Operation.JOIN, "office", false, null).permitted());
    }
}
