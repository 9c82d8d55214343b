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
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LocalVlanViewTest {
    private final LocalVlanView view = new LocalVlanView();

    private static VlanInfo vlan(final String name, final int vid) {
        return new VlanInfo(name, vid, "", VlanInfo.DEFAULT_MAX_MEMBERS, false, null);
    }

    @Test
    void membershipCountsOnlyWhileTheVlanExists() {
        view.putClient("c1", "n1", "alice", List.of("red"));
        assertFalse(view.isMember("c1", "red"), "red does not exist yet");
        assertEquals(0, view.memberCount("red"));

        view.putVlan(vlan("red", 10));
        assertTrue(view.isMember("c1", "red"));
        assertEquals(1, view.memberCount("red"));
        assertEquals(Set.of("c1"), view.members("red"));

        view.removeVlan("red");
        assertFalse(view.isMember("c1", "red"));
        assertEquals(Set.of(), view.vlansOf("c1"));
        assertTrue(view.vlanByVid(10).isEmpty());
    }

    @Test
    void replacingAClientMovesItsMemberships() {
        view.putVlan(vlan("red", 0));
        view.putVlan(vlan("blue", 0));
        view.putClient("c1", "n1", "alice", List.of("red"));
        view.putClient("c1", "n1", "alice", List.of("blue"));
        assertEquals(0, view.memberCount("red"));
        assertEquals(1, view.memberCount("blue"));

        assertTrue(view.isOnNode("c1", "n1"));
        assertFalse(view.isOnNode("c1", "n2"));
        assertEquals(Set.of("c1"), view.clientsOf("alice"));
        view.putClient("c1", "n1", "bob", List.of("blue"));
        assertEquals(Set.of(), view.clientsOf("alice"), "a client id taken over by another user");
        assertEquals("bob", view.userOf("c1").orElseThrow());
        view.removeClient("c1");
        assertEquals(Set.of(), view.clientsOf("bob"));
        assertEquals(0, view.memberCount("blue"));
        assertFalse(view.isOnNode("c1", "n1"));
        assertFalse(view.isKnownClient("c1"));
    }

    @Test
    void prefixListingIsOrderedAndBounded() {
        for (var name : List.of("lan-b", "lan-a", "game", "lan-c", "lab")) {
            view.putVlan(vlan(name, 0));
        }
        assertEquals(List.of("lan-a", "lan-b"), view.vlans("lan-", 2).stream().map(VlanInfo::name).toList());
        assertEquals(List.of("game", "lab", "lan-a", "lan-b", "lan-c"),
            view.vlans("", 100).stream().map(VlanInfo::name).toList());
        assertEquals(List.of(), view.vlans("zzz", 100));
    }

    @Test
    void vidIndexFollowsChanges() {
        view.putVlan(vlan("red", 10));
        view.putVlan(vlan("red", 11));
        assertTrue(view.vlanByVid(10).isEmpty());
        assertEquals("red", view.vlanByVid(11).orElseThrow().name());
    }

    @Test
    void waitersCompleteWhenTheViewGetsThere() {
        final var present = view.when(() -> view.vlan("red").isPresent());
        final var already = view.when(() -> view.vlanCount() == 0);
        assertTrue(already.isDone());
        assertFalse(present.isDone());
        view.putVlan(vlan("blue", 0));
        assertFalse(present.isDone(), "an unrelated update does not complete it");
        view.putVlan(vlan("red", 0));
        assertTrue(present.isDone());
    }

    @Test
    void rejectsReservedVids() {
        assertThrows(IllegalArgumentException.class, () -> vlan("red", 4095));
        assertThrows(IllegalArgumentException.class, () -> vlan("red", -1));
    }
}
