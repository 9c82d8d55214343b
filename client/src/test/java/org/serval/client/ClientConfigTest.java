/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The configuration file: a good one as the options it stands for, and each kind of bad line refused with its
 * file and line number.
 */
class ClientConfigTest {
    private static final String PIN = "ab".repeat(32);

    @TempDir
    Path dir;

    private Path write(final String text) throws IOException {
        return Files.writeString(dir.resolve("client.conf"), text);
    }

    @Test
    void aGoodFileGivesItsOptions() throws IOException {
        final var password = Files.writeString(dir.resolve("password"), "s3cret\n");
        final var file = write("""
            # the service's configuration
            server = 10.0.0.1:4100
            pin = %s
              user=alice
            password-file = %s

            id = laptop
            transport = udp
            vlan = red=serval0
            vlan = blue
            reconnect = 0
            no-warmup = true
            plaintext = false
            control-socket = /tmp/x.sock
            state-dir = /tmp/state
            """.formatted(PIN, password));
        final var settings = ClientConfig.read(file);
        assertEquals(new ClientConfig.Setting(2, "server", "10.0.0.1:4100"), settings.get(0));
        assertEquals(new ClientConfig.Setting(4, "user", "alice"), settings.get(2), "spaces around '=' are optional");
        final var builder = new ClientOptions.Builder();
        ClientConfig.apply(settings, builder, Set.of());
        final var options = builder.build(false);
        assertEquals("10.0.0.1", options.host());
        assertEquals(4100, options.port());
        assertEquals(PIN, options.pin());
        assertEquals("s3cret", options.password());
        assertEquals("laptop", options.clientId());
        assertEquals("udp", options.transport());
        assertEquals(Map.of("red", "serval0", "blue", "serval1"), options.vlans());
        assertEquals(0, options.reconnectSeconds());
        assertFalse(options.warmup());
        assertFalse(options.plaintext());
        assertEquals(Path.of("/tmp/x.sock"), builder.controlSocket());
        assertEquals(Path.of("/tmp/state"), builder.stateDir());
        assertFalse(options.toString().contains("s3cret"), "the password is not in toString");
    }

    @Test
    void theCommandLineOverridesTheFile() throws IOException {
        final var settings = ClientConfig.read(write("server = a\nuser = alice\nvlan = red\nvlan = blue\n"
            + "cert = c.p12\n"));
        final var builder = new ClientOptions.Builder();
        ClientConfig.apply(settings, builder, Set.of("server", "vlan"));
        builder.set("server", "b:4001").set("vlan", "green=g0");
        final var options = builder.build(false);
        assertEquals("b", options.host());
        assertEquals(Map.of("green", "g0"), options.vlans(), "the command line's VLANs replace the file's");
        assertEquals("alice", options.user());
    }

    @Test
    void eachBadLineIsNamedWithItsNumber() throws IOException {
        assertRefused("client.conf line 3: missing '='", "# comment\nserver = a\nuser alice\n");
        assertRefused("client.conf line 2: unknown key 'password'", "server = a\npassword = s3cret\n");
        assertRefused("client.conf line 1: no value for server", "server =\n");
        assertRefused("client.conf line 2: transport must be tcp or udp", "server = a\ntransport = sctp\n");
        assertRefused("client.conf line 1: --reconnect must be a number", "reconnect = soon\n");
        assertRefused("client.conf line 1: --retry must be within 0..86400", "retry = -1\n");
        assertRefused("client.conf line 4: interface name 'a-much-too-long-name'",
            "server = a\n\n# VLANs\nvlan = red=a-much-too-long-name\n");
        assertRefused("client.conf line 1: invalid VLAN name", "vlan = bad name\n");
        assertRefused("client.conf line 1: --no-warmup takes true or false", "no-warmup = yes\n");
        assertRefused("client.conf line 1: a SHA-256 fingerprint has 64 hex digits", "pin = abc\n");
        final var secret = assertThrows(IllegalArgumentException.class,
            () -> ClientConfig.read(write("server = a\npassword = s3cret\n")));
        assertFalse(secret.getMessage().contains("s3cret"), "a secret on a bad line is not repeated: "
            + secret.getMessage());
        final var missing = assertThrows(IllegalArgumentException.class,
            () -> ClientConfig.read(dir.resolve("nothing.conf")));
        assertTrue(missing.getMessage().contains("nothing.conf"), missing.getMessage());
    }

    @Test
    void theParserTakesLinesAsTheyCome() {
        assertEquals(List.of(new ClientConfig.Setting(1, "vlan", "red=x0")),
            ClientConfig.parse("f", List.of("vlan=red=x0", "   ", "#vlan = blue")));
    }

    private void assertRefused(final String expected, final String text) throws IOException {
        final var file = write(text);
        final var e = assertThrows(IllegalArgumentException.class, () -> ClientConfig.read(file));
        assertTrue(e.getMessage().contains(expected) && e.getMessage().contains(file.toString()), e.getMessage());
    }
}
