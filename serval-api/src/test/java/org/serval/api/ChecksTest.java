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
}
