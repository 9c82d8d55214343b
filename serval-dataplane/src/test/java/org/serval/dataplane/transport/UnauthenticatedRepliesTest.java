/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.serval.api.LocalVlanView;
import org.serval.api.NodeInfo;
import org.serval.api.VlanInfo;
import org.serval.dataplane.protocol.LeakCheck;
import org.serval.dataplane.protocol.Message;
import org.serval.dataplane.protocol.Wire;
import org.serval.dataplane.security.SealedChannel;
import org.serval.dataplane.session.Dataplane;
import org.serval.dataplane.session.DataplaneSettings;
import org.serval.dataplane.session.TestUsers;
import org.serval.dataplane.session.ViewRegistry;

/**
 * No answer to a source that has not authenticated is larger than the datagram it answers, so that a spoofed source
 * address (a victim's) gains no amplification: every message type of the protocol's vectors, the refused ones, and
 * HELLOs that fail in every way, each from a socket of its own, plaintext and sealed.
 */
@ExtendWith(LeakCheck.class)
class UnauthenticatedRepliesTest {
    // A 12-byte HELLO without credentials: its ERROR's text alone is longer.
    private static final Message.Hello SHORT_HELLO = new Message.Hello(1, "c", 0, "", Message.Hello.AUTH_NONE, "");

    private final LocalVlanView view = new LocalVlanView();
    private UdpTransport udp;

    @AfterEach
    void stop() {
        if (udp != null) {
            udp.close();
        }
    }

    private static Map<String, byte[]> requests() throws IOException {
        final var requests = new LinkedHashMap<String, byte[]>();
        try (InputStream in = UnauthenticatedRepliesTest.class.getResourceAsStream("/protocol-vectors.txt")) {
            for (var line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    final var parts = line.trim().split("\\s+", 2);
                    requests.put(parts[0], HexFormat.of().parseHex(parts[1].replace(" ", "")));
                }
            }
        }
        requests.put("short-hello", Wire.bytes(SHORT_HELLO));
        requests.put("shortest-hello", Wire.bytes(new Message.Hello(1, "", 0, "", Message.Hello.AUTH_NONE, "")));
        requests.put("wrong-password", Wire.bytes(TestUsers.hello("c2", TestUsers.USER, "wrong")));
        requests.put("unknown-user", Wire.bytes(TestUsers.hello("c3", "nobody", "pw")));
        requests.put("ticket-hello", Wire.bytes(new Message.Hello(1, "c4", Message.Hello.TICKET, "",
            Message.Hello.AUTH_TICKET, "")));
        requests.put("no-version", Wire.bytes(new Message.Hello(0, "c5", 0, "x", Message.Hello.AUTH_PASSWORD, "y")));
        final var forged = new byte[SealedChannel.OVERHEAD + 8];
        forged[0] = (byte) SealedChannel.MARKER;
        forged[4] = 42;
        requests.put("forged-sealed", forged);
        final var forgedPath = forged.clone();
        forgedPath[0] = (byte) (SealedChannel.MARKER | SealedChannel.PATH);
        requests.put("forged-path", forgedPath);
        return requests;
    }

    /**
     * Sends each request from a socket of its own and collects the sizes of the answers, until every name in
     * {@code awaited} has one and then nothing came for a while.
     */
    private Map<String, List<Integer>> exchange(final Map<String, byte[]> requests, final Set<String> awaited)
            throws IOException {
        final var replies = new LinkedHashMap<String, List<Integer>>();
        final var channels = new ArrayList<DatagramChannel>();
        try (var selector = Selector.open()) {
            for (var request : requests.entrySet()) {
                final var channel = DatagramChannel.open();
                channels.add(channel);
                channel.bind(new InetSocketAddress("127.0.0.1", 0)).connect(udp.localAddress())
                    .configureBlocking(false);
                channel.register(selector, SelectionKey.OP_READ, request.getKey());
                replies.put(request.getKey(), new ArrayList<>());
                channel.write(ByteBuffer.wrap(request.getValue()));
            }
            final var buffer = ByteBuffer.allocate(4096);
            final long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            long quietUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
            while (System.nanoTime() - giveUp < 0 && (System.nanoTime() - quietUntil < 0
                    || awaited.stream().anyMatch(name -> replies.get(name).isEmpty()))) {
                if (selector.select(50) == 0) {
                    continue;
                }
                for (var key : selector.selectedKeys()) {
                    final var channel = (DatagramChannel) key.channel();
                    int read;
                    while ((read = channel.read(buffer.clear())) > 0) {
                        replies.get((String) key.attachment()).add(read);
                    }
                }
                selector.selectedKeys().clear();
                quietUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
            }
        } finally {
            for (var channel : channels) {
                channel.close();
            }
        }
        return replies;
    }

    private static void assertNoAmplification(final Map<String, byte[]> requests,
            final Map<String, List<Integer>> replies) {
        for (var entry : replies.entrySet()) {
            final int asked = requests.get(entry.getKey()).length;
            final int answered = entry.getValue().stream().mapToInt(Integer::intValue).sum();
            assertTrue(answered <= asked, entry.getKey() + ": " + asked + " bytes got answers of " + entry.getValue());
        }
    }

    @Test
    void plaintextAnswersAreNoLargerThanTheirQuestions() throws Exception {
        view.putVlan(new VlanInfo("red", 10, "", 256, false, null));
        final var dataplane = new Dataplane(DataplaneSettings.defaults("n1"), view, new ViewRegistry(view),
            TestUsers.gatekeeper());
        udp = UdpTransport.start(dataplane, new InetSocketAddress("127.0.0.1", 0), 2, 64, false);
        final var requests = requests();
        assertEquals(12, requests.get("short-hello").length);
        final var replies = exchange(requests, Set.of("short-hello", "wrong-password", "keepalive"));
        assertNoAmplification(requests, replies);
        // What still fits is still said: the refusal's code without its text, and BYE to a stray keepalive.
        assertEquals(List.of(12), replies.get("short-hello"));
        assertEquals(List.of(12), replies.get("wrong-password"));
        assertEquals(List.of(5), replies.get("keepalive"));
    }

    @Test
    void sealedAnswersNothingUnauthenticated() throws Exception {
        view.putVlan(new VlanInfo("red", 10, "", 256, false, null));
        final var dataplane = new Dataplane(DataplaneSettings.defaults("n1"), view, new ViewRegistry(view),
            TestUsers.gatekeeper());
        udp = UdpTransport.start(dataplane, new InetSocketAddress("127.0.0.1", 0), 2, 64, true);
        final var requests = requests();
        final var replies = exchange(requests, Set.of());
        assertNoAmplification(requests, replies);
        replies.forEach((name, sizes) -> assertEquals(List.of(), sizes, name));
    }

    @Test
    void aClientThatLoggedInAtAFullNodeStillHearsWhereToGo() throws Exception {
        view.putVlan(new VlanInfo("red", 10, "", 256, false, null));
        final var settings = new DataplaneSettings("n1", 5000, 3, 1400, 8192, 256, 300, true, 1);
        final var dataplane = new Dataplane(settings, view, new ViewRegistry(view), TestUsers.gatekeeper());
        udp = UdpTransport.start(dataplane, new InetSocketAddress("127.0.0.1", 0), 1, 64, false);
        try (var alice = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
                var bob = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
                var carol = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            // two clients over the soft limit of one, then a lighter node appears
            for (var socket : List.of(alice, bob, carol)) {
                socket.connect(udp.localAddress());
                socket.setSoTimeout(5000);
            }
            send(alice, TestUsers.hello("alice"));
            assertInstanceOf(Message.Welcome.class, receive(alice));
            send(bob, TestUsers.hello("bob"));
            assertInstanceOf(Message.Welcome.class, receive(bob));
            dataplane.nodesChanged(List.of(
                new NodeInfo("n1", List.of(new NodeInfo.Endpoint("udp", "10.0.0.1", 4000)), null, null, 2, 50),
                new NodeInfo("n2", List.of(new NodeInfo.Endpoint("udp", "10.0.0.2", 4000)), null, null, 0, 5)));
            send(carol, TestUsers.hello("carol"));
            // authenticated, so answered in full although larger than the HELLO
            assertInstanceOf(Message.Nodes.class, receive(carol));
            assertEquals(new Message.Error(0, Message.Error.MOVED, "n2"), receive(carol));
        }
    }

    private static void send(final DatagramSocket socket, final Message message) throws IOException {
        final var bytes = Wire.bytes(message);
        socket.send(new DatagramPacket(bytes, bytes.length));
    }

    private static Message receive(final DatagramSocket socket) throws IOException {
        final var packet = new DatagramPacket(new byte[4096], 4096);
        socket.receive(packet);
        return Wire.decode(packet.getData(), packet.getLength());
    }
}
