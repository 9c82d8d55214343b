/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.net.ConnectException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.serval.dataplane.protocol.Message;
import org.serval.dataplane.protocol.Wire;
import org.serval.dataplane.security.ServerIdentity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller as users meet it: the real distribution, RESTCONF over HTTP with AAA, the Karaf shell through
 * {@code bin/client}. No mocks. Each test uses its own VLAN names, so the order of tests does not matter.
 */
class ControllerTest {
    private static final Logger LOG = LoggerFactory.getLogger(ControllerTest.class);
    // The namespace and revision of module serval, as RESTCONF's create-notification-stream takes notification names.
    private static final String SERVAL_QNAME = "(urn:serval:yang:serval?revision=2026-11-30)";
    private static ServalServer server;

    @BeforeAll
    static void start() throws Exception {
        // JUnit runs @AfterAll even when this fails, so a half-started server is stopped too.
        server = new ServalServer();
        server.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            try {
                final var leaks = server.leaks();
                assertTrue(leaks.isEmpty(), "the server leaked buffers (paranoid leak detection):\n"
                    + String.join("\n", leaks));
            } finally {
                server.close();
            }
        }
    }

    private static String errorTag(final HttpResponse<String> response) {
        final JsonObject body = JsonParser.parseString(response.body()).getAsJsonObject();
        return body.getAsJsonObject("errors").getAsJsonArray("error").get(0).getAsJsonObject()
            .get("error-tag").getAsString();
    }

    private static void assertRestconfError(final int status, final String tag, final HttpResponse<String> response) {
        assertEquals(status, response.statusCode(), response::body);
        assertEquals(tag, errorTag(response), response::body);
    }

    /**
     * A default installation offers nothing with a default credential beyond this host: every socket of the server
     * but the dataplane's is bound to loopback (docs/security.md, "What a default installation does").
     */
    @Test
    void onlyTheDataplaneListensBeyondThisHost() throws Exception {
        final var listeners = Listeners.of(server.jvm().pid());
        assertTrue(listeners.stream().anyMatch(l -> l.protocol().equals("tcp") && l.port() == 8101),
            "the shell listens: " + listeners);
        assertTrue(listeners.stream().anyMatch(l -> l.port() == ServalServer.RESTCONF_PORT), listeners::toString);
        final var open = listeners.stream().filter(l -> !l.loopbackOnly()).map(Listeners.Listener::toString)
            .sorted().distinct().toList();
        final int dataplane = ServalServer.DATAPLANE_PORT;
        assertEquals(List.of("tcp 0.0.0.0:" + dataplane, "udp 0.0.0.0:" + dataplane),
            open.stream().map(l -> l.replace("0:0:0:0:0:0:0:0", "0.0.0.0")).distinct().toList(),
            "sockets beyond loopback: " + open);
    }

    /**
     * The dataplane's TLS runs on BoringSSL inside Karaf (netty-tcnative's bundle and the fragment with its Linux
     * library, in the feature): without them the server silently falls back to the JDK's engine, about 1.7 times
     * slower per byte (docs/performance.md).
     */
    @Test
    void theDataplaneSealsWithBoringSsl() throws Exception {
        final var log = Files.readString(server.karafLog());
        assertTrue(log.contains("TLS engine: BoringSSL through netty-tcnative"),
            "no BoringSSL: " + log.lines().filter(l -> l.contains("TLS engine")).toList());
        assertFalse(log.contains("TLS engine: JDK"), "a context on the JDK's engine");
    }

    /**
     * A subscriber to SERVAL's notifications over RESTCONF (RFC 8040 event streams, server-sent events) hears a
     * client log in and leave, the way README's curl example subscribes.
     */
    @Test
    void anEventStreamSubscriberHearsClientsComeAndGo() throws Exception {
        final var created = server.send("POST", "/operations/sal-remote:create-notification-stream",
            "{\"input\":{\"notifications\":[\"" + SERVAL_QNAME + "client-connected\",\"" + SERVAL_QNAME
            + "client-disconnected\"],\"sal-remote-augment:notification-output-type\":\"JSON\"}}", "admin", "admin");
        assertEquals(200, created.statusCode(), created.body());
        final var stream = JsonParser.parseString(created.body()).getAsJsonObject().getAsJsonObject("sal-remote:output")
            .get("notification-stream-identifier").getAsString();
        final var access = server.get("/data/ietf-restconf-monitoring:restconf-state/streams/stream="
            + URLEncoder.encode(stream, UTF_8) + "/access=json");
        assertEquals(200, access.statusCode(), access.body());
        final var location = JsonParser.parseString(access.body()).getAsJsonObject()
            .getAsJsonArray("ietf-restconf-monitoring:access").get(0).getAsJsonObject().get("location").getAsString();

        final var lines = new LinkedBlockingQueue<String>();
        final var sse = HttpClient.newHttpClient();
        final var subscription = sse.send(HttpRequest.newBuilder(URI.create(location))
            .header("Accept", "text/event-stream")
            .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("admin:admin".getBytes(UTF_8)))
            .build(), HttpResponse.BodyHandlers.ofLines());
        assertEquals(200, subscription.statusCode());
        final var reader = Thread.ofVirtual().start(() -> subscription.body().forEach(lines::add));
        try {
            try (var client = new ProtocolClient(ServalServer.DATAPLANE_PORT)) {
                client.hello("it-sse");
                awaitEvent(lines, "client-connected", "it-sse");
            }
            awaitEvent(lines, "client-disconnected", "it-sse");
        } finally {
            reader.interrupt();
            sse.shutdownNow();
        }
    }

    private static void awaitEvent(final BlockingQueue<String> lines, final String event,
            final String clientId) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        final var seen = new ArrayList<String>();
        while (System.nanoTime() < deadline) {
            final var line = lines.poll(500, TimeUnit.MILLISECONDS);
            if (line == null) {
                continue;
            }
            seen.add(line);
            if (line.startsWith("data:") && line.contains(event) && line.contains(clientId)) {
                return;
            }
        }
        throw new AssertionError("no " + event + " of " + clientId + " on the event stream; it said " + seen);
    }

    /**
     * The OpenAPI explorer ships in the distribution, describes SERVAL's model and RPCs, and asks for credentials
     * as RESTCONF does.
     */
    @Test
    void openApiDescribesServalToAdminsOnly() throws Exception {
        assertEquals(401, server.getBesideRestconf("/openapi/explorer/index.html", false).statusCode());
        assertEquals(401, server.getBesideRestconf("/openapi/api/v3/single", false).statusCode());
        final var explorer = server.getBesideRestconf("/openapi/explorer/index.html", true);
        assertEquals(200, explorer.statusCode());
        assertTrue(explorer.body().contains("swagger-ui"), explorer.body());
        final var document = server.getBesideRestconf("/openapi/api/v3/single", true);
        assertEquals(200, document.statusCode());
        for (var path : List.of("/rests/data/serval:vlans", "/rests/data/serval:access-control",
                "/rests/operations/serval:create-vlan", "/rests/operations/serval:join-vlan")) {
            assertTrue(document.body().contains("\"" + path + "\""), "the OpenAPI document lacks " + path);
        }
    }

    /**
     * RESTCONF over HTTPS, set up as docs/security.md says (ServalServer.enableHttps): the Netty endpoint answers
     * over TLS with the operator's certificate, and still asks for credentials.
     */
    @Test
    void restconfOverHttps() throws Exception {
        final var certificate = (X509Certificate) CertificateFactory
            .getInstance("X.509").generateCertificate(Files.newInputStream(server.restconfCertificate()));
        final var trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("restconf", certificate);
        final var factory = TrustManagerFactory.getInstance(
            TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        final var tls = SSLContext.getInstance("TLS");
        tls.init(null, factory.getTrustManagers(), null);
        // HTTP/1.1: over HTTP/2 (which the JDK's client asks for by ALPN) netconf 10.0.2's endpoint never answers.
        final var https = HttpClient.newBuilder().sslContext(tls).version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
        final var uri = URI.create("https://127.0.0.1:8182/restconf/data/serval:nodes?content=nonconfig");
        final var basic = "Basic " + Base64.getEncoder().encodeToString("admin:admin".getBytes(UTF_8));
        HttpResponse<String> response = null;
        // The Netty endpoint starts a little after Jetty's.
        for (int attempt = 0; attempt < 30 && response == null; attempt++) {
            try {
                response = https.send(HttpRequest.newBuilder(uri).header("Authorization", basic)
                    .header("Accept", "application/json").timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            } catch (ConnectException e) {
                Thread.sleep(1000);
            }
        }
        assertTrue(response != null, "nothing answered on https://127.0.0.1:8182");
        assertEquals(200, response.statusCode(), response::body);
        assertTrue(response.body().contains(ServalServer.fingerprint()), response::body);
        assertEquals(401, https.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).build(),
            HttpResponse.BodyHandlers.ofString()).statusCode());
    }

    @Test
    void vlanLifecycleOverRestconf() throws Exception {
        var response = server.rpc("create-vlan", "{\"name\":\"rc-red\",\"vid\":110,\"description\":\"red team\"}");
        assertEquals(204, response.statusCode(), response::body);

        response = server.get("/data/serval:vlans/vlan=rc-red");
        assertEquals(200, response.statusCode(), response::body);
        final var vlan = JsonParser.parseString(response.body()).getAsJsonObject().getAsJsonArray("serval:vlan")
            .get(0).getAsJsonObject();
        assertEquals(110, vlan.get("vid").getAsInt());
        assertEquals("red team", vlan.get("description").getAsString());

        response = server.rpc("get-vlans", "{\"name-prefix\":\"rc-\"}");
        assertEquals(200, response.statusCode(), response::body);
        final var listed = JsonParser.parseString(response.body()).getAsJsonObject().getAsJsonObject("serval:output")
            .getAsJsonArray("vlan");
        assertEquals(1, listed.size(), response::body);
        assertEquals("rc-red", listed.get(0).getAsJsonObject().get("name").getAsString());
        assertEquals(0, listed.get(0).getAsJsonObject().get("member-count").getAsInt());

        response = server.rpc("delete-vlan", "{\"name\":\"rc-red\"}");
        assertEquals(204, response.statusCode(), response::body);
        assertRestconfError(409, "data-missing", server.get("/data/serval:vlans/vlan=rc-red"));
    }

    @Test
    void vlanWrittenDirectlyIntoTheDatastoreIsSeenByGetVlans() throws Exception {
        var response = server.send("PUT", "/data/serval:vlans/vlan=ds-green",
            "{\"serval:vlan\":[{\"name\":\"ds-green\",\"max-members\":3}]}", "admin", "admin");
        assertEquals(201, response.statusCode(), response::body);
        // get-vlans answers from the listener-fed view, which trails the commit a little
        final long deadline = System.nanoTime() + 10_000_000_000L;
        do {
            response = server.rpc("get-vlans", "{\"name-prefix\":\"ds-\"}");
        } while (!response.body().contains("ds-green") && System.nanoTime() < deadline);
        assertTrue(response.body().contains("\"max-members\":3"), response::body);

        response = server.send("DELETE", "/data/serval:vlans/vlan=ds-green", null, "admin", "admin");
        assertEquals(204, response.statusCode(), response::body);
    }

    @Test
    void badInputGetsTheRightErrorTag() throws Exception {
        assertEquals(204, server.rpc("create-vlan", "{\"name\":\"bad-taken\",\"vid\":120}").statusCode());
        assertAll(
            () -> assertRestconfError(400, "invalid-value", server.rpc("create-vlan", "{\"name\":\"x\",\"vid\":5000}")),
            () -> assertRestconfError(400, "invalid-value", server.rpc("create-vlan", "{\"name\":\"x\",\"vid\":-1}")),
            () -> assertRestconfError(400, "invalid-value", server.rpc("create-vlan", "{\"name\":\"x\",\"vid\":0}")),
            () -> assertRestconfError(400, "invalid-value", server.rpc("create-vlan", "{\"name\":\"bad name\"}")),
            () -> assertRestconfError(400, "invalid-value",
                server.rpc("create-vlan", "{\"name\":\"x\",\"max-members\":0}")),
            () -> assertRestconfError(400, "invalid-value", server.send("PUT", "/data/serval:vlans/vlan=x",
                "{\"serval:vlan\":[{\"name\":\"x\",\"vid\":4095}]}", "admin", "admin")),
            () -> assertRestconfError(409, "data-exists", server.rpc("create-vlan", "{\"name\":\"bad-taken\"}")),
            () -> assertRestconfError(409, "data-exists", server.rpc("create-vlan", "{\"name\":\"y\",\"vid\":120}")),
            // written straight into the datastore, past the RPC's own check
            () -> assertRestconfError(409, "data-exists", server.send("PUT", "/data/serval:vlans/vlan=y",
                "{\"serval:vlan\":[{\"name\":\"y\",\"vid\":120}]}", "admin", "admin")),
            () -> assertRestconfError(409, "data-missing", server.rpc("delete-vlan", "{\"name\":\"no-such\"}")),
            () -> assertRestconfError(409, "data-missing",
                server.rpc("leave-vlan", "{\"client-id\":\"ghost\",\"vlan\":\"no-such\"}")),
            () -> assertRestconfError(409, "data-missing",
                server.rpc("join-vlan", "{\"client-id\":\"ghost\",\"vlan\":\"no-such\"}")),
            () -> assertRestconfError(409, "data-missing",
                server.rpc("disconnect-client", "{\"client-id\":\"ghost\"}")));
        // Nothing was lost or half-written, and the server still answers.
        for (var name : new String[] {"x", "y", "bad name"}) {
            assertFalse(server.rpc("get-vlans", "{}").body().contains("\"" + name + "\""), name);
        }
        assertEquals(204, server.rpc("delete-vlan", "{\"name\":\"bad-taken\"}").statusCode());
    }

    @Test
    void restconfRequiresAuthentication() throws Exception {
        assertEquals(401, server.send("POST", "/operations/serval:get-vlans", "{\"input\":{}}", null, null)
            .statusCode());
        assertEquals(401, server.send("GET", "/data/serval:vlans", null, "admin", "wrong").statusCode());
    }

    @Test
    void theShellRequiresAuthentication() throws Exception {
        final var output = server.shellAs("wrong", "serval:vlan-create sh-intruder");
        assertFalse(output.contains("VLAN sh-intruder created"), output);
        // Karaf's default account karaf/karaf is gone: a random password, in a file only this user reads
        final var defaults = server.shellAs("karaf", "serval:vlan-create sh-intruder");
        assertFalse(defaults.contains("VLAN sh-intruder created"), defaults);
        assertFalse(server.get("/data/serval:vlans").body().contains("sh-intruder"), "nothing was created");
        assertTrue(server.shellPassword().matches("[0-9a-f]{36}"), "a random password of 144 bits");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(server.shellAccounts())));
        final var owner = server.shellAs(server.shellPassword(), "serval:vlan-create sh-owner");
        assertTrue(owner.contains("VLAN sh-owner created"), "the password in the file opens the shell: " + owner);
    }

    @Test
    void shellCommandsWork() throws Exception {
        final var output = server.shell(
            "serval:vlan-create --vid 130 --description \"shell made\" sh-blue",
            "serval:vlan-list sh-",
            "serval:vlan-show sh-blue",
            "serval:client-list",
            "serval:vlan-delete sh-blue",
            "serval:vlan-list sh-",
            "serval:user-password sh-user sh-secret",
            "serval:user-password \"bad name\" x");
        assertAll(
            () -> assertTrue(output.contains("VLAN sh-blue created with vid 130"), output),
            () -> assertTrue(output.matches("(?s).*sh-blue\\s*\\|\\s*130\\s*\\|\\s*0\\s*\\|\\s*256.*"), output),
            () -> assertTrue(output.contains("Description: shell made"), output),
            () -> assertTrue(output.contains("No clients connected."), output),
            () -> assertTrue(output.contains("VLAN sh-blue deleted"), output),
            () -> assertTrue(output.contains("No VLANs starting with sh-."), output),
            () -> assertTrue(output.contains("Password of user sh-user set"), output),
            () -> assertTrue(output.contains("Error: invalid user name 'bad name'"), output));
        assertTrue(server.get("/data/serval:users/user=sh-user").body().contains("$pbkdf2-sha256$600000$"),
            "the shell stores the default, slow hash");
        final var log = Files.readString(server.karafLog());
        assertFalse(log.contains("getSubject is not supported"), "the shell failed to start on this JDK");
    }

    @Test
    void shellExplainsBadInput() throws Exception {
        assertEquals(204, server.rpc("create-vlan", "{\"name\":\"sh-taken\",\"vid\":140}").statusCode());
        assertAll(
            () -> assertTrue(server.shell("serval:vlan-create --vid 5000 sh-x").contains(
                "Error: vid 5000 is out of range: use 1 to 4094"), "vid range"),
            () -> assertTrue(server.shell("serval:vlan-create \"sh bad\"").contains("Error: invalid VLAN name"),
                "name"),
            () -> assertTrue(server.shell("serval:vlan-create sh-taken").contains(
                "Error: VLAN sh-taken already exists (data-exists)"), "duplicate name"),
            () -> assertTrue(server.shell("serval:vlan-create --vid 140 sh-y").contains(
                "Error: vid 140 is already used by VLAN sh-taken (data-exists)"), "duplicate vid"),
            () -> assertTrue(server.shell("serval:vlan-delete sh-none").contains(
                "Error: VLAN sh-none does not exist (data-missing)"), "unknown VLAN"),
            () -> assertTrue(server.shell("serval:vlan-show sh-none").contains("does not exist"), "show unknown"),
            () -> assertTrue(server.shell("serval:client-disconnect ghost").contains(
                "Error: client ghost is not connected (data-missing)"), "unknown client"));
        assertEquals(204, server.rpc("delete-vlan", "{\"name\":\"sh-taken\"}").statusCode());
    }

    private static String clientsJson() throws Exception {
        return server.get("/data/serval:clients?content=nonconfig").body();
    }

    private static void awaitClients(final String what, final java.util.function.Predicate<String> condition)
            throws Exception {
        final long deadline = System.nanoTime() + 15_000_000_000L;
        String json = clientsJson();
        while (!condition.test(json)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what + "; clients: " + json);
            }
            Thread.sleep(100);
            json = clientsJson();
        }
    }

    private static Message.Data broadcast(final int vlanRef, final long src) {
        final var frame = Unpooled.buffer(60);
        frame.writeBytes(new byte[] {-1, -1, -1, -1, -1, -1});
        frame.writeShort((int) (src >>> 32)).writeInt((int) src).writeShort(0x88B5).writeZero(46);
        return new Message.Data(vlanRef, frame);
    }

    @Test
    void protocolClientsSwitchFramesAndShowInTheRegistry() throws Exception {
        assertEquals(204, server.rpc("create-vlan", "{\"name\":\"dp-red\"}").statusCode());
        assertEquals(204, server.rpc("create-vlan", "{\"name\":\"dp-blue\"}").statusCode());
        try (var alice = new ProtocolClient(ServalServer.DATAPLANE_PORT);
             var bob = new ProtocolClient(ServalServer.DATAPLANE_PORT);
             var carol = new ProtocolClient(ServalServer.DATAPLANE_PORT)) {
            assertEquals(1400, alice.hello("it-alice").tapMtu());
            bob.hello("it-bob");
            carol.hello("it-carol");
            // the registry's counters are reported every 10 s, longer than the IT's expiry of 3 s
            alice.keepAlive();
            bob.keepAlive();
            carol.keepAlive();
            alice.send(new Message.Join(1, 0x025356000001L, "dp-red"));
            final var aliceRed = (Message.Joined) alice.receive();
            bob.send(new Message.Join(1, 0x025356000002L, "dp-red"));
            final var bobRed = (Message.Joined) bob.receive();
            carol.send(new Message.Join(1, 0x025356000003L, "dp-blue"));
            carol.receive();
            // every client heard the node list after WELCOME: this node, reachable at its dataplane port
            assertTrue(alice.nodes() != null && alice.nodes().nodes().stream()
                .anyMatch(node -> node.port() == ServalServer.DATAPLANE_PORT
                    && node.fingerprint().equals(ServalServer.fingerprint())), String.valueOf(alice.nodes()));

            alice.send(broadcast(aliceRed.vlanRef(), 0x025356000001L));
            final var got = (Message.Data) bob.receive();
            try {
                assertEquals(bobRed.vlanRef(), got.vlanRef());
                assertEquals(60, got.content().readableBytes());
            } finally {
                got.release();
            }
            // carol, in another VLAN, must see nothing of it: her next message is the answer to her keepalive
            carol.send(new Message.Keepalive(5));
            assertEquals(new Message.KeepaliveAck(5), carol.receive());

            awaitClients("the three clients are registered with their memberships",
                json -> json.contains("it-alice") && json.contains("it-bob") && json.contains("it-carol")
                    && json.contains("dp-blue") && json.contains("02:53:56:00:00:01"));
            // live counters reach the registry within a housekeeping period (10 s)
            awaitClients("alice's counters show the frame she sent", json -> json.contains("\"in-frames\":\"1\"")
                || json.contains("\"in-frames\":1"));
            final var list = server.shell("serval:client-list");
            assertTrue(list.contains("it-alice") && list.contains("dp-red"), list);

            // get-vlans counts the members
            assertTrue(server.rpc("get-vlans", "{\"name-prefix\":\"dp-red\"}").body()
                .contains("\"member-count\":2"));

            // leave-vlan ends bob's membership in his live session too, and tells him (REMOVED, an administrator):
            // alice's next broadcast does not reach him, and his registry entry stays without dp-red (the node's own
            // later writes must not bring it back)
            assertEquals(204, server.rpc("leave-vlan", "{\"client-id\":\"it-bob\",\"vlan\":\"dp-red\"}")
                .statusCode());
            assertEquals(new Message.Removed(bobRed.vlanRef(), Message.Removed.ADMIN, "dp-red"), bob.receive());
            alice.send(broadcast(aliceRed.vlanRef(), 0x025356000001L));
            bob.send(new Message.Keepalive(6));
            assertEquals(new Message.KeepaliveAck(6), bob.receive(), "bob still got red's broadcast");
            Thread.sleep(6000);
            final var bobEntry = server.get("/data/serval:clients/client=it-bob?content=nonconfig").body();
            assertFalse(bobEntry.contains("dp-red"), bobEntry);
        }
        awaitClients("closed sessions leave the registry", json -> !json.contains("it-alice"));
        assertEquals(204, server.rpc("delete-vlan", "{\"name\":\"dp-red\"}").statusCode());
        assertEquals(204, server.rpc("delete-vlan", "{\"name\":\"dp-blue\"}").statusCode());
    }

    @Test
    void joiningAFullVlanIsResourceDenied() throws Exception {
        assertEquals(204, server.rpc("create-vlan", "{\"name\":\"dp-solo\",\"max-members\":1}").statusCode());
        try (var first = new ProtocolClient(ServalServer.DATAPLANE_PORT);
             var second = new ProtocolClient(ServalServer.DATAPLANE_PORT)) {
            first.hello("it-first");
            second.hello("it-second");
            first.send(new Message.Join(1, 0x025356000011L, "dp-solo"));
            assertTrue(first.receive() instanceof Message.Joined);
            // over the protocol
            second.send(new Message.Join(2, 0x025356000012L, "dp-solo"));
            final var refused = (Message.Error) second.receive();
            assertEquals(Message.Error.VLAN_FULL, refused.code());
            // and over RESTCONF
            assertRestconfError(409, "resource-denied",
                server.rpc("join-vlan", "{\"client-id\":\"it-second\",\"vlan\":\"dp-solo\"}"));
        }
        assertEquals(204, server.rpc("delete-vlan", "{\"name\":\"dp-solo\"}").statusCode());
    }

    @Test
    void disconnectClientClosesTheSession() throws Exception {
        try (var client = new ProtocolClient(ServalServer.DATAPLANE_PORT)) {
            client.hello("it-victim");
            client.keepAlive();
            awaitClients("it-victim is registered", json -> json.contains("it-victim"));
            assertEquals(204, server.rpc("disconnect-client", "{\"client-id\":\"it-victim\"}").statusCode());
            assertTrue(client.closedByServer());
        }
        awaitClients("it-victim is gone", json -> !json.contains("it-victim"));
    }

    @Test
    void malformedInputClosesOnlyThatConnection() throws Exception {
        try (var good = new ProtocolClient(ServalServer.DATAPLANE_PORT);
             var hostile = new ProtocolClient(ServalServer.DATAPLANE_PORT)) {
            good.hello("it-good");
            hostile.sendRaw(new byte[] {1, 0x10, (byte) 0xff, (byte) 0xff, 0, 1});
            assertTrue(hostile.closedByServer());
            good.send(new Message.Keepalive(9));
            assertEquals(new Message.KeepaliveAck(9), good.receive());
        }
        assertTrue(Files.readString(server.karafLog()).contains("Closed a connection for malformed input from"),
            "the refusal is logged");
        // SERVAL's own file has it too, one line per event, and none of ODL's lines.
        final var own = Files.readAllLines(server.home().resolve("data/log/serval.log"));
        assertTrue(own.stream().anyMatch(line -> line.contains("Closed a connection for malformed input from")),
            "the refusal is in serval.log");
        for (var line : own) {
            assertTrue(line.matches("^\\d{4}-\\d\\d-\\d\\dT.* o\\.s\\..*"), "not a SERVAL event line: " + line);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "udp"})
    void clientsInNamespacesPingAcrossAVlanAndNotAcrossVlans(final String transport) throws Exception {
        RealParts.require(NetnsHosts.available(), "needs root, /dev/net/tun, ip, ping and a built client");
        final var red = "ns-red-" + transport;
        final var blue = "ns-blue-" + transport;
        assertEquals(204, server.rpc("create-vlan", "{\"name\":\"" + red + "\"}").statusCode());
        assertEquals(204, server.rpc("create-vlan", "{\"name\":\"" + blue + "\"}").statusCode());
        try (var hosts = new NetnsHosts(server.home())) {
            final var a = hosts.host("a" + transport, red, "10.99.1.1/24", transport);
            final var b = hosts.host("b" + transport, red, "10.99.1.2/24", transport);
            final var c = hosts.host("c" + transport, blue, "10.99.1.3/24", transport);
            final var d = hosts.host("d" + transport, red, "10.99.1.4/24", transport);
            NetnsHosts.run("ip", "-n", a, "addr", "add", "fd99::1/64", "dev", NetnsHosts.tapOf(a), "nodad");
            NetnsHosts.run("ip", "-n", b, "addr", "add", "fd99::2/64", "dev", NetnsHosts.tapOf(b), "nodad");
            final var ping = NetnsHosts.run("ip", "netns", "exec", a, "ping", "-c", "5", "-i", "0.2", "-W", "2",
                "10.99.1.2");
            assertTrue(ping.contains(" 0% packet loss"), ping);
            final var ping6 = NetnsHosts.run("ip", "netns", "exec", a, "ping", "-6", "-c", "2", "-i", "0.2", "-W",
                "2", "fd99::2");
            assertTrue(ping6.contains(" 0% packet loss"), ping6);

            // The switch has learned b's addresses from b's answers to a. With b's interface down, so that b
            // itself cannot answer, d still resolves b: the switch answers for it, over ARP and over IPv6 ND.
            final var bMac = NetnsHosts.macOf(b);
            NetnsHosts.run("ip", "-n", b, "link", "set", NetnsHosts.tapOf(b), "down");
            NetnsHosts.exitCode("ip", "netns", "exec", d, "ping", "-c", "1", "-W", "1", "10.99.1.2");
            assertTrue(NetnsHosts.run("ip", "-n", d, "neigh", "show", "10.99.1.2").contains("lladdr " + bMac),
                "d learned b's MAC from the switch's ARP answer");
            NetnsHosts.run("ip", "-n", d, "addr", "add", "fd99::4/64", "dev", NetnsHosts.tapOf(d), "nodad");
            NetnsHosts.exitCode("ip", "netns", "exec", d, "ping", "-6", "-c", "1", "-W", "1", "fd99::2");
            assertTrue(NetnsHosts.run("ip", "-n", d, "-6", "neigh", "show", "fd99::2").contains("lladdr " + bMac),
                "d learned b's MAC from the switch's neighbour advertisement");
            NetnsHosts.run("ip", "-n", b, "link", "set", NetnsHosts.tapOf(b), "up");
            assertEquals(1, NetnsHosts.exitCode("ip", "netns", "exec", c, "ping", "-c", "2", "-W", "1",
                "10.99.1.1"), "blue cannot reach red");
            if (RealParts.has(NetnsHosts.onPath("iperf3"), "iperf3")) {
                final var received = NetnsHosts.iperf(a, b, "10.99.1.2").get("bytes").getAsLong();
                assertTrue(received > 1_000_000, "iperf3 moved " + received + " bytes across the VLAN");
            }
            // Red's ARP and neighbour discovery broadcasts went to a and b; blue's only member got nothing of red's.
            // All it received is its own switch's multicast queries (the querier asks a VLAN with listeners).
            final long queriesBefore = NetnsHosts.mldQueriesReceived(c);
            final long frames = NetnsHosts.framesReceived(c);
            final long queriesAfter = NetnsHosts.mldQueriesReceived(c);
            assertTrue(frames >= queriesBefore && frames <= queriesAfter, "blue's client received " + frames
                + " frames, of which " + queriesBefore + " its switch's MLD queries: frames from red");

            // A client killed outright leaves the registry: at once over TCP (its connection closes with it),
            // within the configured expiry over UDP (only its silence tells).
            final long killed = System.nanoTime();
            hosts.client(1).destroyForcibly().waitFor();
            awaitClients("it-b" + transport + " is gone after SIGKILL", json -> !json.contains("it-b" + transport));
            final long goneMillis = (System.nanoTime() - killed) / 1_000_000;
            final long expiryMillis = (long) ServalServer.KEEPALIVE_MILLIS * ServalServer.EXPIRE_AFTER;
            assertTrue(goneMillis <= expiryMillis + ServalServer.KEEPALIVE_MILLIS + 1500,
                "gone after " + goneMillis + " ms; the expiry is " + expiryMillis + " ms");
        }
        assertEquals(204, server.rpc("delete-vlan", "{\"name\":\"" + red + "\"}").statusCode());
        assertEquals(204, server.rpc("delete-vlan", "{\"name\":\"" + blue + "\"}").statusCode());
    }

    @Test
    void hostileDatagramsAreDroppedWhileTheOthersCarryOn() throws Exception {
        try (var good = new ProtocolClient(ServalServer.DATAPLANE_PORT); var hostile = new DatagramSocket()) {
            good.hello("it-udp-good");
            hostile.connect(new InetSocketAddress("127.0.0.1", ServalServer.DATAPLANE_PORT));
            hostile.setSoTimeout(1000);
            final var forgedSeal = new byte[80];
            forgedSeal[0] = (byte) 0x80;
            forgedSeal[4] = 42;
            for (var junk : new byte[][] {new byte[] {1, 0x10, (byte) 0xff, (byte) 0xff, 0, 1}, new byte[4000],
                    Wire.bytes(new Message.Keepalive(1)), "GET / HTTP/1.0\r\n\r\n".getBytes(UTF_8),
                    Wire.bytes(new Message.Hello(1, "it-plain", 0, ServalServer.USER,
                        Message.Hello.AUTH_PASSWORD, ServalServer.PASSWORD)), forgedSeal}) {
                hostile.send(new DatagramPacket(junk, junk.length));
            }
            good.send(new Message.Keepalive(9));
            assertEquals(new Message.KeepaliveAck(9), good.receive());
            // Sealed UDP answers nothing that does not open under a ticket's keys: no session, no amplification.
            assertThrows(SocketTimeoutException.class, () -> hostile.receive(new DatagramPacket(new byte[64], 64)));
        }
        final var log = Files.readString(server.karafLog());
        assertTrue(log.contains("Dropped a datagram from"), "the drop is logged");
        assertFalse(log.contains("it-plain"), "a plaintext HELLO made no session");
    }

    /**
     * Runs the real client, which must give up: its exit code and what it printed.
     */
    private static String refusedClient(final int exitCode, final String user, final String password,
            final String vlan, final String... extra) throws Exception {
        final var command = new ArrayList<>(List.of(NetnsHosts.CLIENT.toString(), "--server",
            "127.0.0.1:" + ServalServer.DATAPLANE_PORT, "--id", "it-refused", "--vlan", vlan + "=itrefused0",
            "--status", "0", "--user", user));
        command.addAll(List.of(extra));
        if (!command.contains("--pin") && !command.contains("--plaintext")) {
            command.addAll(List.of("--pin", ServalServer.fingerprint()));
        }
        final var builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("SERVAL_PASSWORD", password);
        final var process = builder.start();
        final var output = new String(process.getInputStream().readAllBytes(), UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the client gave up");
        assertEquals(exitCode, process.exitValue(), output);
        return output;
    }

    @Test
    void realClientsAreRefusedWithAClearMessageAndExitCode() throws Exception {
        RealParts.require(NetnsHosts.available(), "needs root, /dev/net/tun and a built client");
        assertEquals(204, server.rpc("create-vlan", "{\"name\":\"sec-red\"}").statusCode());
        assertTrue(refusedClient(6, ServalServer.USER, "wrong", "sec-red")
            .contains("the server refused the login: unknown user or wrong password"));
        assertTrue(refusedClient(6, "it-nobody", ServalServer.PASSWORD, "sec-red")
            .contains("the server refused the login: unknown user or wrong password"));
        final var wrongPin = refusedClient(6, ServalServer.USER, ServalServer.PASSWORD, "sec-red", "--pin",
            "ab".repeat(32));
        assertTrue(wrongPin.contains("is sha256:" + ServalServer.fingerprint() + ", not the pinned sha256:"
            + "ab".repeat(32)), wrongPin);
        assertTrue(refusedClient(3, ServalServer.USER, ServalServer.PASSWORD, "sec-red", "--plaintext")
            .contains("closed the connection"), "plaintext to an encrypted server");
        assertTrue(refusedClient(4, ServalServer.GUEST, ServalServer.PASSWORD, "sec-red")
            .contains("user it-guest may not join VLAN sec-red"), "no rule lets the guest join");
        assertEquals(200, server.send("PATCH", "/data/serval:users", "{\"serval:users\":{\"user\":[{\"name\":\""
            + ServalServer.GUEST + "\",\"enabled\":false}]}}", "admin", "admin").statusCode());
        assertTrue(refusedClient(6, ServalServer.GUEST, ServalServer.PASSWORD, "sec-red")
            .contains("user it-guest is disabled"), "a revoked user");

        final var audit = Files.readString(server.home().resolve("data/security/audit.log"));
        assertTrue(audit.contains("LOGIN-FAILED user=it client=it-refused"), "failed logins are audited");
        assertTrue(audit.contains("DENIED user=it-guest operation=join vlan=sec-red"), "denials are audited");
        final var users = server.get("/data/serval:users").body();
        // set-password (ServalServer.setUpUsers) stores the production cost, whatever the unit tests use.
        assertTrue(users.contains("$pbkdf2-sha256$600000$"), users);
        assertFalse(users.contains(ServalServer.PASSWORD), "no password is readable back");
    }

    @Test
    void aSilentClientExpiresAfterItsKeepalivePeriods() throws Exception {
        try (var silent = new ProtocolClient(ServalServer.DATAPLANE_PORT)) {
            final var welcome = silent.hello("it-silent");
            awaitClients("it-silent is registered", json -> json.contains("it-silent"));
            // sends nothing more: no keepalive; the server gives up after expire-after periods
            final long expiryMillis = welcome.keepaliveMillis() * welcome.expireAfter();
            final long start = System.nanoTime();
            silent.setReadTimeout((int) expiryMillis + 10_000);
            assertTrue(silent.closedByServer());
            final long tookMillis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(tookMillis >= expiryMillis - 1000 && tookMillis <= expiryMillis + 5000,
                "expired after " + tookMillis + " ms, configured " + expiryMillis + " ms");
        }
        awaitClients("it-silent left the registry", json -> !json.contains("it-silent"));
    }

    @Test
    void aClientCertificateLogsInWithoutAPassword() throws Exception {
        RealParts.require(NetnsHosts.available(), "needs root, /dev/net/tun and a built client");
        final var store = server.home().resolve("it-client-cert.p12");
        Files.deleteIfExists(store);
        // any key pair and certificate will do: one made the way the server makes its own
        final var certificate = ServerIdentity.loadOrCreate(store, "certpw".toCharArray());
        assertEquals(204, server.rpc("create-vlan", "{\"name\":\"sec-cert\",\"open\":true}").statusCode());
        assertEquals(200, server.send("PATCH", "/data/serval:users", "{\"serval:users\":{\"user\":[{\"name\":"
            + "\"it-cert\",\"certificate\":[\"" + certificate.fingerprint() + "\"]}]}}", "admin", "admin")
            .statusCode());
        final var builder = new ProcessBuilder(NetnsHosts.CLIENT.toString(), "--server",
            "127.0.0.1:" + ServalServer.DATAPLANE_PORT, "--id", "it-cert", "--vlan", "sec-cert=itcert0", "--status",
            "0", "--user", "it-cert", "--cert", store.toString(), "--pin", ServalServer.fingerprint(),
            "--transport", "udp")
            .redirectErrorStream(true).redirectOutput(server.home().resolve("it-cert-client.log").toFile());
        builder.environment().put("SERVAL_CERT_PASSWORD", "certpw");
        builder.environment().remove("SERVAL_PASSWORD");
        final var client = builder.start();
        try {
            awaitClients("the certificate's client is registered as it-cert",
                json -> json.contains("\"id\":\"it-cert\"") && json.contains("\"user\":\"it-cert\""));
        } finally {
            client.destroy();
            client.waitFor(10, TimeUnit.SECONDS);
        }
        assertEquals(200, server.send("PATCH", "/data/serval:users", "{\"serval:users\":{\"user\":[{\"name\":"
            + "\"it-cert2\",\"certificate\":[\"" + "00".repeat(32) + "\"]}]}}", "admin", "admin").statusCode());
        final var other = new ProcessBuilder(NetnsHosts.CLIENT.toString(), "--server",
            "127.0.0.1:" + ServalServer.DATAPLANE_PORT, "--id", "it-cert2", "--vlan", "sec-cert=itcert1", "--status",
            "0", "--user", "it-cert2", "--cert", store.toString(), "--pin", ServalServer.fingerprint())
            .redirectErrorStream(true);
        other.environment().put("SERVAL_CERT_PASSWORD", "certpw");
        final var refused = other.start();
        final var output = new String(refused.getInputStream().readAllBytes(), UTF_8);
        assertTrue(refused.waitFor(60, TimeUnit.SECONDS));
        assertEquals(6, refused.exitValue(), output);
        assertTrue(output.contains("the client certificate does not belong to user it-cert2"), output);
    }

    private static final Set<String> NUMBERS = Set.of("vid", "max-members");
    private static final Set<String> FLAGS = Set.of("open");

    /**
     * A value of the leaf's JSON kind that a careless or hostile script might send: SERVAL must answer each with
     * success or a 4xx error.
     */
    private static String wellTypedJunk(final String leaf, final Random random) {
        if (NUMBERS.contains(leaf)) {
            return List.of("-1", "0", "4095", "70000", "9223372036854775807", "-9223372036854775808", "1")
                .get(random.nextInt(7));
        }
        if (FLAGS.contains(leaf)) {
            return random.nextBoolean() ? "true" : "false";
        }
        return switch (random.nextInt(8)) {
            case 0 -> "\"\"";
            case 1 -> "\"" + "a".repeat(10_000 + random.nextInt(90_000)) + "\"";
            case 2 -> "\"\\u0000\\u001f\"";
            case 3 -> "\"red/../../x\"";
            case 4 -> "\"é中😀\"";
            case 5 -> "\"it-nobody\"";
            case 6 -> "\" leading-space\"";
            default -> "\"" + Long.toHexString(random.nextLong()) + "\"";
        };
    }

    /**
     * Input OpenDaylight's RESTCONF parser itself answers with HTTP 500 instead of 400 (yangtools' JSON codec on
     * null, arrays and objects as leaf values, unknown leaves, "yes" or a cut-off "tr" for a boolean): SERVAL's code
     * never sees it; what matters is that nothing breaks.
     */
    private static String illTypedJunk(final Random random) {
        return List.of("null", "[]", "{\"x\":{}}", "\"yes\"", "1e309").get(random.nextInt(5));
    }

    private static TreeSet<String> namesIn(final String path, final String list) throws Exception {
        final var response = server.get(path + "?content=config");
        final var names = new TreeSet<String>();
        if (response.statusCode() == 200) {
            final var container = JsonParser.parseString(response.body()).getAsJsonObject()
                .getAsJsonObject(list.split("/")[0]);
            for (var entry : container.getAsJsonArray(list.split("/")[1])) {
                names.add(entry.getAsJsonObject().get("name").getAsString());
            }
        }
        return names;
    }

    private static TreeSet<String> vlanNames() throws Exception {
        return namesIn("/data/serval:vlans", "serval:vlans/vlan");
    }

    private static TreeSet<String> userNames() throws Exception {
        return namesIn("/data/serval:users", "serval:users/user");
    }

    @Test
    void restconfSurvivesMutatedInputAndTheDataplaneCarriesOn() throws Exception {
        final long seed = System.nanoTime();
        final var random = new Random(seed);
        final var rpcs = Map.of(
            "create-vlan", List.of("name", "vid", "max-members", "description", "open", "owner"),
            "delete-vlan", List.of("name", "user"),
            "join-vlan", List.of("client-id", "vlan"),
            "leave-vlan", List.of("client-id", "vlan"),
            "get-vlans", List.of("name-prefix"),
            "set-password", List.of("user", "password"),
            "disconnect-client", List.of("client-id"));
        final var names = new ArrayList<>(rpcs.keySet());
        // What the fuzz may change: the VLANs and users its successful requests name, nothing else.
        final var vlansBefore = vlanNames();
        final var usersBefore = userNames();
        // Replayed in order: a VLAN the fuzz creates and later deletes is gone at the end.
        final var vlansExpected = new TreeSet<>(vlansBefore);
        final var passwordsSet = new HashSet<String>();
        try (var bystander = new ProtocolClient(ServalServer.DATAPLANE_PORT)) {
            bystander.hello("it-bystander");
            bystander.keepAlive();
            final var failures = new ArrayList<String>();
            int upstream500 = 0;
            int closed = 0;
            for (int i = 0; i < 400; i++) {
                final var rpc = names.get(random.nextInt(names.size()));
                final boolean wellTyped = random.nextInt(4) != 0;
                final var body = new StringBuilder("{");
                for (var leaf : rpcs.get(rpc)) {
                    if (random.nextBoolean()) {
                        body.append(body.length() > 1 ? "," : "").append('"').append(leaf).append("\":")
                            .append(wellTyped ? wellTypedJunk(leaf, random) : illTypedJunk(random));
                    }
                }
                var json = body.append('}').toString();
                final boolean truncated = wellTyped && random.nextInt(6) == 0;
                if (truncated) {
                    json = json.substring(0, random.nextInt(json.length()));
                }
                final int status;
                try {
                    status = server.rpc(rpc, json).statusCode();
                } catch (IOException e) {
                    // Jetty may refuse a large body by closing before the client has sent it all.
                    closed++;
                    continue;
                }
                if (status / 100 == 2) {
                    final var input = JsonParser.parseString(json).getAsJsonObject();
                    switch (rpc) {
                        case "create-vlan" -> vlansExpected.add(input.get("name").getAsString());
                        case "delete-vlan" -> vlansExpected.remove(input.get("name").getAsString());
                        case "set-password" -> passwordsSet.add(input.get("user").getAsString());
                        default -> {
                            // changes no configuration
                        }
                    }
                }
                // A cut can leave a literal half-written ("tr" for true), which the parser treats as ill-typed.
                if (status >= 500 && wellTyped && !truncated) {
                    failures.add(rpc + " " + json.substring(0, Math.min(160, json.length())) + " -> " + status);
                } else if (status >= 500) {
                    upstream500++;
                }
            }
            LOG.info("RESTCONF fuzz (seed {}): {} ill-typed inputs got 500 from OpenDaylight's parser, {} connections"
                + " closed", seed, upstream500, closed);
            assertTrue(failures.isEmpty(), "seed " + seed + ": server errors for well-typed bad input:\n"
                + String.join("\n", failures));
            bystander.send(new Message.Keepalive(77));
            assertEquals(new Message.KeepaliveAck(77), bystander.receive(), "the dataplane carries on");
        }
        assertEquals(vlansExpected, vlanNames(), "seed " + seed + ": VLANs the fuzz's successful requests explain");
        final var usersExpected = new TreeSet<>(usersBefore);
        usersExpected.addAll(passwordsSet);
        assertEquals(usersExpected, userNames(), "seed " + seed + ": users the fuzz's successful requests explain");
        assertEquals(204, server.rpc("create-vlan", "{\"name\":\"fz-after\"}").statusCode(),
            "RESTCONF still works");
    }
}
