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
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.serval.api.LocalVlanView;
import org.serval.api.VlanInfo;
import org.serval.dataplane.protocol.LeakCheck;
import org.serval.dataplane.protocol.Message;
import org.serval.dataplane.protocol.Wire;
import org.serval.dataplane.resolution.Frames;
import org.serval.dataplane.session.Dataplane;
import org.serval.dataplane.session.DataplaneSettings;
import org.serval.dataplane.session.TestUsers;
import org.serval.dataplane.session.ViewRegistry;

/**
 * The UDP listener on loopback with real datagram sockets: sessions per address, frames between UDP and TCP
 * clients of one VLAN, retransmitted requests, hostile datagrams, and expiry by silence.
 */
@ExtendWith(LeakCheck.class)
class UdpTransportTest {
    private final LocalVlanView view = new LocalVlanView();
    private final ViewRegistry registry = new ViewRegistry(view);
    private Dataplane dataplane;
    private UdpTransport udp;
    private TcpTransport tcp;

    private void start(final DataplaneSettings settings) throws InterruptedException {
        view.putVlan(new VlanInfo("red", 10, "", 256, false, null));
        dataplane = new Dataplane(settings, view, registry, TestUsers.gatekeeper());
        udp = UdpTransport.start(dataplane, new InetSocketAddress("127.0.0.1", 0), 2, 4, false);
        tcp = TcpTransport.start(dataplane, new InetSocketAddress("127.0.0.1", 0), 1, null);
    }

    @AfterEach
    void stop() {
        if (udp != null) {
            udp.close();
            tcp.close();
        }
    }

    private final class Client implements AutoCloseable {
        final DatagramSocket socket;

        Client() throws IOException {
            socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
            socket.setSoTimeout(3000);
            socket.connect(udp.localAddress());
        }

        void send(final Message message) throws IOException {
            sendRaw(Wire.bytes(message));
        }

        void sendRaw(final byte[] datagram) throws IOException {
            socket.send(new DatagramPacket(datagram, datagram.length));
        }

        Message receive() throws IOException {
            final var packet = new DatagramPacket(new byte[4096], 4096);
            socket.receive(packet);
            return Wire.decode(packet.getData(), packet.getLength());
        }

        Message.Joined hello(final String id) throws IOException {
            send(TestUsers.hello(id));
            assertInstanceOf(Message.Welcome.class, receive());
            send(new Message.Join(1, 0x020000000000L + id.hashCode() % 1000 + 1, "red"));
            return assertInstanceOf(Message.Joined.class, receive());
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    private static Message.Data frame(final int vlanRef, final long dst, final long src) {
        return new Message.Data(vlanRef, Frames.plain(dst, src, 0x0800));
    }

    @Test
    void udpAndTcpClientsShareAVlan() throws Exception {
        start(DataplaneSettings.defaults("n1"));
        try (var alice = new Client(); var bob = new Client()) {
            final int aliceRef = alice.hello("alice").vlanRef();
            final int bobRef = bob.hello("bob").vlanRef();
            alice.send(frame(aliceRef, 0xFFFFFFFFFFFFL, 0x02000000000AL));
            final var atBob = assertInstanceOf(Message.Data.class, bob.receive());
            assertEquals(60, atBob.content().readableBytes());
            atBob.release();
            bob.send(frame(bobRef, 0x02000000000AL, 0x02000000000BL));
            final var atAlice = assertInstanceOf(Message.Data.class, alice.receive());
            assertEquals(0x02000000000AL, atAlice.content().getUnsignedInt(2) | (long)
                atAlice.content().getUnsignedShort(0) << 32, "the learned unicast reached alice");
            atAlice.release();
            assertTrue(registry.events.contains("connected alice"), registry.events.toString());
        }
    }

    @Test
    void retransmittedRequestsGetTheSameAnswers() throws Exception {
        start(DataplaneSettings.defaults("n1"));
        try (var alice = new Client()) {
            final var joined = alice.hello("alice");
            alice.send(TestUsers.hello("alice"));
            assertEquals(new Message.Welcome(1, "n1", 5000, 3, 1400), alice.receive());
            alice.send(new Message.Join(9, 0x020000000001L, "red"));
            assertEquals(new Message.Joined(9, joined.vlanRef(), "red"), alice.receive());
        }
    }

    @Test
    void hostileDatagramsAreDroppedAndTheSessionCarriesOn() throws Exception {
        start(DataplaneSettings.defaults("n1"));
        try (var alice = new Client(); var stranger = new Client()) {
            alice.hello("alice");
            // garbage, a header claiming more than is there, an oversize datagram, a frame shorter than Ethernet's
            alice.sendRaw(HexFormat.of().parseHex("deadbeef"));
            alice.sendRaw(HexFormat.of().parseHex("0110ffff0001"));
            alice.sendRaw(new byte[3000]);
            alice.sendRaw(HexFormat.of().parseHex("011000040001ffff"));
            alice.send(new Message.Keepalive(5));
            assertEquals(new Message.KeepaliveAck(5), alice.receive(), "nothing answered the junk; alice carries on");

            // an address without a session: its frames vanish, its keepalive is told the session is unknown
            stranger.send(frame(1, 0xFFFFFFFFFFFFL, 0x02000000000CL));
            stranger.send(new Message.Keepalive(1));
            assertEquals(new Message.Bye(DatagramPeers.BYE_UNKNOWN_SESSION), stranger.receive());
            assertTrue(registry.events.stream().noneMatch(event -> event.startsWith("connected stranger")));
        }
    }

    @Test
    void aSocketHoldsOnlySoManyClients() throws Exception {
        start(DataplaneSettings.defaults("n1"));
        // maxPeers is 4 per socket and the kernel may put all of these on one socket: at least 8 - 4 * 2 fit
        final var clients = new java.util.ArrayList<Client>();
        try {
            int refused = 0;
            for (int i = 0; i < 10; i++) {
                final var client = new Client();
                clients.add(client);
                client.send(TestUsers.hello("c" + i));
                if (client.receive() instanceof Message.Error error) {
                    assertEquals(Message.Error.LIMIT, error.code());
                    refused++;
                }
            }
            assertTrue(refused >= 2, "10 clients on 2 sockets of 4: " + refused + " refused");
        } finally {
            clients.forEach(Client::close);
        }
    }

    @Test
    void aSilentClientExpires() throws Exception {
        start(new DataplaneSettings("n1", 100, 2, 1400, 64, 8, 300, true));
        try (var alice = new Client()) {
            alice.hello("alice");
            final long deadline = System.nanoTime() + 3_000_000_000L;
            while (!registry.events.contains("disconnected alice expired") && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(registry.events.contains("disconnected alice expired"), registry.events.toString());
            alice.send(new Message.Keepalive(2));
            assertEquals(new Message.Bye(DatagramPeers.BYE_UNKNOWN_SESSION), alice.receive());
            alice.socket.setSoTimeout(200);
            assertThrows(SocketTimeoutException.class, alice::receive, "nothing more");
        }
    }
}
