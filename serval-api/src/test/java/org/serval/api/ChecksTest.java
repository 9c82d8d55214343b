/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Locale;
import org.junit.jupiter.api.Test;

class ChecksTest {
    @Test
    void vlanNames() {
        assertEquals("lan-party_2.0", Checks.vlanName("lan-party_2.0"));
        assertEquals("a".repeat(64), Checks.vlanName("a".repeat(64)));
        for (var bad : new String[] {"", "-red", "red team", "a".repeat(65), "röd", null}) {
            final var e = assertThrows(IllegalArgumentException.class, () -> Checks.vlanName(bad), bad);
            assertTrue(e.getMessage().startsWith("invalid VLAN name"), e.getMessage());
        }
    }

    @Test
    void vidsFollow8021Q() {
        assertEquals(1, Checks.vid(1));
        assertEquals(4094, Checks.vid(4094));
        assertThrows(IllegalArgumentException.class, () -> Checks.vid(0));
        assertThrows(IllegalArgumentException.class, () -> Checks.vid(4095));
    }

    @Test
    void clientIdsAndLimits() {
        assertEquals("alice@laptop:1", Checks.clientId("alice@laptop:1"));
        assertThrows(IllegalArgumentException.class, () -> Checks.clientId("a b"));
        assertThrows(IllegalArgumentException.class, () -> Checks.maxMembers(0));
        assertThrows(IllegalArgumentException.class, () -> Checks.maxMembers(65_536));
        assertThrows(IllegalArgumentException.class, () -> Checks.description("x".repeat(256)));
    }

    @Test
    void accessControlValuesFollowTheModel() {
        assertEquals("gamers", Checks.groupName("gamers"));
        assertThrows(IllegalArgumentException.class, () -> Checks.groupName("gam ers"));
        assertThrows(IllegalArgumentException.class, () -> Checks.groupName("a@b"));
        assertEquals("*", Checks.ruleVlan("*"));
        assertEquals("lan-*", Checks.ruleVlan("lan-*"));
        assertEquals("red", Checks.ruleVlan("red"));
        assertEquals("a".repeat(64), Checks.ruleVlan("a".repeat(64)));
        assertEquals("a".repeat(63) + "*", Checks.ruleVlan("a".repeat(63) + "*"));
        for (var bad : new String[] {"", "**", "*red", "re*d", "red team", "a".repeat(65), "a".repeat(64) + "*"}) {
            assertThrows(IllegalArgumentException.class, () -> Checks.ruleVlan(bad), bad);
        }
        assertEquals("x", Checks.ruleName("x"));
        assertThrows(IllegalArgumentException.class, () -> Checks.ruleName(""));
        assertThrows(IllegalArgumentException.class, () -> Checks.ruleName("r".repeat(65)));
    }

    @Test
    void fingerprintsAndLimits() {
        final var hex = "0123456789abcdef".repeat(4);
        assertEquals(hex, Checks.fingerprint(hex));
        assertThrows(IllegalArgumentException.class, () -> Checks.fingerprint(hex.toUpperCase(Locale.ROOT)));
        assertThrows(IllegalArgumentException.class, () -> Checks.fingerprint(hex.substring(1)));
        assertEquals(65_535, Checks.uint16("max-clients", 65_535));
        final var e = assertThrows(IllegalArgumentException.class, () -> Checks.uint16("max-clients", 65_536));
        assertEquals("max-clients 65536 is out of range: use 0 to 65535", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Checks.uint16("max-vlans", -1));
        assertThrows(IllegalArgumentException.class, () -> Checks.rateLimit(0));
    }
}
