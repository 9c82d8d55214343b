/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server on a processor for which the distribution has no BoringSSL library (it carries Linux x86_64's only):
 * the feature's conditional leaves the library's fragment out, the feature still installs, and the dataplane's TLS
 * runs on the JDK's engine. The framework is told it runs on AArch64, which is what OSGi's native-code matching and
 * the feature's condition read; Netty's own loader still sees this machine, and finds no library to load.
 */
class OtherProcessorTest {
    private static final Path TARBALL = Path.of("../distribution/target/serval-distribution-0.1.0-SNAPSHOT.tar.gz");

    @TempDir
    Path dir;

    @Test
    void withoutBoringSslTheServerRunsOnTheJdksTls() throws Exception {
        final var unpack = new ProcessBuilder("tar", "-xzf", TARBALL.toString(), "-C", dir.toString(),
            "--strip-components=1").inheritIO().start();
        assertTrue(unpack.waitFor(2, TimeUnit.MINUTES) && unpack.exitValue() == 0, "could not unpack " + TARBALL);
        Files.writeString(dir.resolve("etc/custom.properties"), "\norg.osgi.framework.processor = AArch64\n",
            StandardOpenOption.APPEND);
        try (var server = new ServalServer(dir).start()) {
            final var log = Files.readString(server.karafLog());
            // Installed there, it would stay unresolved and fail OpenDaylight's system-ready check.
            assertFalse(log.contains("netty-tcnative-boringssl-static"), "the fragment was installed");
            assertTrue(log.contains("TLS engine: JDK (OpenSSL not available"),
                "not on the JDK's engine: " + log.lines().filter(l -> l.contains("TLS engine")).toList());
            // A client's TLS handshake and login with the JDK's engine at the server's end.
            try (var client = new ProtocolClient(ServalServer.DATAPLANE_PORT)) {
                assertNotNull(client.hello("other-processor"));
            }
            assertEquals(200, server.get("/data/serval:nodes?content=nonconfig").statusCode());
        }
    }
}
