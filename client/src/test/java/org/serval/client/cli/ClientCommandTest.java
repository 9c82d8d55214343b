/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.serval.client.ClientFailure;
import org.serval.client.ServiceOptions;
import picocli.CommandLine;

/**
 * The command line: options without a command are {@code run}, the file and the flags together, the control
 * commands and what they say when no client runs.
 */
class ClientCommandTest {
    private static final String PIN = "ab".repeat(32);

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter errors = new StringWriter();

    private CommandLine commandLine() {
        return ClientCommand.commandLine(new PrintWriter(out, true), new PrintWriter(errors, true));
    }

    private RunCommand.Prepared run(final String... args) {
        final var parsed = commandLine().parseArgs(ClientCommand.withCommand(args));
        final var sub = parsed.subcommand();
        assertEquals("run", sub.commandSpec().name());
        return ((RunCommand) sub.commandSpec().userObject()).prepare();
    }

    private int execute(final String... args) {
        return ClientCommand.execute(args, new PrintWriter(out, true), new PrintWriter(errors, true));
    }

    @Test
    void bareOptionsMeanRun() throws IOException {
        final var password = Files.writeString(dir.resolve("password"), "pw\n").toString();
        final var prepared = run("--server", "h:4001", "--vlan", "red=serval0", "--vlan", "blue", "--user", "alice",
            "--password-file", password, "--pin", PIN, "--status", "0", "--no-warmup");
        assertEquals("h", prepared.options().host());
        assertEquals(Map.of("red", "serval0", "blue", "serval1"), prepared.options().vlans());
        assertFalse(prepared.options().warmup());
        assertFalse(prepared.service().service(), "plain flags run one shot");
        assertNull(prepared.service().controlSocket(), "one shot has no control socket unless given");
        assertNull(prepared.service().stateDir());
        assertEquals("run", commandLine().parseArgs(ClientCommand.withCommand(new String[] {"run", "--server", "h"}))
            .subcommand().commandSpec().name());
    }

    @Test
    void aConfigFileMakesAServiceAndFlagsOverrideIt() throws IOException {
        final var password = Files.writeString(dir.resolve("password"), "pw\n");
        final var config = Files.writeString(dir.resolve("client.conf"), "server = a\nuser = alice\npin = " + PIN
            + "\npassword-file = " + password + "\nvlan = red\nstate-dir = " + dir + "\n");
        final var prepared = run("run", "--config", config.toString(), "--server", "b", "--control-socket",
            dir.resolve("c.sock").toString());
        assertEquals("b", prepared.options().host());
        assertEquals(Map.of("red", "serval0"), prepared.options().vlans());
        assertTrue(prepared.service().service());
        assertEquals(dir.resolve("c.sock"), prepared.service().controlSocket());
        assertEquals(dir, prepared.service().stateDir());

        final var noVlans = Files.writeString(dir.resolve("empty.conf"), "server = a\nuser = alice\npassword-file = "
            + password + "\n");
        final var service = run("run", "--config", noVlans.toString());
        assertTrue(service.options().vlans().isEmpty(), "a service may start without VLANs");
        assertEquals(ServiceOptions.DEFAULT_STATE_DIR, service.service().stateDir());
    }

    @Test
    void badUsageExitsWithOneAndSaysWhy() throws IOException {
        final var config = Files.writeString(dir.resolve("bad.conf"), "server = a\nbogus = 1\n");
        assertEquals(ClientFailure.USAGE, execute("run", "--config", config.toString()));
        assertTrue(errors.toString().contains("bad.conf line 2: unknown key 'bogus'"), errors.toString());
        assertEquals(ClientFailure.USAGE, execute("--server", "h", "--bogus"));
        assertTrue(errors.toString().contains("--bogus"), errors.toString());
        assertEquals(ClientFailure.USAGE, execute("--server", "h", "--user", "u", "--password-file", "/nonexistent"));
        assertTrue(errors.toString().contains("join at least one VLAN"), errors.toString());
        assertEquals(ClientFailure.USAGE, execute());
        assertTrue(out.toString().contains("Usage: serval-client"), out.toString());
        assertThrows(CommandLine.ParameterException.class, () -> commandLine().parseArgs("join"));
    }

    @Test
    void helpVersionAndCompletion() {
        assertEquals(0, execute("--help"));
        assertTrue(out.toString().contains("join") && out.toString().contains("Exit codes"), out.toString());
        assertEquals(0, execute("--version"));
        assertTrue(out.toString().contains("serval-client 0."), out.toString());
        assertEquals(0, execute("completion"));
        assertTrue(out.toString().contains("complete -F") && out.toString().contains("--control-socket"),
            "a bash completion script with run's options");
        assertEquals(0, execute("run", "--help"));
        assertTrue(out.toString().contains("--password-file"));
    }

    @Test
    void aControlCommandWithoutAClientSaysSo() {
        assertEquals(ClientFailure.NO_SERVICE, execute("status", "--socket", dir.resolve("none.sock").toString()));
        assertTrue(errors.toString().contains("no serval-client runs"), errors.toString());
    }
}
