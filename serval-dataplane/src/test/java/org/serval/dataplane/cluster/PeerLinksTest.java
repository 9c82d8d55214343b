/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.util.ReferenceCountUtil;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.serval.api.LocalNodeView;
import org.serval.api.LocalVlanView;
import org.serval.api.NodeInfo;
import org.serval.api.VlanInfo;
import org.serval.dataplane.Bounds;
import org.serval.dataplane.ethernet.Offload;
import org.serval.dataplane.ethernet.SuperFrames;
import org.serval.dataplane.protocol.LeakCheck;
import org.serval.dataplane.protocol.Message;
import org.serval.dataplane.protocol.MessageCodec;
import org.serval.dataplane.protocol.Wire;
import org.serval.dataplane.resolution.Frames;
import org.serval.dataplane.security.ServerIdentity;
import org.serval.dataplane.session.Dataplane;
import org.serval.dataplane.session.DataplaneSettings;
import org.serval.dataplane.session.TestUsers;
import org.serval.dataplane.session.ViewRegistry;
import org.serval.dataplane.transport.SocketProbe;
import org.serval.dataplane.transport.TcpTransport;

/**
 * Two nodes in one JVM, linked over real sockets with TLS and their own certificates, each with clients on a real
 * (plaintext) TCP listener: frames cross between them only for VLANs both have members in, a node whose
 * certificate is not the one the node list gives is refused, and a lost link leaves no port behind.
 */
@ExtendWith(LeakCheck.class)
class PeerLinksTest {
    private static final long MAC_A = 0x02000000000AL;
    private static final long MAC_B = 0x02000000000BL;

    @TempDir
    Path dir;

    private final List<AutoCloseable> open = new ArrayList<>();

    /**
     * One node: its views, dataplane, client listener, certificate and node links.
     */
    private final class Node {
        final String id;
        final LocalVlanView view = new LocalVlanView();
        final LocalNodeView nodes = new LocalNodeView();
        final Dataplane dataplane;
        final TcpTransport clients;
        final ServerIdentity identity;
        final PeerLinks links;
        final List<String> lost = new CopyOnWriteArrayList<>();

        Node(final String id) throws Exception {
            this.id = id;
            for (var vlan : List.of("red", "blue", "green")) {
                view.putVlan(new VlanInfo(vlan, 0, "", 256, true, null));
            }
            dataplane = new Dataplane(DataplaneSettings.defaults(id), view, new ViewRegistry(view),
                TestUsers.gatekeeper());
            clients = TcpTransport.start(dataplane, new InetSocketAddress("127.0.0.1", 0), 1, null);
            identity = ServerIdentity.loadOrCreate(dir.resolve(id + ".p12"), "pw".toCharArray());
            links = PeerLinks.start(dataplane, nodes, identity, lost::add, new InetSocketAddress("127.0.0.1", 0), 1);
            open.add(links);
            open.add(clients);
        }

        NodeInfo info(final String fingerprint) {
            return new NodeInfo(id, List.of(), new NodeInfo.Endpoint("peer", "127.0.0.1",
                links.localAddress().getPort()), fingerprint, 0, 0);
        }
    }

    /**
     * A client on a raw socket.
     */
    private static final class Client implements AutoCloseable {
        final Socket socket;
        final DataInputStream in;

        Client(final Node node, final String id) throws IOException {
            this(node, id, 0);
        }

        /**
         * A client whose HELLO has these flags ({@link Message.Hello#OFFLOAD}).
         */
        Client(final Node node, final String id, final int flags) throws IOException {
            socket = new Socket("127.0.0.1", node.clients.localAddress().getPort());
            socket.setSoTimeout(3000);
            in = new DataInputStream(socket.getInputStream());
            send(new Message.Hello(1, id, flags, TestUsers.USER, Message.Hello.AUTH_PASSWORD, TestUsers.PASSWORD));
            assertInstanceOf(Message.Welcome.class, receive());
        }

        int join(final String vlan, final long mac) throws IOException {
            send(new Message.Join(1, mac, vlan));
            return assertInstanceOf(Message.Joined.class, receive()).vlanRef();
        }

        void send(final Message message) throws IOException {
            socket.getOutputStream().write(Wire.bytes(message));
        }

        Message receive() throws IOException {
            final var message = read();
            if (message instanceof Message.Data data) {
                data.release();
            }
            return message;
        }

        /**
         * What the next message is, in words (a Data message's length and offload header).
         */
        String receiveText() throws IOException {
            // decoded here rather than by Wire.decode, whose copy of a Data message leaves its offload header out
            final var bytes = Unpooled.wrappedBuffer(bytes());
            try {
                final var message = MessageCodec.decode(bytes);
                final var text = message.toString();
                ReferenceCountUtil.release(message);
                return text;
            } finally {
                bytes.release();
            }
        }

        private Message read() throws IOException {
            final var whole = bytes();
            return Wire.decode(whole, whole.length);
        }

        private byte[] bytes() throws IOException {
            final var header = new byte[4];
            in.readFully(header);
            final var body = new byte[(header[2] & 0xff) << 8 | header[3] & 0xff];
            in.readFully(body);
            final var whole = new byte[4 + body.length];
            System.arraycopy(header, 0, whole, 0, 4);
            System.arraycopy(body, 0, whole, 4, body.length);
            return whole;
        }

        /**
         * Whether anything arrives within a while.
         */
        boolean silent() throws IOException {
            socket.setSoTimeout(500);
            try {
                receive();
                return false;
            } catch (SocketTimeoutException e) {
                return true;
            } finally {
                socket.setSoTimeout(3000);
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    @AfterEach
    void close() throws Exception {
        for (var closeable : open.reversed()) {
            closeable.close();
        }
    }

    private static void await(final BooleanSupplier condition, final String what) throws InterruptedException {
        final long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "not within 10 s: " + what);
            Thread.sleep(20);
        }
    }

    private static void know(final Node node, final NodeInfo... infos) {
        for (var info : infos) {
            node.nodes.put(info);
        }
    }

    @Test
    void framesCrossNodesForVlansWithMembersOnBoth() throws Exception {
        final var na = new Node("na");
        final var nb = new Node("nb");
        final var infoA = na.info(na.identity.fingerprint());
        final var infoB = nb.info(nb.identity.fingerprint());
        know(na, infoA, infoB);
        know(nb, infoA, infoB);
        await(() -> na.links.linkedPeers().equals(Set.of("nb")) && nb.links.linkedPeers().equals(Set.of("na")),
            "the two nodes linked");

        try (var alice = new Client(na, "alice"); var bob = new Client(nb, "bob");
             var bea = new Client(nb, "bea")) {
            final int aliceRed = alice.join("red", MAC_A);
            final int aliceGreen = alice.join("green", MAC_A + 1);
            final int bobRed = bob.join("red", MAC_B);
            bea.join("blue", MAC_B + 1);
            // the interests cross the link: each red switch gets the other node's port
            await(() -> na.dataplane.switchFor("red").memberCount() == 2
                && nb.dataplane.switchFor("red").memberCount() == 2, "red has a port for the other node");

            alice.send(new Message.Data(aliceRed, Frames.plain(Frames.BROADCAST, MAC_A, 0x0806)));
            final var got = assertInstanceOf(Message.Data.class, bob.receive());
            assertEquals(bobRed, got.vlanRef());
            assertTrue(bea.silent(), "blue's member on the other node got red's broadcast");
            // bob's MAC was announced when he joined: a unicast to it goes to his node without flooding
            bob.send(new Message.Data(bobRed, Frames.plain(MAC_A, MAC_B, 0x0800)));
            assertEquals(aliceRed, assertInstanceOf(Message.Data.class, alice.receive()).vlanRef());

            // green has members on na only: its frames never go to nb
            alice.send(new Message.Data(aliceGreen, Frames.plain(Frames.BROADCAST, MAC_A + 1, 0x0806)));
            Thread.sleep(300);
            assertEquals(0, nb.dataplane.switchFor("green").floodedFrames(),
                "green was sent to a node without members");
            assertEquals(1, na.dataplane.switchFor("green").floodedFrames());
        }
        // the clients left: so did the interest, on the other node
        await(() -> nb.dataplane.switchFor("red").memberCount() == 0, "na's port left nb's red switch");
    }

    /**
     * A TCP super-frame from a client that offloads crosses the node link as one FRAME_OFFLOAD, reaches a client
     * of the other node that offloads whole, and is cut only for the one that does not.
     */
    @Test
    void aSuperFrameCrossesTheNodeLinkWholeAndIsCutOnlyForAClientThatCannotTakeIt() throws Exception {
        final var na = new Node("na");
        final var nb = new Node("nb");
        final var infoA = na.info(na.identity.fingerprint());
        final var infoB = nb.info(nb.identity.fingerprint());
        know(na, infoA, infoB);
        know(nb, infoA, infoB);
        await(() -> na.links.linkedPeers().equals(Set.of("nb")), "the two nodes linked");

        try (var alice = new Client(na, "alice", Message.Hello.OFFLOAD);
             var bob = new Client(nb, "bob", Message.Hello.OFFLOAD); var carol = new Client(nb, "carol")) {
            // the super-frame is from 02:00:00:00:00:01 to 02:00:00:00:00:02, whom nobody announced: flooded
            final int aliceRed = alice.join("red", 0x020000000001L);
            bob.join("red", MAC_B);
            carol.join("red", MAC_B + 1);
            await(() -> na.dataplane.switchFor("red").memberCount() == 2
                && nb.dataplane.switchFor("red").memberCount() == 3, "red has a port for the other node");

            final var offload = new Offload(Offload.NEEDS_CSUM, Offload.GSO_TCPV4, 54, 1448, 34, 16);
            alice.send(new Message.Data(aliceRed, SuperFrames.tcp(true, new byte[10_000], 0x18), offload));
            assertEquals("Data[vlanRef=1, 10054 bytes, " + offload + "]", bob.receiveText(),
                "whole, to a client that offloads");
            final var cut = new ArrayList<String>();
            for (int i = 0; i < 7; i++) {
                cut.add(carol.receiveText());
            }
            assertEquals("Data[vlanRef=1, 1502 bytes]", cut.get(0), "cut to one that does not: " + cut);
            assertEquals("Data[vlanRef=1, 1366 bytes]", cut.get(6));
            assertTrue(carol.silent());
            assertEquals(10_054, na.links.linkTraffic().get("nb").sentOctets(), "one frame crossed the link");
        }
    }

    @Test
    void aStrangerAtTheNodeLinkPortGetsFewConnectionsForTwoSeconds() throws Exception {
        final var na = new Node("na");
        final int port = na.links.localAddress().getPort();
        final var admitted = new ArrayList<Socket>();
        try {
            for (int i = 0; i < Bounds.PEER_PER_ADDRESS; i++) {
                admitted.add(new Socket("127.0.0.1", port));
            }
            try (var extra = new Socket("127.0.0.1", port)) {
                assertTrue(SocketProbe.closedWithin(extra, 1000), "one more from the same address is closed at once");
            }
            // A handshake record announcing 16 KB, then a byte every 500 ms: bytes that make no whole message do not
            // count as reading, so the idle check closes it as if it were silent.
            final var trickler = admitted.get(0);
            final var out = trickler.getOutputStream();
            out.write(new byte[] {0x16, 3, 1, 0x40, 0});
            final long start = System.nanoTime();
            boolean closed = false;
            while (!closed && System.nanoTime() - start < 5 * NodeLink.DEAD_MILLIS * 1_000_000) {
                try {
                    out.write(0);
                    out.flush();
                    closed = SocketProbe.closedWithin(trickler, 500);
                } catch (SocketException e) {
                    closed = true;
                }
            }
            final long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(closed, "a trickled handshake is closed");
            assertTrue(millis < NodeLink.DEAD_MILLIS + 1500, "a trickle does not extend the idle check: " + millis);
            for (var socket : admitted) {
                assertTrue(SocketProbe.closedWithin(socket, 1000), "the silent ones are gone too");
            }
            // the places are free again
            try (var again = new Socket("127.0.0.1", port)) {
                assertFalse(SocketProbe.closedWithin(again, 500), "admitted once the others closed");
            }
        } finally {
            for (var socket : admitted) {
                socket.close();
            }
        }
    }

    @Test
    void aNodeWithAnotherCertificateIsRefusedAndALostLinkLeavesNoPort() throws Exception {
        final var na = new Node("na");
        final var nb = new Node("nb");
        final var infoB = nb.info(nb.identity.fingerprint());
        // nb's node list gives na a certificate na does not have
        know(nb, na.info("00".repeat(32)), infoB);
        know(na, na.info(na.identity.fingerprint()), infoB);
        Thread.sleep(2500);
        assertEquals(Set.of(), nb.links.linkedPeers(), "nb accepted a node presenting another certificate");
        assertEquals(Set.of(), na.links.linkedPeers());

        know(nb, na.info(na.identity.fingerprint()));
        await(() -> nb.links.linkedPeers().equals(Set.of("na")), "linked once the list is right");
        try (var bob = new Client(nb, "bob")) {
            bob.join("red", MAC_B);
            await(() -> na.dataplane.switchFor("red").memberCount() == 1, "nb's port in na's red switch");
            nb.links.close();
            await(() -> na.dataplane.switchFor("red").memberCount() == 0, "the lost link's port left the switch");
            await(() -> na.lost.equals(List.of("nb")), "na told that nb is gone");
        }
    }
}
