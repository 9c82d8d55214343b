/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.it;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The real SERVAL distribution, unpacked by Maven into target/serval, started as its users start it
 * ({@code bin/karaf server}) on the JDK that runs the tests, and stopped again even when a test fails.
 */
final class ServalServer implements AutoCloseable {
    static final int RESTCONF_PORT = 8181;
    static final String BASE = "http://127.0.0.1:" + RESTCONF_PORT + "/rests";
    static final int DATAPLANE_PORT = 4000;
    static final int KEEPALIVE_MILLIS = 1000;
    static final int EXPIRE_AFTER = 3;
    // The user every test client logs in as; access control lets it join every VLAN (setUpUsers).
    static final String USER = "it";
    static final String PASSWORD = "it-secret";
    // A user with no rules, for refusals.
    static final String GUEST = "it-guest";
    private static volatile String fingerprint;
    private static final List<Integer> PORTS = List.of(RESTCONF_PORT, DATAPLANE_PORT, 8101, 2550, 1099, 44444);
    private static final Duration BOOT_TIMEOUT = Duration.ofMinutes(4);

    private final Path home;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Process karaf;

    ServalServer() {
        this(Path.of(System.getProperty("serval.it.home", "target/serval/serval-distribution-0.1.0-SNAPSHOT")));
    }

    /**
     * Another Karaf of the same release, e.g. KarInstallTest's plain OpenDaylight, which gets SERVAL from its KAR.
     */
    ServalServer(final Path home) {
        this.home = home;
    }

    Path home() {
        return home;
    }

    Path karafLog() {
        return home.resolve("data/log/karaf.log");
    }

    ServalServer start() throws IOException, InterruptedException {
        configure();
        launch();
        return awaitServal(() -> null);
    }

    /**
     * Starts the Karaf as its files are, without the test settings {@link #start} makes (a plain OpenDaylight has
     * none of SERVAL's files), and returns at once.
     */
    ServalServer startAsIs() throws IOException {
        launch();
        return this;
    }

    private void launch() throws IOException {
        if (!Files.isExecutable(home.resolve("bin/karaf"))) {
            throw new IllegalStateException("no distribution at " + home + "; build the distribution module first");
        }
        for (var port : PORTS) {
            if (inUse(port)) {
                throw new IllegalStateException("port " + port + " is in use; stop the SERVAL or OpenDaylight that "
                    + "holds it (./serval run?) before running the integration tests");
            }
        }
        final var builder = new ProcessBuilder(home.resolve("bin/karaf").toString(), "server")
            .directory(home.toFile())
            .redirectErrorStream(true)
            .redirectOutput(home.resolve("console.log").toFile());
        // The JDK running the tests, so that a build on JDK 25 tests the distribution on JDK 25.
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        // Every buffer tracked, and a collection on request, so that leakCheck() can see any leak.
        builder.environment().put("EXTRA_JAVA_OPTS", "-Dio.netty.leakDetection.level=paranoid"
            + " -XX:-DisableExplicitGC");
        karaf = builder.start();
    }

    /**
     * Waits until SERVAL answers over RESTCONF, then sets up the test users. {@code failure} is asked every second
     * for a reason to stop waiting at once (null: none), so that a broken install fails in seconds, not minutes.
     */
    ServalServer awaitServal(final Supplier<String> failure) throws IOException, InterruptedException {
        final long deadline = System.nanoTime() + BOOT_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!karaf.isAlive()) {
                throw new IllegalStateException("Karaf exited with " + karaf.exitValue() + " while booting; see "
                    + home.resolve("console.log"));
            }
            final var failed = failure.get();
            if (failed != null) {
                throw new IllegalStateException(failed);
            }
            try {
                final var nodes = get("/data/serval:nodes?content=nonconfig");
                if (nodes.statusCode() == 200) {
                    final var found = java.util.regex.Pattern.compile("\"tls-fingerprint\":\"([0-9a-f]{64})\"")
                        .matcher(nodes.body());
                    if (!found.find()) {
                        throw new IllegalStateException("the node announces no TLS fingerprint: " + nodes.body());
                    }
                    fingerprint = found.group(1);
                    setUpUsers();
                    return this;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(1000);
        }
        throw new IllegalStateException("RESTCONF did not answer within " + BOOT_TIMEOUT + "; see " + karafLog());
    }

    /**
     * A keepalive shorter than the default, so that expiry is tested against a configured value in seconds, not
     * minutes.
     */
    private void configure() throws IOException, InterruptedException {
        final var cfg = home.resolve("etc/org.serval.controller.cfg");
        final var text = Files.readString(cfg)
            .replaceAll("(?m)^keepalive\\.millis *=.*$", "keepalive.millis = " + KEEPALIVE_MILLIS)
            .replaceAll("(?m)^expire\\.after *=.*$", "expire.after = " + EXPIRE_AFTER);
        Files.writeString(cfg, text);
        enableHttps();
    }

    /**
     * RESTCONF over HTTPS as docs/security.md tells an operator to set it up: a key and certificate made with
     * openssl, both named in the Netty endpoint's configuration. RSA: netconf 10.0.2 refuses the EC keys it reads
     * ("Only RSA and EC algorithms are supported", as BouncyCastle names them ECDSA).
     */
    private void enableHttps() throws IOException, InterruptedException {
        RealParts.require(NetnsHosts.onPath("openssl"), "openssl, to make RESTCONF's HTTPS certificate");
        final var tls = Files.createDirectories(home.resolve("etc/tls"));
        final var openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days",
            "30", "-subj", "/CN=127.0.0.1", "-addext",
            "subjectAltName=IP:127.0.0.1", "-keyout", tls.resolve("restconf.key").toString(), "-out",
            tls.resolve("restconf.crt").toString()).redirectErrorStream(true).start();
        final var output = new String(openssl.getInputStream().readAllBytes(), UTF_8);
        if (openssl.waitFor() != 0) {
            throw new IllegalStateException("openssl could not make a certificate: " + output);
        }
        Files.writeString(home.resolve("etc/org.opendaylight.restconf.nb.rfc8040.cfg"),
            "tls-certificate = etc/tls/restconf.crt\ntls-private-key = etc/tls/restconf.key\n",
            java.nio.file.StandardOpenOption.APPEND);
    }

    /**
     * The certificate RESTCONF's HTTPS endpoint presents (enableHttps).
     */
    Path restconfCertificate() {
        return home.resolve("etc/tls/restconf.crt");
    }

    /**
     * The server's JVM (bin/karaf is a script that starts it).
     */
    ProcessHandle jvm() {
        return karaf.descendants().filter(p -> p.info().command().orElse("").endsWith("java")).findFirst()
            .orElse(karaf.toHandle());
    }

    private static boolean inUse(final int port) {
        try (var socket = new Socket("127.0.0.1", port)) {
            return true;
        } catch (ConnectException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    private static String basic(final String user, final String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(UTF_8));
    }

    HttpResponse<String> send(final String method, final String path, final String json, final String user,
            final String password) throws IOException, InterruptedException {
        return sendTo(URI.create(BASE + path), method, json, user, password);
    }

    /**
     * A GET of something else the HTTP server serves beside RESTCONF (the OpenAPI explorer), as admin or as nobody.
     */
    HttpResponse<String> getBesideRestconf(final String path, final boolean authenticated)
            throws IOException, InterruptedException {
        return sendTo(URI.create("http://127.0.0.1:" + RESTCONF_PORT + path), "GET", null,
            authenticated ? "admin" : null, authenticated ? "admin" : null);
    }

    private HttpResponse<String> sendTo(final URI uri, final String method, final String json, final String user,
            final String password) throws IOException, InterruptedException {
        final var request = HttpRequest.newBuilder(uri)
            .timeout(Duration.ofSeconds(30))
            .header("Accept", "application/json")
            .method(method, json == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            request.header("Content-Type", "application/json");
        }
        if (user != null) {
            request.header("Authorization", basic(user, password));
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * The users the tests log in as, set up the way an administrator would: passwords by set-password, limits and
     * access control over RESTCONF.
     */
    private void setUpUsers() throws IOException, InterruptedException {
        for (var user : List.of(USER, GUEST)) {
            expect(rpc("set-password", "{\"user\":\"" + user + "\",\"password\":\"" + PASSWORD + "\"}"));
        }
        expect(send("PATCH", "/data/serval:users", "{\"serval:users\":{\"user\":[{\"name\":\"" + USER
            + "\",\"max-clients\":100}]}}", "admin", "admin"));
        expect(send("PUT", "/data/serval:access-control", "{\"serval:access-control\":{\"rule-list\":[{"
            + "\"name\":\"it\",\"user\":[\"" + USER + "\"],\"rule\":[{\"name\":\"join-all\",\"vlan\":\"*\","
            + "\"operations\":\"join\",\"action\":\"permit\"}]}]}}", "admin", "admin"));
    }

    private static void expect(final HttpResponse<String> response) {
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException("expected success, got HTTP " + response.statusCode() + ": "
                + response.body());
        }
    }

    /**
     * The SHA-256 fingerprint of the server's certificate, as the node list announces it.
     */
    static String fingerprint() {
        return fingerprint;
    }

    HttpResponse<String> get(final String path) throws IOException, InterruptedException {
        return send("GET", path, null, "admin", "admin");
    }

    HttpResponse<String> rpc(final String name, final String inputJson) throws IOException, InterruptedException {
        return send("POST", "/operations/serval:" + name, "{\"input\":" + inputJson + "}", "admin", "admin");
    }

    /**
     * Runs shell commands the way a script would: {@code bin/client -b}, commands on standard input.
     */
    String shell(final String... commands) throws IOException, InterruptedException {
        // No account given: bin/client takes the first one of etc/users.properties, as ./serval shell does.
        return client(List.of(), commands);
    }

    /**
     * Runs shell commands with a password of the caller's choosing, to show that a wrong one gets nothing done.
     */
    String shellAs(final String password, final String... commands) throws IOException, InterruptedException {
        return client(List.of("-u", "karaf", "-p", password), commands);
    }

    /**
     * The shell account's password, which bin/serval-secure-shell made random when Karaf first started.
     */
    String shellPassword() throws IOException {
        return shellPassword(shellAccounts());
    }

    /**
     * The password of the account karaf in a Karaf users.properties.
     */
    static String shellPassword(final Path accounts) throws IOException {
        return Files.readAllLines(accounts).stream()
            .filter(line -> line.matches("karaf\\s*=.*"))
            .map(line -> line.substring(line.indexOf('=') + 1).split(",", 2)[0].strip())
            .findFirst().orElseThrow(() -> new IllegalStateException("no account karaf in " + accounts));
    }

    Path shellAccounts() {
        return home.resolve("etc/users.properties");
    }

    private String client(final List<String> account, final String... commands)
            throws IOException, InterruptedException {
        final var command = new ArrayList<String>();
        command.add(home.resolve("bin/client").toString());
        command.addAll(account);
        command.addAll(List.of("-r", "2", "-b"));
        final var builder = new ProcessBuilder(command).directory(home.toFile()).redirectErrorStream(true);
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        final var client = builder.start();
        try (var in = client.getOutputStream()) {
            in.write((String.join("\n", commands) + "\n").getBytes(UTF_8));
        }
        final var output = new String(client.getInputStream().readAllBytes(), UTF_8);
        if (!client.waitFor(2, TimeUnit.MINUTES)) {
            client.destroyForcibly();
            throw new IllegalStateException("bin/client did not finish; output so far: " + output);
        }
        // Strip ANSI colours and the JVM's native-access warnings.
        return output.replaceAll("\u001B\\[[;\\d]*m", "").lines()
            .filter(line -> !line.startsWith("WARNING:"))
            .reduce("", (a, b) -> a + b + "\n");
    }

    /**
     * Collects garbage in the server, lets Netty's leak detector run, and returns the leaks it reported, if any.
     * The detector reports a leaked buffer once the collector has freed it and a new buffer is tracked.
     */
    List<String> leaks() throws IOException, InterruptedException {
        final var jvm = jvm();
        final var jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        for (int round = 0; round < 2; round++) {
            new ProcessBuilder(jcmd, Long.toString(jvm.pid()), "GC.run").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(60, TimeUnit.SECONDS);
            // traffic allocates buffers, which is when the detector looks at what was collected
            get("/data/serval:nodes?content=nonconfig");
            try (var client = new ProtocolClient(DATAPLANE_PORT)) {
                client.hello("it-leak-probe");
                client.send(new org.serval.dataplane.protocol.Message.Keepalive(1));
                client.receive();
            }
            Thread.sleep(500);
        }
        return Files.readAllLines(karafLog()).stream().filter(line -> line.contains("LEAK:")).toList();
    }

    @Override
    public void close() throws InterruptedException {
        if (karaf == null || !karaf.isAlive()) {
            return;
        }
        final var descendants = karaf.descendants().toList();
        karaf.destroy();
        descendants.forEach(ProcessHandle::destroy);
        if (!karaf.waitFor(90, TimeUnit.SECONDS)) {
            descendants.forEach(ProcessHandle::destroyForcibly);
            karaf.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        for (var child : descendants) {
            child.onExit().toCompletableFuture().orTimeout(30, TimeUnit.SECONDS).exceptionally(e -> null).join();
        }
    }
}
