/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.client.tap.windows;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The adapter's IP settings through Windows's {@code netsh}: only the MTU, for as long as Windows runs. Addresses
 * are Windows's business: its DHCP client asks over the adapter, which reaches the VLAN's DHCP server when the
 * VLAN hands out addresses, and a static address is set by hand (docs/windows.md).
 */
public final class Netsh {
    /**
     * Runs one command and gives its exit code and output; the tests record the commands instead.
     */
    public interface Runner {
        /**
         * Runs a command to its end, or kills it after the timeout.
         *
         * @return its exit code and (the start of) its output
         * @throws IOException when it cannot be started or did not end in time
         */
        Result run(List<String> command, long timeoutMillis) throws IOException;
    }

    /**
     * What a command did.
     */
    public record Result(int exitCode, String output) {
    }

    // ---- Bounds of the Windows TAP ----
    /** How long one netsh may take: it answers in well under a second; a hung one must not hold up a join. */
    static final long TIMEOUT_MILLIS = 15_000;
    /** Output kept for an error message: netsh says what is wrong in a line or two. */
    static final int MAX_OUTPUT = 2048;

    private final Runner runner;

    public Netsh(final Runner runner) {
        this.runner = runner;
    }

    /**
     * netsh as a process of this machine.
     */
    public static Netsh system() {
        return new Netsh(Netsh::runProcess);
    }

    /**
     * Sets the IPv4 and IPv6 MTU of the interface with this name.
     *
     * @throws IOException with netsh's own words when it refuses (most often: not run as administrator)
     */
    public void setMtu(final String interfaceName, final int mtu) throws IOException {
        for (var family : List.of("ipv4", "ipv6")) {
            final var command = List.of("netsh", "interface", family, "set", "subinterface", interfaceName,
                "mtu=" + mtu, "store=active");
            final var result = runner.run(command, TIMEOUT_MILLIS);
            if (result.exitCode() != 0) {
                throw new IOException("netsh could not set the " + family + " MTU of " + interfaceName + " to " + mtu
                    + " (exit " + result.exitCode() + "): " + result.output().strip()
                    + " (the client needs administrator rights on Windows)");
            }
        }
    }

    // The output goes to a file, not a pipe, so that a hung netsh cannot hold up the wait for it.
    private static Result runProcess(final List<String> command, final long timeoutMillis) throws IOException {
        final Path output = Files.createTempFile("serval-netsh", ".txt");
        try {
            final var process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(output.toFile()).start();
            try {
                if (!process.waitFor(timeoutMillis, TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    throw new IOException(String.join(" ", command) + " did not end in " + timeoutMillis + " ms");
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while running netsh", e);
            }
            final byte[] kept;
            try (InputStream in = Files.newInputStream(output)) {
                kept = in.readNBytes(MAX_OUTPUT);
            }
            return new Result(process.exitValue(), new String(kept, Charset.defaultCharset()));
        } finally {
            Files.deleteIfExists(output);
        }
    }
}
