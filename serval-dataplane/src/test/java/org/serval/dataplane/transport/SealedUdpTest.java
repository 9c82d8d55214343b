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
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.util.ReferenceCountUtil;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Set;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.serval.api.LocalSecurityView;
import org.serval.api.LocalVlanView;
import org.serval.api.UserInfo;
import org.serval.api.VlanInfo;
import org.serval.dataplane.protocol.LeakCheck;
import org.serval.dataplane.protocol.Message;
import org.serval.dataplane.protocol.Wire;
import org.serval.dataplane.resolution.Frames;
import org.serval.dataplane.security.SealedChannel;
import org.serval.dataplane.security.ServerIdentity;
import org.serval.dataplane.security.ServerTrust;
import org.serval.dataplane.session.Dataplane;
import org.serval.dataplane.session.DataplaneSettings;
import org.serval.dataplane.session.TestUsers;
import org.serval.dataplane.session.ViewRegistry;

/**
 * The encrypted transports on real loopback sockets: TLS 1.3 with a certificate made on the spot, and sealed UDP
 * sessions keyed by tickets fetched over it.
 */
@ExtendWith(LeakCheck.class)
class SealedUdpTest {
    @TempDir
    Path dir;
    private final LocalVlanView view = new LocalVlanView();
    private final ViewRegistry registry = new ViewRegistry(view);
    private final LocalSecurityView security = TestUsers.view();
    private ServerIdentity identity;
    private TcpTransport tcp;
    private UdpTransport udp;

    @BeforeEach
    void start() throws Exception {
        view.putVlan(new VlanInfo("red", 10, "", 256, false, null));
        identity = ServerIdentity.loadOrCreate(dir.resolve("tls/serval.p12"), "secret".toCharArray());
        final var dataplane = new Dataplane(DataplaneSettings.defaults("n1"), view, registry,
            TestUsers.gatekeeper(security));
        tcp = TcpTransport.start(dataplane, new InetSocketAddress("127.0.0.1", 0), 1, identity.serverContext());
        udp = UdpTransport.start(dataplane, new InetSocketAddress("127.0.0.1", 0), 2, 16, true);
    }

    @AfterEach
    void stop() {
        tcp.close();
        udp.close();
    }

    private SSLSocket tls(final ServerTrust trust) throws Exception {
        return tls(trust, null);
    }

    private SSLSocket tls(final ServerTrust trust, final KeyManager[] keys) throws Exception {
        final var context = SSLContext.getInstance("TLSv1.3");
        context.init(keys, new TrustManager[] { trust }, null);
        final var socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1",
            tcp.localAddress().getPort());
        socket.setSoTimeout(5000);
        socket.startHandshake();
        return socket;
    }

    private Message.Ticket ticket(final String clientId) throws Exception {
        try (var socket = tls(ServerTrust.pinned(identity.fingerprint()))) {
            socket.getOutputStream().write(Wire.bytes(new Message.Hello(1, clientId, Message.Hello.TICKET,
                TestUsers.USER, Message.Hello.AUTH_PASSWORD, TestUsers.PASSWORD)));
            return assertInstanceOf(Message.Ticket.class, read(socket));
        }
    }

    /**
     * A client of a sealed session, sealing and opening by hand so that tests can tamper and replay.
     */
    private final class Client implements AutoCloseable {
        final DatagramSocket socket;
        final SealedChannel seal;
        byte[] lastSent;

        Client(final String id) throws Exception {
            final var ticket = ticket(id);
            seal = new SealedChannel(ticket.session(), ticket.clientKey(), ticket.serverKey(), Long.MAX_VALUE,
                Long.MAX_VALUE);
            socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
            socket.setSoTimeout(2000);
            socket.connect(udp.localAddress());
            send(new Message.Hello(1, id, 0, "", Message.Hello.AUTH_TICKET, ""));
            assertInstanceOf(Message.Welcome.class, receive());
        }

        byte[] sealed(final Message message) {
            final var sealed = seal.seal(ByteBufAllocator.DEFAULT, Unpooled.wrappedBuffer(Wire.bytes(message)));
            try {
                return ByteBufUtil.getBytes(sealed);
            } finally {
                sealed.release();
            }
        }

        void send(final Message message) throws IOException {
            lastSent = sealed(message);
            sendRaw(lastSent);
        }

        void sendRaw(final byte[] datagram) throws IOException {
            socket.send(new DatagramPacket(datagram, datagram.length));
        }

        Message receive() throws IOException {
            final var packet = new DatagramPacket(new byte[4096], 4096);
            socket.receive(packet);
            final var plain = seal.open(ByteBufAllocator.DEFAULT, Unpooled.wrappedBuffer(packet.getData(), 0,
                packet.getLength()));
            try {
                return Wire.decode(ByteBufUtil.getBytes(plain), plain.readableBytes());
            } finally {
                plain.release();
            }
        }

        int join() throws IOException {
            send(new Message.Join(1, 0x020000000000L + socket.getLocalPort(), "red"));
            return assertInstanceOf(Message.Joined.class, receive()).vlanRef();
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    private static Message.Data frame(final int vlanRef, final long src) {
        return new Message.Data(vlanRef, Frames.plain(0xFFFFFFFFFFFFL, src, 0x0800));
    }

    private static void assertNothing(final Client client, final String what) throws IOException {
        try {
            final var message = client.receive();
            final var text = message.toString();
            ReferenceCountUtil.release(message);
            fail("expected nothing after " + what + ", got " + text);
        } catch (SocketTimeoutException e) {
            // nothing came
        }
    }

    @Test
    void sealedClientsExchangeFramesAndRefuseTamperingAndReplays() throws Exception {
        try (var alice = new Client("alice"); var bob = new Client("bob")) {
            final int aliceRef = alice.join();
            bob.join();
            alice.send(frame(aliceRef, 0x02000000000AL));
            final var first = assertInstanceOf(Message.Data.class, bob.receive());
            assertEquals(60, first.content().readableBytes());
            first.release();

            final var sent = alice.lastSent.clone();
            alice.sendRaw(sent);
            assertNothing(bob, "a replay");

            final var tampered = alice.sealed(frame(aliceRef, 0x02000000000AL));
            tampered[tampered.length - 20] ^= 0x40;
            alice.sendRaw(tampered);
            assertNothing(bob, "a tampered datagram");

            alice.send(frame(aliceRef, 0x02000000000AL));
            final var after = assertInstanceOf(Message.Data.class, bob.receive(), "the session carries on");
            after.release();
            assertTrue(registry.events.contains("connected alice"), registry.events.toString());
        }
    }

    @Test
    void plaintextAndUnknownSessionsGetNothing() throws Exception {
        try (var socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            socket.setSoTimeout(1000);
            socket.connect(udp.localAddress());
            final var hello = Wire.bytes(TestUsers.hello("mallory"));
            socket.send(new DatagramPacket(hello, hello.length));
            final var forged = new byte[80];
            forged[0] = (byte) SealedChannel.MARKER;
            forged[4] = 42;
            socket.send(new DatagramPacket(forged, forged.length));
            assertThrows(SocketTimeoutException.class, () -> socket.receive(new DatagramPacket(new byte[64], 64)));
        }
        assertTrue(registry.events.isEmpty(), registry.events.toString());
    }

    @Test
    void aClientPinningAnotherCertificateRefusesTheServer() {
        final var wrong = "00".repeat(32);
        final var e = assertThrows(SSLHandshakeException.class, () -> tls(ServerTrust.pinned(wrong)).close());
        assertTrue(e.getMessage().contains("not the pinned sha256:" + wrong), e.getMessage());
        assertTrue(e.getMessage().contains(identity.fingerprint()), "it says what the server presented");
        final var unpinned = assertThrows(SSLHandshakeException.class, () -> tls(ServerTrust.nothing()).close());
        assertTrue(unpinned.getMessage().contains("pin it with --pin"), unpinned.getMessage());
    }

    @Test
    void theCertificateIsKeptAcrossRestarts() throws Exception {
        final var again = ServerIdentity.loadOrCreate(dir.resolve("tls/serval.p12"), "secret".toCharArray());
        assertEquals(identity.fingerprint(), again.fingerprint());
    }

    @Test
    void aClientCertificateListedForAUserLogsInAsThatUser() throws Exception {
        // Any key and certificate will do as the client's: another identity made the same way.
        final var clientStore = dir.resolve("client.p12");
        final var client = ServerIdentity.loadOrCreate(clientStore, "pw".toCharArray());
        final var store = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(clientStore)) {
            store.load(in, "pw".toCharArray());
        }
        final var keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, "pw".toCharArray());
        final var hello = new Message.Hello(1, "cert-client", 0, "certified", Message.Hello.AUTH_CERTIFICATE, "");

        final var user = TestUsers.user("certified", true, 8);
        security.putUser(new UserInfo(user.name(), null, true, Set.of(), 8, 16, Set.of(client.fingerprint())));
        try (var socket = tls(ServerTrust.pinned(identity.fingerprint()), keys.getKeyManagers())) {
            socket.getOutputStream().write(Wire.bytes(hello));
            assertInstanceOf(Message.Welcome.class, read(socket));
        }
        security.putUser(new UserInfo(user.name(), null, true, Set.of(), 8, 16, Set.of("00".repeat(32))));
        try (var socket = tls(ServerTrust.pinned(identity.fingerprint()), keys.getKeyManagers())) {
            socket.getOutputStream().write(Wire.bytes(hello));
            final var refusal = assertInstanceOf(Message.Error.class, read(socket));
            assertEquals(Message.Error.AUTH_FAILED, refusal.code());
        }
    }

    private static Message read(final SSLSocket socket) throws IOException {
        final var in = new DataInputStream(socket.getInputStream());
        final var message = new byte[2048];
        in.readFully(message, 0, 4);
        final int length = (message[2] & 0xff) << 8 | message[3] & 0xff;
        in.readFully(message, 4, length);
        return Wire.decode(message, 4 + length);
    }

    private Path pem(final Path keyStore, final String password) throws Exception {
        final var store = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(keyStore)) {
            store.load(in, password.toCharArray());
        }
        final var encoded = java.util.Base64.getMimeEncoder(64, new byte[] {'\n'})
            .encodeToString(store.getCertificate(ServerIdentity.ALIAS).getEncoded());
        return Files.writeString(keyStore.resolveSibling(keyStore.getFileName() + ".pem"),
            "-----BEGIN CERTIFICATE-----\n" + encoded + "\n-----END CERTIFICATE-----\n");
    }

    @Test
    void aClientTrustingACaAcceptsItsCertificatesOnly() throws Exception {
        // The server's self-signed certificate is its own CA.
        try (var socket = tls(ServerTrust.authorities(pem(dir.resolve("tls/serval.p12"), "secret")))) {
            socket.getOutputStream().write(Wire.bytes(TestUsers.hello("ca-client")));
            assertInstanceOf(Message.Welcome.class, read(socket));
        }
        ServerIdentity.loadOrCreate(dir.resolve("other.p12"), "other".toCharArray());
        final var stranger = ServerTrust.authorities(pem(dir.resolve("other.p12"), "other"));
        final var e = assertThrows(SSLHandshakeException.class, () -> tls(stranger).close());
        assertTrue(e.getMessage().contains("PKIX") || e.getMessage().contains("certification path"), e.getMessage());
    }

    /**
     * With --ca the client also checks the host name it dialled against the certificate, as the client does
     * (ServerTrust.checksHostName): a certificate of the right CA for another name is refused.
     */
    @Test
    void aClientTrustingACaChecksTheHostName() throws Exception {
        final var trust = ServerTrust.authorities(pem(dir.resolve("tls/serval.p12"), "secret"));
        assertTrue(trust.checksHostName());
        final var loopback = new byte[] {127, 0, 0, 1};
        try (var socket = tlsAs(trust, InetAddress.getByAddress("localhost", loopback))) {
            socket.getOutputStream().write(Wire.bytes(TestUsers.hello("ca-named")));
            assertInstanceOf(Message.Welcome.class, read(socket));
        }
        final var e = assertThrows(SSLHandshakeException.class,
            () -> tlsAs(trust, InetAddress.getByAddress("wrong.example", loopback)).close());
        assertTrue(e.getMessage().contains("wrong.example"), e.getMessage());
    }

    private SSLSocket tlsAs(final ServerTrust trust, final InetAddress host) throws Exception {
        final var context = SSLContext.getInstance("TLSv1.3");
        context.init(null, new TrustManager[] { trust }, null);
        // A plain socket to the address, then TLS over it for the name: no resolver is asked for "wrong.example".
        final var named = (SSLSocket) context.getSocketFactory().createSocket(
            new Socket(host, tcp.localAddress().getPort()), host.getHostName(), tcp.localAddress().getPort(), true);
        final var parameters = named.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        named.setSSLParameters(parameters);
        named.setSoTimeout(5000);
        named.startHandshake();
        return named;
    }
}
