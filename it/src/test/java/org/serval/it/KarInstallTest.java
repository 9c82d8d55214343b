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
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SERVAL's KAR (docs/kar.md) dropped into a running plain OpenDaylight of the same release, built by
 * distribution-plain from the same poms without SERVAL: the operator's way in. The plain Karaf resolves artifacts
 * only from its own system/ and from installed KARs (ODL's pax-url settings), so a bundle missing from the KAR
 * cannot be found anywhere else, not even in the build's local repository.
 */
class KarInstallTest {
    private static final Logger LOG = LoggerFactory.getLogger(KarInstallTest.class);
    private static final Duration RESTCONF_TIMEOUT = Duration.ofMinutes(4);
    // What Karaf's KAR deployer, its file installer and the feature service name in an error about our install.
    private static final List<String> INSTALL_MARKS = List.of("odl-serval", "org.serval", "KarArtifactInstaller",
        "KarServiceImpl", "Failed to install artifact");
    // Karaf logs a feature that cannot be installed from a KAR as a warning, not an error: the KAR service's and
    // pax-url's warnings (not every warning of SERVAL's, which are not install failures).
    private static final List<String> INSTALLER_WARNINGS = List.of("KarServiceImpl", "KarArtifactInstaller",
        "Error resolving artifact org.serval");
    private static final String KAR_SNAPSHOTS =
        "org.ops4j.pax.url.mvn.defaultRepositories = file:${karaf.data}/kar@id=kar.repository@multi@snapshots";
    private static final String RESTCONF_REPO = "mvn:org.opendaylight.netconf/odl-restconf-nb/10.0.2/xml/features";

    private final Path home = Path.of(System.getProperty("serval.it.plain",
        "target/plain/serval-plain-odl-14.1.6"));
    private final Path kar = Path.of(System.getProperty("serval.it.kar", "target/kar/odl-serval.kar"));

    @Test
    void theKarInstallsIntoAPlainOpenDaylight() throws Exception {
        assertTrue(Files.isRegularFile(kar), "no KAR at " + kar + "; build features/odl-serval first");
        assertFalse(Files.exists(home.resolve("system/org/serval")), "the plain OpenDaylight must have no SERVAL");
        prepare();
        try (var server = new ServalServer(home)) {
            server.startAsIs();
            final var before = awaitRestconf(server);
            // RESTCONF is up and knows no serval module: not 409 data-missing, which means the module is there.
            assertEquals(4, before.statusCode() / 100, before.body());
            assertFalse(before.body().contains("data-missing"), before.body());

            final long logStart = Files.size(server.karafLog());
            Files.copy(kar, home.resolve("deploy/odl-serval.kar"), StandardCopyOption.REPLACE_EXISTING);
            server.awaitServal(() -> karFailure(server.karafLog(), logStart));

            assertTrue(Files.isDirectory(home.resolve("data/kar/odl-serval")), "Karaf did not unpack the KAR");
            final var install = since(server.karafLog(), logStart);
            // whether AAA lost its encryption service this time, and SERVAL's watch brought it back
            install.lines().filter(line -> line.contains("StalledServiceWatch")).forEach(LOG::info);
            assertFalse(install.contains("Refreshing bundles"), "the install refreshed running bundles");
            final var put = server.send("PUT", "/data/serval:vlans/vlan=kar",
                "{\"serval:vlan\":[{\"name\":\"kar\",\"vid\":7}]}", "admin", "admin");
            assertEquals(2, put.statusCode() / 100, put.body());
            final var get = server.get("/data/serval:vlans/vlan=kar");
            assertEquals(200, get.statusCode(), get.body());
            assertTrue(get.body().contains("\"name\":\"kar\"") && get.body().contains("\"vid\":7"), get.body());

            // A client logs in over the dataplane, as the user ServalServer set up over RESTCONF.
            try (var client = new ProtocolClient(ServalServer.DATAPLANE_PORT)) {
                assertNotNull(client.hello("kar-client"));
                // the registry writes the login into OPERATIONAL after the WELCOME
                final long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                String clients;
                do {
                    clients = server.get("/data/serval:clients?content=nonconfig").body();
                } while (!clients.contains("kar-client") && System.nanoTime() < deadline);
                assertTrue(clients.contains("kar-client"), clients);
            }

            // Last, as it takes AAA down: the watch must see the encryption service stalled and restart its
            // configurator. A method no JDK knows makes AAA's configurator fail to create the service: the stall of
            // docs/kar.md for certain, where the race is chance. Each restart reads the setting and fails again.
            stallAaaEncryption(server);
        }
    }

    private static void stallAaaEncryption(final ServalServer server) throws Exception {
        final var path = "/data/aaa-encrypt-service-config:aaa-encrypt-service-config";
        final var current = server.get(path + "?content=config");
        assertEquals(200, current.statusCode(), current.body());
        final var broken = current.body().replaceFirst("\"encrypt-method\":\"[^\"]*\"",
            "\"encrypt-method\":\"no-such-method\"");
        assertTrue(broken.contains("no-such-method"), current.body());
        final long from = Files.size(server.karafLog());
        final var put = server.send("PUT", path, broken, "admin", "admin");
        assertEquals(2, put.statusCode() / 100, put.body());

        final long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        String since = "";
        while (System.nanoTime() < deadline) {
            since = since(server.karafLog(), from);
            // any try: the watch may have repaired the install's race already (docs/kar.md)
            final int restart = since.indexOf("restarting the provider, try ");
            // the restarted configurator ran again: it failed once more on the same setting
            if (restart >= 0 && since.indexOf("Failed to start Encryption Service", restart) >= 0) {
                return;
            }
            Thread.sleep(1000);
        }
        final var seen = since;
        throw new AssertionError("the watch did not restart AAA's stalled encryption configurator; the log since: "
            + seen.lines().filter(line -> line.contains("Encryption") || line.contains("StalledServiceWatch"))
                .toList());
    }

    /**
     * What an operator's OpenDaylight with RESTCONF looks like: odl-restconf-nb among the boot features. And, for a
     * test on a shared machine, nothing listening beyond loopback (SERVAL's distribution does the same).
     */
    private void prepare() throws IOException {
        // A build without clean unpacks over the last run: its data and its KAR would install SERVAL at boot, and its
        // datastore (state/) would hold SERVAL's VLANs and AAA's settings. A fresh datastore, as an operator's first
        // start has, is also where AAA loses its encryption service on SERVAL's install (docs/kar.md).
        Files.deleteIfExists(home.resolve("deploy/odl-serval.kar"));
        for (var dir : List.of("data", "state")) {
            if (Files.isDirectory(home.resolve(dir))) {
                try (var paths = Files.walk(home.resolve(dir))) {
                    for (var path : paths.sorted(Comparator.reverseOrder()).toList()) {
                        Files.delete(path);
                    }
                }
            }
        }
        final var features = home.resolve("etc/org.apache.karaf.features.cfg");
        final var text = Files.readString(features)
            .replaceFirst("(?m)^(featuresRepositories *=.*)$", "$1," + RESTCONF_REPO)
            .replaceFirst("(?m)^(featuresBoot *=.*)$", "$1,odl-restconf-nb");
        assertTrue(text.contains("odl-restconf-nb/10.0.2") && text.contains(",odl-restconf-nb\n"), text);
        Files.writeString(features, text);

        // This build's KAR holds SNAPSHOT artifacts. ODL lists the KAR directory among pax-url's remote repositories,
        // where each installed KAR becomes a releases-only repository; Karaf's own default lists it among the default
        // (local) repositories, which take SNAPSHOTs. docs/kar.md tells an operator to do the same.
        final var mvn = home.resolve("etc/org.ops4j.pax.url.mvn.cfg");
        final var mvnText = Files.readString(mvn);
        assertFalse(mvnText.contains("\norg.ops4j.pax.url.mvn.defaultRepositories"), mvnText);
        Files.writeString(mvn, mvnText + "\n" + KAR_SNAPSHOTS + "\n");
        // docs/kar.md: no refresh of the running Netty and shell to wire the optional imports the KAR satisfies.
        final var karCfg = home.resolve("etc/org.apache.karaf.kar.cfg");
        Files.writeString(karCfg, Files.readString(karCfg).replaceAll("(?m)^noAutoRefreshBundles *=.*$",
            "noAutoRefreshBundles = true"));
        assertTrue(Files.readString(karCfg).contains("noAutoRefreshBundles = true"));

        final var shell = home.resolve("etc/org.apache.karaf.shell.cfg");
        Files.writeString(shell, Files.readString(shell).replaceAll("(?m)^sshHost *=.*$", "sshHost = 127.0.0.1"));
        final var jetty = home.resolve("etc/jetty.xml");
        Files.writeString(jetty, Files.readString(jetty).replace("<Property name=\"jetty.host\"/>",
            "<Property name=\"jetty.host\" default=\"127.0.0.1\"/>"));
        Files.writeString(home.resolve("etc/org.ops4j.pax.web.cfg"),
            "\norg.ops4j.pax.web.listening.addresses = 127.0.0.1\n", StandardOpenOption.APPEND);
        // SERVAL's own settings, as docs/kar.md tells an operator to set them: here its dataplane on loopback.
        Files.writeString(home.resolve("etc/org.serval.controller.cfg"), String.join("\n",
            "dataplane.tcp.address = 127.0.0.1", "dataplane.udp.address = 127.0.0.1", ""));
    }

    /**
     * The answer for SERVAL's VLANs once RESTCONF answers with a decision of its own (not while AAA or the servlet
     * are still coming up).
     */
    private static HttpResponse<String> awaitRestconf(final ServalServer server)
            throws IOException, InterruptedException {
        final long deadline = System.nanoTime() + RESTCONF_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                final var response = server.get("/data/serval:vlans");
                if (!List.of(401, 404, 503).contains(response.statusCode())) {
                    return response;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(1000);
        }
        throw new IllegalStateException("RESTCONF did not answer within " + RESTCONF_TIMEOUT + "; see "
            + server.karafLog());
    }

    /**
     * What Karaf logged after the first {@code from} bytes of its log (a byte count: the log is UTF-8, not ASCII).
     */
    private static String since(final Path log, final long from) throws IOException {
        final var all = Files.readAllBytes(log);
        final int start = (int) Math.min(from, all.length);
        return new String(all, start, all.length - start, UTF_8);
    }

    /**
     * The first error or warning Karaf logged about the KAR or the feature in it since the drop, or null.
     */
    private static String karFailure(final Path log, final long from) {
        try {
            return since(log, from).lines()
                .filter(line -> line.contains("| ERROR |") && INSTALL_MARKS.stream().anyMatch(line::contains)
                    || line.contains("| WARN  |") && INSTALLER_WARNINGS.stream().anyMatch(line::contains))
                .findFirst().map(line -> "installing the KAR failed: " + line).orElse(null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
