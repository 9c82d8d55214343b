/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.serval.api.AccessPolicy;
import org.serval.api.LocalSecurityView;
import org.serval.api.LocalVlanView;
import org.serval.api.PasswordHash;
import org.serval.api.UserInfo;
import org.serval.api.VlanInfo;
import org.serval.dataplane.protocol.LeakCheck;
import org.serval.dataplane.protocol.Message;
import org.serval.dataplane.protocol.Wire;
import org.serval.dataplane.resolution.Frames;
import org.serval.dataplane.security.SealedChannel;
import org.serval.dataplane.security.ServerIdentity;
import org.serval.dataplane.security.ServerTrust;
import org.serval.dataplane.transport.TcpTransport;
import org.serval.dataplane.transport.UdpTransport;

/**
 * Revocation on real loopback sockets, TLS and sealed UDP alike: a changed password ends the password sessions
 * and the UDP sessions whose tickets a password got, a removed certificate ends the sessions it opened, and an
 * access-control change ends the memberships it no longer permits, while everything else carries on.
 */
@ExtendWith(LeakCheck.class)
class RevocationTest {
    private static final String NEW_PASSWORD = "changed";

    @TempDir
    Path dir;
    private final LocalVlanView view = new LocalVlanView();
    private final ViewRegistry registry = new ViewRegistry(view);
    private final LocalSecurityView security = TestUsers.view();
    private Dataplane dataplane;
    private ServerIdentity identity;
    private KeyManager[] clientKeys;
    private String clientFingerprint;
    private TcpTransport tcp;
    private UdpTransport udp;

    @BeforeEach
    void start() throws Exception {
        view.putVlan(new VlanInfo("red", 10, "", 256, false, null));
        view.putVlan(new VlanInfo("lobby", 11, "", 256, true, null));
        identity = ServerIdentity.loadOrCreate(dir.resolve("tls/serval.p12"), "secret".toCharArray());
        // Any key and certificate will do as a client's: another identity made the same way.
        final var clientStore = dir.resolve("client.p12");
        clientFingerprint = ServerIdentity.loadOrCreate(clientStore, "pw".toCharArray()).fingerprint();
        final var store = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(clientStore)) {
            store.load(in, "pw".toCharArray());
        }
        final var keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, "pw".toCharArray());
        clientKeys = keys.getKeyManagers();
        setUser(TestUsers.PASSWORD, Set.of(clientFingerprint));
        dataplane = new Dataplane(DataplaneSettings.defaults("n1"), view, registry, TestUsers.gatekeeper(security));
        tcp = TcpTransport.start(dataplane, new InetSocketAddress("127.0.0.1", 0), 1, identity.serverContext());
        udp = UdpTransport.start(dataplane, new InetSocketAddress("127.0.0.1", 0), 1, 16, true);
    }

    @AfterEach
    void stop() {
        tcp.close();
        udp.close();
    }

    private void setUser(final String password, final Set<String> certificates) {
        security.putUser(new UserInfo(TestUsers.USER, PasswordHash.hash(password.toCharArray(), 1000), true,
            Set.of(), 10_000, 16, certificates));
    }

    private SSLSocket tls(final boolean withCertificate) throws Exception {
        final var context = SSLContext.getInstance("TLSv1.3");
        context.init(withCertificate ? clientKeys : null,
            new TrustManager[] { ServerTrust.pinned(identity.fingerprint()) }, null);
        final var socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1",
            tcp.localAddress().getPort());
        socket.setSoTimeout(5000);
        socket.startHandshake();
        return socket;
    }

    private static Message read(final SSLSocket socket) throws IOException {
        final var in = new DataInputStream(socket.getInputStream());
        final var message = new byte[2048];
        in.readFully(message, 0, 4);
        final int length = (message[2] & 0xff) << 8 | message[3] & 0xff;
        in.readFully(message, 4, length);
        return Wire.decode(message, 4 + length);
    }

    private void eventually(final String what, final BooleanSupplier condition) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting until " + what + "; " + registry.events);
            Thread.sleep(5);
        }
    }

    private static void write(final SSLSocket socket, final Message message) throws IOException {
        socket.getOutputStream().write(Wire.bytes(message));
    }

    /**
     * A TLS session logged in by password (or by the client certificate) and welcomed; NODES may follow.
     */
    private SSLSocket session(final String id, final boolean byCertificate) throws Exception {
        final var socket = tls(byCertificate);
        write(socket, byCertificate
            ? new Message.Hello(1, id, 0, TestUsers.USER, Message.Hello.AUTH_CERTIFICATE, "")
            : TestUsers.hello(id));
        assertInstanceOf(Message.Welcome.class, read(socket));
        return socket;
    }

    private static int join(final SSLSocket socket, final long mac, final String vlan) throws IOException {
        write(socket, new Message.Join(mac, mac, vlan));
        return assertInstanceOf(Message.Joined.class, read(socket)).vlanRef();
    }

    private static void assertAlive(final SSLSocket socket, final String what) throws IOException {
        write(socket, new Message.Keepalive(7));
        assertEquals(new Message.KeepaliveAck(7), read(socket), what);
    }

    private static void assertEnded(final SSLSocket socket, final String what) throws IOException {
        assertEquals(new Message.Bye(0), read(socket), what);
        assertThrows(EOFException.class, () -> read(socket), what + ": the connection is closed");
    }

    private Message.Ticket ticket(final String clientId) throws Exception {
        try (var socket = tls(false)) {
            write(socket, new Message.Hello(1, clientId, Message.Hello.TICKET, TestUsers.USER,
                Message.Hello.AUTH_PASSWORD, TestUsers.PASSWORD));
            return assertInstanceOf(Message.Ticket.class, read(socket));
        }
    }

    /**
     * A sealed UDP client whose ticket a password login got.
     */
    private final class UdpClient implements AutoCloseable {
        final DatagramSocket socket;
        final SealedChannel seal;

        UdpClient(final Message.Ticket ticket) throws IOException {
            seal = new SealedChannel(ticket.session(), ticket.clientKey(), ticket.serverKey(), Long.MAX_VALUE,
                Long.MAX_VALUE);
            socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
            socket.setSoTimeout(5000);
            socket.connect(udp.localAddress());
        }

        void send(final Message message) throws IOException {
            final var sealed = seal.seal(ByteBufAllocator.DEFAULT, Unpooled.wrappedBuffer(Wire.bytes(message)));
            try {
                final var bytes = ByteBufUtil.getBytes(sealed);
                socket.send(new DatagramPacket(bytes, bytes.length));
            } finally {
                sealed.release();
            }
        }

        /**
         * The next message that is not a node list.
         */
        Message receive() throws IOException {
            while (true) {
                final var packet = new DatagramPacket(new byte[4096], 4096);
                socket.receive(packet);
                final var plain = seal.open(ByteBufAllocator.DEFAULT, Unpooled.wrappedBuffer(packet.getData(), 0,
                    packet.getLength()));
                final Message message;
                try {
                    message = Wire.decode(ByteBufUtil.getBytes(plain), plain.readableBytes());
                } finally {
                    plain.release();
                }
                if (!(message instanceof Message.Nodes)) {
                    return message;
                }
            }
        }

        void hello(final String id) throws IOException {
            send(new Message.Hello(1, id, 0, "", Message.Hello.AUTH_TICKET, ""));
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    @Test
    void aChangedPasswordEndsThePasswordSessionsAndTheirTicketsButNotTheCertificates() throws Exception {
        try (var byPassword = session("pw-client", false); var byCertificate = session("cert-client", true);
                var overUdp = new UdpClient(ticket("udp-client"))) {
            overUdp.hello("udp-client");
            assertInstanceOf(Message.Welcome.class, overUdp.receive());
            assertTrue(view.isKnownClient("udp-client"));

            setUser(NEW_PASSWORD, Set.of(clientFingerprint));
            assertEquals(2, dataplane.userChanged(TestUsers.USER));

            assertEnded(byPassword, "the password session");
            assertEquals(new Message.Bye(0), overUdp.receive(), "the UDP session whose ticket the password got");
            assertAlive(byCertificate, "the certificate session");
            eventually("both left the registry",
                () -> registry.events.contains("disconnected pw-client administrative")
                    && registry.events.contains("disconnected udp-client administrative"));
            assertFalse(view.isKnownClient("udp-client"));

            setUser(NEW_PASSWORD, Set.of());
            assertEquals(1, dataplane.userChanged(TestUsers.USER));
            assertEnded(byCertificate, "the session its removed certificate opened");
        }
        try (var again = tls(false)) {
            write(again, TestUsers.hello("pw-client"));
            assertEquals(Message.Error.AUTH_FAILED, assertInstanceOf(Message.Error.class, read(again)).code(),
                "the old password no longer logs in");
        }
    }

    @Test
    void aTicketWhosePasswordChangedWhileItWaitedOpensNoSession() throws Exception {
        final var ticket = ticket("late");
        setUser(NEW_PASSWORD, Set.of());
        assertEquals(0, dataplane.userChanged(TestUsers.USER), "nothing is connected yet");
        try (var client = new UdpClient(ticket)) {
            client.hello("late");
            assertEquals(new Message.Bye(0), client.receive(), "the session ends as it starts");
        }
        eventually("late left the registry", () -> registry.events.contains("disconnected late administrative"));
    }

    @Test
    void anAccessControlChangeEndsTheMembershipsItNoLongerPermits() throws Exception {
        try (var alice = session("alice", false); var bob = session("bob", false)) {
            final int red = join(alice, 0x020000000001L, "red");
            join(bob, 0x020000000002L, "red");
            join(bob, 0x020000000003L, "lobby");
            assertEquals(Set.of("alice", "bob"), view.members("red"));

            security.setPolicy(AccessPolicy.DEFAULT);
            assertEquals(2, dataplane.recheckMemberships(user -> true), "red is not open: both memberships end");

            eventually("red has no members", () -> view.members("red").isEmpty());
            assertEquals(Set.of("lobby"), view.vlansOf("bob"), "an open VLAN is still permitted");
            write(alice, new Message.Data(red, Frames.plain(0xFFFFFFFFFFFFL, 0x020000000001L, 0x0800)));
            bob.setSoTimeout(300);
            assertThrows(SocketTimeoutException.class, () -> read(bob), "no frame crosses an ended membership");
            bob.setSoTimeout(5000);
            assertAlive(alice, "the session itself stays");
            assertAlive(bob, "the session itself stays");
            write(alice, new Message.Join(9, 0x020000000001L, "red"));
            assertEquals(Message.Error.DENIED, assertInstanceOf(Message.Error.class, read(alice)).code());
        }
    }
}
