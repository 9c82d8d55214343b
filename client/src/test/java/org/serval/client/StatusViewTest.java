/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The JSON of {@code status --json} has the fields docs/client-control.md documents, by those names: a GUI and the
 * integration tests read them.
 */
class StatusViewTest {
    @Test
    void anInterfacesAddressesAreReadFromTheSystem() {
        // The loopback interface has 127.0.0.1/8 on every Linux machine the tests run on.
        assertTrue(StatusView.addresses("lo").contains("127.0.0.1/8"), String.valueOf(StatusView.addresses("lo")));
        assertEquals(List.of(), StatusView.addresses("no-such-if0"));
    }

    @Test
    void theJsonHasTheDocumentedFields() {
        final var snapshot = new StatusView.Snapshot("laptop", "alice", new Endpoint("10.0.0.1", 4000), "udp", "n1",
            true, "connected", null, true, 2, List.of(
                new StatusView.Vlan("red", "serval0", "02:53:56:00:00:01", "joined", null, 5, 6, 1, 2),
                new StatusView.Vlan("blue", "serval1", "02:53:56:00:00:02", "refused", "the server refused: denied",
                    0, 0, 0, 0)));
        final var json = StatusView.json(snapshot);
        assertEquals(Set.of("clientId", "user", "server", "transport", "node", "connected", "state", "reason",
            "service", "failovers", "vlans"), json.keySet());
        assertEquals("10.0.0.1:4000", json.get("server").getAsString());
        assertEquals("udp", json.get("transport").getAsString());
        assertEquals("n1", json.get("node").getAsString());
        assertTrue(json.get("connected").getAsBoolean());
        assertTrue(json.get("reason").isJsonNull(), "null fields are there, as null");
        final var red = json.getAsJsonArray("vlans").get(0).getAsJsonObject();
        assertEquals(Set.of("name", "interface", "mac", "state", "reason", "framesOut", "framesIn", "dropped",
            "resolved", "addresses"), red.keySet());
        assertEquals(0, red.getAsJsonArray("addresses").size(), "no such interface here: no addresses");
        assertEquals("serval0", red.get("interface").getAsString());
        assertEquals("02:53:56:00:00:01", red.get("mac").getAsString());
        assertEquals(5, red.get("framesOut").getAsLong());
        final var blue = json.getAsJsonArray("vlans").get(1).getAsJsonObject();
        assertEquals("refused", blue.get("state").getAsString());
        assertEquals("the server refused: denied", blue.get("reason").getAsString());
    }
}
