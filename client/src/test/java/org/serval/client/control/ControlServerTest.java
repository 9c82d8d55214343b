/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.client.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.serval.client.ClientFailure;

/**
 * The control socket on a real Unix domain socket in a temporary directory: requests and answers, errors, and its
 * bounds against peers that open too many connections, send endless lines or say nothing.
 */
class ControlServerTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private Path socket;
    private final FakeClient fake = new FakeClient();
    private ControlServer server;
    private final List<SocketChannel> peers = new ArrayList<>();

    /**
     * A client that records what it was asked; join can be held up to stand for a slow server.
     */
    static final class FakeClient implements ClientControl {
        final List<String> calls = new CopyOnWriteArrayList<>();
        volatile CountDownLatch joinGate = new CountDownLatch(0);

        @Override
        public JsonObject status() {
            calls.add("status");
            final var status = new JsonObject();
            status.addProperty("state", "connected");
            return status;
        }

        @Override
        public JsonObject list() {
            calls.add("list");
            return new JsonObject();
        }

        @Override
        public JsonObject join(final String vlan, final String iface) throws ControlException, InterruptedException {
            calls.add("join " + vlan + " " + iface);
            joinGate.await();
            if ("nope".equals(vlan)) {
                throw new ControlException("vlan-refused", ClientFailure.VLAN_REFUSED, "the server refused: denied");
            }
            final var result = new JsonObject();
            result.addProperty("name", vlan);
            result.addProperty("interface", iface == null ? "serval0" : iface);
            return result;
        }

        @Override
        public JsonObject leave(final String vlan) {
            calls.add("leave " + vlan);
            return new JsonObject();
        }

        @Override
        public JsonObject create(final String vlan, final boolean open) {
            calls.add("create " + vlan + " " + open);
            return new JsonObject();
        }

        @Override
        public JsonObject delete(final String vlan) {
            calls.add("delete " + vlan);
            return new JsonObject();
        }

        @Override
        public JsonObject members(final String vlan) {
            calls.add("members " + vlan);
            return new JsonObject();
        }

        @Override
        public JsonObject up() {
            calls.add("up");
            return new JsonObject();
        }

        @Override
        public JsonObject down() {
            calls.add("down");
            return new JsonObject();
        }
    }

    @BeforeEach
    void setUp() throws IOException {
        socket = dir.resolve("run/control.sock");
        server = ControlServer.open(socket, new ControlRequests(fake), 500);
    }

    @AfterEach
    void tearDown() throws IOException {
        for (var peer : peers) {
            peer.close();
        }
        server.close();
    }

    private SocketChannel connect() throws IOException {
        final var channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(socket));
        peers.add(channel);
        return channel;
    }

    private static void send(final SocketChannel channel, final String text) throws IOException {
        final var bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
    }

    /**
     * One answer line, or null when the server closed the connection first.
     */
    private static JsonObject readLine(final SocketChannel channel) throws IOException {
        final var line = new ByteArrayOutputStream();
        final var one = ByteBuffer.allocate(1);
        while (true) {
            one.clear();
            if (channel.read(one) < 0) {
                return null;
            }
            if (one.get(0) == '\n') {
                return JsonParser.parseString(line.toString(StandardCharsets.UTF_8)).getAsJsonObject();
            }
            line.write(one.get(0));
        }
    }

    private JsonObject ask(final String request) throws IOException {
        final var channel = connect();
        send(channel, request + "\n");
        return readLine(channel);
    }

    @Test
    void requestsReachTheClientAndAnswersComeBack() throws Exception {
        final var status = ask("{\"id\":7,\"cmd\":\"status\"}");
        assertEquals(7, status.get("id").getAsInt());
        assertTrue(status.get("ok").getAsBoolean());
        assertEquals("connected", status.getAsJsonObject("result").get("state").getAsString());

        final var channel = connect();
        send(channel, "{\"cmd\":\"join\",\"vlan\":\"red\",\"iface\":\"tapred\"}\n"
            + "{\"cmd\":\"leave\",\"vlan\":\"red\"}\n");
        assertEquals("tapred", readLine(channel).getAsJsonObject("result").get("interface").getAsString());
        assertTrue(readLine(channel).get("ok").getAsBoolean(), "several requests on one connection");
        send(channel, "{\"cmd\":\"create\",\"vlan\":\"blue\",\"open\":true}\n{\"cmd\":\"delete\",\"vlan\":\"blue\"}\n"
            + "{\"cmd\":\"members\",\"vlan\":\"blue\"}\n{\"cmd\":\"list\"}\n{\"cmd\":\"down\"}\n{\"cmd\":\"up\"}\n");
        for (int i = 0; i < 6; i++) {
            assertTrue(readLine(channel).get("ok").getAsBoolean());
        }
        assertEquals(List.of("status", "join red tapred", "leave red", "create blue true", "delete blue",
            "members blue", "list", "down", "up"), fake.calls);

        // and through the command line's side
        final var result = ControlClient.call(socket, JsonParser.parseString("{\"cmd\":\"join\",\"vlan\":\"green\"}")
            .getAsJsonObject(), TIMEOUT);
        assertEquals("serval0", result.get("interface").getAsString());
    }

    @Test
    void errorsAreObjectsWithACodeAndAnExitCode() throws Exception {
        final var refused = ask("{\"id\":\"a\",\"cmd\":\"join\",\"vlan\":\"nope\"}");
        assertEquals("a", refused.get("id").getAsString());
        assertFalse(refused.get("ok").getAsBoolean());
        final var error = refused.getAsJsonObject("error");
        assertEquals("vlan-refused", error.get("code").getAsString());
        assertEquals(ClientFailure.VLAN_REFUSED, error.get("exit").getAsInt());
        assertTrue(error.get("message").getAsString().contains("denied"));

        final var e = assertThrows(ControlException.class, () -> ControlClient.call(socket,
            JsonParser.parseString("{\"cmd\":\"join\",\"vlan\":\"nope\"}").getAsJsonObject(), TIMEOUT));
        assertEquals(ClientFailure.VLAN_REFUSED, e.exitCode());

        for (var bad : List.of("not json", "[1]", "{\"cmd\":\"fly\"}", "{\"cmd\":\"join\"}",
                "{\"cmd\":\"join\",\"vlan\":\"bad name\"}", "{\"cmd\":\"join\",\"vlan\":3}",
                "{\"cmd\":\"create\",\"vlan\":\"x\",\"open\":\"yes\"}")) {
            final var answer = ask(bad);
            assertEquals("usage", answer.getAsJsonObject("error").get("code").getAsString(), bad);
            assertEquals(ClientFailure.USAGE, answer.getAsJsonObject("error").get("exit").getAsInt(), bad);
        }
        assertEquals(List.of("join nope null", "join nope null"), fake.calls, "bad requests reach nothing");
    }

    @Test
    void theSocketIsForRootAndTheGroupOnly() throws IOException {
        assertEquals(PosixFilePermissions.fromString("rw-rw----"), Files.getPosixFilePermissions(socket));
    }

    @Test
    void aStaleSocketIsReplacedAndALiveOneRefused() throws IOException {
        final var e = assertThrows(IOException.class, () -> ControlServer.open(socket, new ControlRequests(fake)));
        assertTrue(e.getMessage().contains("another serval-client runs"), e.getMessage());
        assertTrue(ask("{\"cmd\":\"status\"}").get("ok").getAsBoolean(), "the live one still answers");

        // A socket file nobody listens at any more, as a killed client leaves it.
        final var stale = dir.resolve("stale.sock");
        try (var dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(stale));
        }
        assertTrue(Files.exists(stale));
        try (var replaced = ControlServer.open(stale, new ControlRequests(fake))) {
            try (var channel = SocketChannel.open(UnixDomainSocketAddress.of(stale))) {
                send(channel, "{\"cmd\":\"status\"}\n");
                assertTrue(readLine(channel).get("ok").getAsBoolean());
            }
        }
        final var file = Files.writeString(dir.resolve("plain"), "not a socket");
        assertThrows(IOException.class, () -> ControlServer.open(file, new ControlRequests(fake)));
        assertEquals("not a socket", Files.readString(file), "a file that is not a socket is left alone");
    }

    @Test
    void oneConnectionTooManyIsToldSoAndTheOthersGoOn() throws IOException {
        final List<SocketChannel> held = new ArrayList<>();
        for (int i = 0; i < ControlServer.MAX_CONNECTIONS; i++) {
            final var channel = connect();
            // a complete request each, so that every one is known to be accepted and counted
            send(channel, "{\"cmd\":\"status\"}\n");
            assertTrue(readLine(channel).get("ok").getAsBoolean());
            held.add(channel);
        }
        final var extra = connect();
        final var busy = readLine(extra);
        assertEquals("busy", busy.getAsJsonObject("error").get("code").getAsString());
        assertEquals(null, readLine(extra), "and closed");
        send(held.get(0), "{\"cmd\":\"status\"}\n");
        assertTrue(readLine(held.get(0)).get("ok").getAsBoolean(), "the connections held are served");
    }

    @Test
    void anEndlessLineIsCutOff() throws IOException {
        final var channel = connect();
        send(channel, "{\"cmd\":\"status\",\"x\":\"" + "a".repeat(ControlServer.MAX_LINE));
        final var answer = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> readLine(channel));
        assertTrue(answer != null && answer.getAsJsonObject("error").get("message").getAsString()
            .contains("longer than"), String.valueOf(answer));
        assertEquals(null, readLine(channel), "and the connection closed");
    }

    @Test
    void aSilentPeerBlocksNothingAndIsDropped() throws Exception {
        final var silent = connect();
        send(silent, "{\"cmd\":\"sta");
        final var slowJoin = new CountDownLatch(1);
        fake.joinGate = slowJoin;
        final var joining = connect();
        send(joining, "{\"cmd\":\"join\",\"vlan\":\"red\"}\n");
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            assertTrue(ask("{\"cmd\":\"status\"}").get("ok").getAsBoolean(),
                "status is answered beside a silent peer and a join waiting for the server");
        });
        // the silent peer is dropped after the idle time (500 ms here), the waiting join is not
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> assertEquals(null, readLine(silent)));
        slowJoin.countDown();
        assertTrue(readLine(joining).get("ok").getAsBoolean());
    }

    @Test
    void aPeerThatReadsNothingIsDroppedToo() throws Exception {
        final var greedy = connect();
        // requests whose answers it never reads, until the socket's buffers are full and the server's write blocks
        final var many = "{\"cmd\":\"status\"}\n".repeat(200_000);
        final var sending = CompletableFuture.runAsync(() -> {
            try {
                send(greedy, many);
            } catch (IOException e) {
                // the server closed it: what this test waits for
            }
        });
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            sending.get(10, TimeUnit.SECONDS);
        });
        assertTrue(ask("{\"cmd\":\"status\"}").get("ok").getAsBoolean());
    }
}
