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

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code ./serval run}'s reinstall (scripts/install-server.sh, with the real tarball) keeps of an operator's
 * installation: the data, and every file under etc/ the operator changed, even when the new build changed it too.
 */
class InstallTest {
    private static final Path SCRIPT = Path.of("../scripts/install-server.sh");
    private static final Path TARBALL = Path.of("../distribution/target/serval-distribution-0.1.0-SNAPSHOT.tar.gz");

    @TempDir
    Path dir;

    private static String install(final Path home) throws IOException, InterruptedException {
        final var process = new ProcessBuilder("bash", SCRIPT.toString(), TARBALL.toString(), home.toString())
            .redirectErrorStream(true).start();
        final var output = new String(process.getInputStream().readAllBytes(), UTF_8);
        assertTrue(process.waitFor(3, TimeUnit.MINUTES), "install did not finish");
        assertEquals(0, process.exitValue(), output);
        return output;
    }

    @Test
    void reinstallKeepsWhatTheOperatorChanged() throws Exception {
        final var home = dir.resolve("serval");
        install(home);
        final var etc = home.resolve("etc");
        final var shipped = home.resolve(".dist-etc");
        final var shellCfg = etc.resolve("org.apache.karaf.shell.cfg");
        assertTrue(Files.readString(shellCfg).contains("sshHost = 127.0.0.1"), "the shell ships on loopback");

        // The operator's changes: a shell user's password, the shell opened to others, a file of their own, data.
        final var users = etc.resolve("users.properties");
        Files.writeString(users, Files.readString(users).replace("karaf = karaf,", "karaf = s3cret,"));
        Files.writeString(shellCfg, Files.readString(shellCfg).replace("sshHost = 127.0.0.1", "sshHost = 0.0.0.0"));
        Files.writeString(etc.resolve("site.cfg"), "mine = yes\n");
        Files.createDirectories(home.resolve("state"));
        Files.writeString(home.resolve("state/journal"), "vlans\n");
        Files.writeString(home.resolve("data/idmlight.db.mv.db"), "accounts\n");
        Files.writeString(home.resolve("restconf-admin.password"), "first start's\n");
        // A file the old build shipped otherwise and the operator changed: the new build changed it too.
        final var serval = etc.resolve("org.serval.controller.cfg");
        Files.writeString(shipped.resolve("org.serval.controller.cfg"), "old default = 1\n");
        Files.writeString(serval, "operator = 1\n");
        // A file the operator left as the old build shipped it: the new build's version replaces it.
        final var jmx = etc.resolve("org.apache.karaf.management.cfg");
        final var newJmx = Files.readString(jmx);
        Files.writeString(jmx, "old = 1\n");
        Files.writeString(shipped.resolve("org.apache.karaf.management.cfg"), "old =  1\n\n");

        final var output = install(home);

        assertTrue(Files.readString(users).contains("karaf = s3cret,"), "users.properties kept");
        assertTrue(Files.readString(shellCfg).contains("sshHost = 0.0.0.0"), "shell settings kept");
        assertEquals("mine = yes\n", Files.readString(etc.resolve("site.cfg")));
        assertEquals("vlans\n", Files.readString(home.resolve("state/journal")));
        assertEquals("accounts\n", Files.readString(home.resolve("data/idmlight.db.mv.db")));
        assertEquals("first start's\n", Files.readString(home.resolve("restconf-admin.password")));
        assertEquals("operator = 1\n", Files.readString(serval));
        assertTrue(Files.readString(etc.resolve("org.serval.controller.cfg.dist")).contains("dataplane.tcp.port"),
            "the new build's version beside the operator's");
        assertTrue(output.contains("kept your etc/org.serval.controller.cfg; this build changed it too"), output);
        assertEquals(newJmx, Files.readString(jmx), "an unchanged file follows the new build");
        assertFalse(Files.exists(etc.resolve("org.apache.karaf.management.cfg.dist")));
        // The record of what this build shipped is the tarball's, not the operator's.
        assertTrue(Files.readString(shipped.resolve("org.apache.karaf.shell.cfg")).contains("sshHost = 127.0.0.1"));
    }
}
