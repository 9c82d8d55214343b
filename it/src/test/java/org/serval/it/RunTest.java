/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The README's first command, {@code ./serval run}, as a new user meets it, on the tarball this build made: the
 * first start installs the server, replaces RESTCONF's admin/admin with the random password it shows and keeps in
 * {@code restconf-admin.password} (0600), and the shell's karaf/karaf with a random one in
 * {@code etc/users.properties} (0600), so that neither default opens anything while {@code ./serval shell} works
 * without a password; SIGTERM (trapped like Ctrl-C) stops it; the second start says where the password is and sets
 * nothing.
 */
class RunTest {
    private static final Logger LOG = LoggerFactory.getLogger(RunTest.class);
    private static final Path SERVAL = Path.of("../serval").toAbsolutePath().normalize();
    private static final String NODES = "http://127.0.0.1:8181/rests/data/serval:nodes?content=nonconfig";
    private static final Pattern SHOWN = Pattern.compile("user admin, password (\\S+) +<- new");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    @Test
    void firstStartLeavesNoDefaultPasswordAndTheSecondKeepsIt() throws Exception {
        for (var port : List.of(8181, 8101, 2550, 4000)) {
            RealParts.require(!inUse(port), "port " + port + " is free (another SERVAL or OpenDaylight runs?)");
        }
        final var home = dir.resolve("serval");

        final var first = run(home);
        final String password;
        final String shown;
        try {
            shown = first.awaitUp();
            final var matcher = SHOWN.matcher(shown);
            assertTrue(matcher.find(), "the first start shows the new password: " + shown);
            password = matcher.group(1);
            final var file = home.resolve("restconf-admin.password");
            assertEquals(password, Files.readString(file).strip(), "the shown password is the one kept");
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
            assertEquals(401, status("admin", "admin"), "admin/admin no longer works");
            assertEquals(200, status("admin", password), "the shown password works");

            final var users = home.resolve("etc/users.properties");
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(users)));
            assertFalse(Files.readString(users).lines().anyMatch(line -> line.matches("karaf\\s*=\\s*karaf\\s*,.*")),
                "karaf/karaf is gone from users.properties");
            final var shell = exec(home, List.of("bash", SERVAL.toString(), "shell", "serval:vlan-list"));
            assertTrue(shell.contains("No VLANs."), "./serval shell logs in without a password: " + shell);
            final var karaf = exec(home, List.of(home.resolve("bin/client").toString(), "-u", "karaf", "-p",
                "karaf", "serval:vlan-list"));
            assertFalse(karaf.contains("No VLANs."), "karaf/karaf is refused: " + karaf);
        } finally {
            first.stop();
        }

        final var second = run(home);
        try {
            final var again = second.awaitUp();
            assertFalse(SHOWN.matcher(again).find(), "the second start makes no new password: " + again);
            assertTrue(again.contains("password in " + home.resolve("restconf-admin.password")), again);
            assertEquals(200, status("admin", password), "the first start's password still works");
        } finally {
            second.stop();
        }
    }

    private static Started run(final Path home) throws IOException {
        final var builder = new ProcessBuilder("bash", SERVAL.toString(), "run").redirectErrorStream(true);
        builder.environment().put("SERVAL_HOME", home.toString());
        builder.environment().put("SERVAL_NO_BUILD", "1");
        return new Started(builder.start());
    }

    /**
     * A running {@code ./serval run}: its output, read as it comes, and its end.
     */
    private static final class Started {
        private final Process process;
        private final List<String> output = new CopyOnWriteArrayList<>();
        private final CompletableFuture<String> up = new CompletableFuture<>();

        Started(final Process process) {
            this.process = process;
            final var reader = new Thread(() -> {
                try (var in = new BufferedReader(new InputStreamReader(process.getInputStream(), UTF_8))) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        output.add(line);
                        if (line.contains("Ctrl-C stops it.")) {
                            up.complete(said());
                        }
                    }
                } catch (IOException e) {
                    LOG.warn("reading ./serval run's output", e);
                }
                up.complete(said());
            }, "serval-run-output");
            reader.setDaemon(true);
            reader.start();
        }

        private String said() {
            return String.join("\n", output);
        }

        String awaitUp() throws Exception {
            final var said = up.get(5, TimeUnit.MINUTES);
            assertTrue(said.contains("SERVAL is up"), "./serval run came up: " + said);
            return said.substring(said.indexOf("SERVAL is up"));
        }

        void stop() throws Exception {
            if (process.isAlive()) {
                // SIGTERM, which ./serval traps with the same handler as Ctrl-C's SIGINT: a build run in the
                // background (as CI may run it) starts every child with SIGINT ignored, and bash cannot trap a
                // signal ignored at its start. ./serval stops Karaf in order and waits for it. Through the handle:
                // Process.destroy() would also close the pipes, and ./serval's next line would die of SIGPIPE.
                process.toHandle().destroy();
            }
            final boolean ended = process.waitFor(3, TimeUnit.MINUTES);
            if (!ended) {
                process.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
            LOG.info("./serval run said:\n{}", said());
            assertTrue(ended, "./serval run stopped on SIGTERM");
            assertEquals(0, process.exitValue(), "./serval run's exit code after SIGTERM");
            assertTrue(said().contains("[serval] stopped"), said());
        }
    }

    private static boolean inUse(final int port) {
        try (var socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int status(final String user, final String password) throws IOException, InterruptedException {
        final var request = HttpRequest.newBuilder(URI.create(NODES)).timeout(Duration.ofSeconds(10))
            .header("Authorization", "Basic " + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(UTF_8)))
            .GET().build();
        return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static String exec(final Path home, final List<String> command) throws IOException,
            InterruptedException {
        final var builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("SERVAL_HOME", home.toString());
        final var process = builder.start();
        final var output = new String(process.getInputStream().readAllBytes(), UTF_8);
        assertTrue(process.waitFor(2, TimeUnit.MINUTES), String.join(" ", command) + " finished");
        return output;
    }
}
