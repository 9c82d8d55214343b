/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ClientOptionsTest {
    @Test
    void parsesAFullCommandLine() {
        final var options = ClientOptions.parse("--server", "10.0.0.1:4100", "--id", "alice", "--vlan", "red=tapred",
            "--vlan", "blue", "--status", "0", "--retry", "30");
        assertEquals("10.0.0.1", options.host());
        assertEquals(4100, options.port());
        assertEquals("alice", options.clientId());
        assertEquals(Map.of("red", "tapred", "blue", "serval1"), options.vlans());
        assertEquals(30, options.retrySeconds());
        assertEquals("tcp", options.transport());
        assertEquals("udp", ClientOptions.parse("--server", "h", "--vlan", "red", "--transport", "udp").transport());
        assertEquals(ClientOptions.DEFAULT_PORT, ClientOptions.parse("--server", "h", "--vlan", "red").port());
    }

    @Test
    void badInputSaysWhatIsWrong() {
        assertMessage("--server is required", "--vlan", "red");
        assertMessage("join at least one VLAN", "--server", "h");
        assertMessage("invalid VLAN name", "--server", "h", "--vlan", "bad name");
        assertMessage("must have 1 to 15", "--server", "h", "--vlan", "red=a-much-too-long-name");
        assertMessage("is given twice", "--server", "h", "--vlan", "red", "--vlan", "red");
        assertMessage("must be within 1..65535", "--server", "h:0", "--vlan", "red");
        assertMessage("transport must be tcp or udp", "--server", "h", "--vlan", "red", "--transport", "sctp");
        assertMessage("unknown argument", "--server", "h", "--vlan", "red", "--bogus");
    }

    @Test
    void stableMacsAreLocalUnicastAndDifferPerVlan() {
        final var red = ServalClient.stableMac("alice", "red");
        assertEquals(2, red[0] & 3, "locally administered, unicast");
        assertEquals(ServalClient.macLong(red), ServalClient.macLong(ServalClient.stableMac("alice", "red")));
        assertTrue(ServalClient.macLong(red) != ServalClient.macLong(ServalClient.stableMac("alice", "blue")));
    }

    private static void assertMessage(final String expected, final String... args) {
        final var e = assertThrows(IllegalArgumentException.class, () -> ClientOptions.parse(args));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
