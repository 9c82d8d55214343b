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

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClientOptionsTest {
    private static final String PIN = "ab".repeat(32);
    @TempDir
    static Path dir;
    private static String passwordFile;

    @BeforeAll
    static void writePassword() throws IOException {
        passwordFile = Files.writeString(dir.resolve("password"), "s3cret\nignored\n").toString();
    }

    /**
     * The arguments plus a user and a password file, which every command line needs.
     */
    private static ClientOptions parse(final String... args) {
        return ClientOptions.parse(Stream.concat(Stream.of(args),
            Stream.of("--user", "alice", "--password-file", passwordFile)).toArray(String[]::new));
    }

    @Test
    void parsesAFullCommandLine() {
        final var options = parse("--server", "10.0.0.1:4100", "--id", "alice", "--vlan", "red=tapred",
            "--vlan", "blue", "--status", "0", "--retry", "30", "--pin", "SHA256:" + PIN.toUpperCase());
        assertEquals("alice", options.user());
        assertEquals("s3cret", options.password());
        assertEquals(PIN, options.pin());
        assertTrue(!options.toString().contains("s3cret"), "the password is not in toString");
        assertEquals("10.0.0.1", options.host());
        assertEquals(4100, options.port());
        assertEquals("alice", options.clientId());
        assertEquals(Map.of("red", "tapred", "blue", "serval1"), options.vlans());
        assertEquals(30, options.retrySeconds());
        assertEquals("tcp", options.transport());
        assertEquals("udp", parse("--server", "h", "--vlan", "red", "--transport", "udp").transport());
        assertEquals(ClientOptions.DEFAULT_PORT, parse("--server", "h", "--vlan", "red").port());
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
        assertMessage("64 hex digits", "--server", "h", "--vlan", "red", "--pin", "abc");
        assertMessage("does not go with", "--server", "h", "--vlan", "red", "--pin", PIN, "--plaintext");
        assertMessage("--cert needs TLS", "--server", "h", "--vlan", "red", "--cert", "c.p12", "--plaintext");
        final var certOnly = ClientOptions.parse("--server", "h", "--vlan", "red", "--user", "u", "--cert", "c.p12");
        assertEquals(null, certOnly.password(), "a certificate login needs no password");
        final var e = assertThrows(IllegalArgumentException.class,
            () -> ClientOptions.parse("--server", "h", "--vlan", "red", "--password-file", passwordFile));
        assertTrue(e.getMessage().contains("--user is required"), e.getMessage());
    }

    @Test
    void stableMacsAreLocalUnicastAndDifferPerVlan() {
        final var red = TapBridge.stableMac("alice", "red");
        assertEquals(2, red[0] & 3, "locally administered, unicast");
        assertEquals(TapBridge.macLong(red), TapBridge.macLong(TapBridge.stableMac("alice", "red")));
        assertTrue(TapBridge.macLong(red) != TapBridge.macLong(TapBridge.stableMac("alice", "blue")));
    }

    private static void assertMessage(final String expected, final String... args) {
        final var e = assertThrows(IllegalArgumentException.class, () -> parse(args));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
