/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The joined VLANs kept across restarts: none until written, then what was written, in order, and nothing but the
 * file left in the directory.
 */
class JoinedVlansTest {
    @TempDir
    Path dir;

    @Test
    void savedVlansComeBackInOrder() throws IOException {
        final var store = new JoinedVlans(dir.resolve("state"));
        assertNull(store.load(), "no file: the configured VLANs count");
        final var vlans = new LinkedHashMap<String, String>();
        vlans.put("red", "serval0");
        vlans.put("blue", "tapblue");
        store.save(vlans);
        assertEquals(List.copyOf(vlans.entrySet()), List.copyOf(store.load().entrySet()));
        store.save(Map.of());
        assertEquals(Map.of(), store.load(), "an empty list is a list: nothing joined, not the configured ones");
        try (var files = Files.list(dir.resolve("state"))) {
            assertEquals(List.of(dir.resolve("state/vlans")), files.toList(), "no temporary file left");
        }
        assertNull(new JoinedVlans(null).load(), "no state directory: no state");
    }

    @Test
    void aBadLineIsSkipped() throws IOException {
        Files.writeString(dir.resolve("vlans"), "# comment\nred = serval0\nbad name = x\nblue\ngreen=g0\n");
        assertEquals(Map.of("red", "serval0", "green", "g0"), new JoinedVlans(dir).load());
    }
}
