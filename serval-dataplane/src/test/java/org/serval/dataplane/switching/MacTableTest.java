/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.switching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MacTableTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void learnsRefreshesAndMoves() {
        final var table = new MacTable<String>(16, 8, 300 * SECOND);
        assertTrue(table.learn(0xA, "p1", 0));
        assertFalse(table.learn(0xA, "p1", SECOND), "a refresh is not a change");
        assertEquals("p1", table.lookup(0xA, 2 * SECOND));
        assertTrue(table.learn(0xA, "p2", 3 * SECOND), "the station moved");
        assertEquals("p2", table.lookup(0xA, 3 * SECOND));
        assertEquals(0, table.sizeOf("p1"));
        assertEquals(1, table.sizeOf("p2"));
    }

    @Test
    void idleEntriesAgeOut() {
        final var table = new MacTable<String>(16, 8, 10 * SECOND);
        table.learn(0xA, "p1", 0);
        table.learn(0xB, "p1", 5 * SECOND);
        assertNull(table.lookup(0xA, 11 * SECOND), "idle for 11 s");
        assertEquals("p1", table.lookup(0xB, 11 * SECOND));
        assertEquals(1, table.expire(11 * SECOND));
        assertEquals(1, table.size());
    }

    @Test
    void aFloodingPortOnlyEvictsItself() {
        final var table = new MacTable<String>(100, 10, 300 * SECOND);
        for (long mac = 1; mac <= 5; mac++) {
            table.learn(mac, "honest", mac);
        }
        for (long mac = 1000; mac < 11_000; mac++) {
            table.learn(mac, "flooder", mac);
        }
        assertEquals(10, table.sizeOf("flooder"));
        for (long mac = 1; mac <= 5; mac++) {
            assertEquals("honest", table.lookup(mac, 20_000), "honest MAC " + mac + " survived the flood");
        }
        assertEquals("flooder", table.lookup(10_999, 20_000), "the flooder keeps its newest");
        assertNull(table.lookup(1000, 20_000), "and loses its oldest");
    }

    @Test
    void aFullTableEvictsFromTheLargestPort() {
        // Ten ports with a share of 4 each in a table of 12: the table fills before any port reaches its share.
        final var table = new MacTable<Integer>(12, 4, 300 * SECOND);
        long now = 0;
        for (int port = 0; port < 3; port++) {
            for (int i = 0; i < 4; i++) {
                table.learn(port * 100 + i, port, now++);
            }
        }
        assertEquals(12, table.size());
        table.learn(999, 7, now++);
        assertEquals(12, table.size());
        assertEquals(7, table.lookup(999, now));
        assertNull(table.lookup(0, now), "the oldest entry of a largest port went");
        assertEquals(3, table.sizeOf(0));
    }

    @Test
    void forgettingAPortRemovesItsEntries() {
        final var table = new MacTable<String>(16, 8, 300 * SECOND);
        table.learn(0xA, "p1", 0);
        table.learn(0xB, "p2", 0);
        table.forgetPort("p1");
        assertNull(table.lookup(0xA, 1));
        assertEquals("p2", table.lookup(0xB, 1));
        assertEquals(1, table.size());
    }

    @Test
    void rejectsNonsenseBounds() {
        assertThrows(IllegalArgumentException.class, () -> new MacTable<String>(4, 8, SECOND));
        assertThrows(IllegalArgumentException.class, () -> new MacTable<String>(0, 0, SECOND));
    }
}
