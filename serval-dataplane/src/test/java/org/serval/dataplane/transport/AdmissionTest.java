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
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.handler.ssl.SslContext;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.serval.api.LocalVlanView;
import org.serval.dataplane.protocol.LeakCheck;
import org.serval.dataplane.protocol.Message;
import org.serval.dataplane.protocol.Wire;
import org.serval.dataplane.security.ServerIdentity;
import org.serval.dataplane.security.ServerTrust;
import org.serval.dataplane.session.Dataplane;
import org.serval.dataplane.session.DataplaneSettings;
import org.serval.dataplane.session.TestUsers;
import org.serval.dataplane.session.ViewRegistry;

/**
 * What a stranger can hold before login, on real loopback sockets: a connection that does not log in goes at the
 * deadline however it trickles bytes (plaintext and TLS), one that logs in stays; connections per source and in
 * all are capped at accept and counted down on close; TLS handshakes per source are rate-limited.
 */
@ExtendWith(LeakCheck.class)
class AdmissionTest {
    private static final long DEADLINE = 1000;
    // Connections from 127.0.0.2 and up are other sources: all of 127/8 is the loopback.
    private static final Admission.Limits LIMITS = new Admission.Limits(DEADLINE, 3, 3, 4, 5, 1000, 1000);
    // the same with a deadline that a test's connections do not reach
    private static final Admission.Limits CAPS = new Admission.Limits(30_000, 3, 3, 4, 5, 1000, 1000);

    @TempDir
    Path dir;
    private final LocalVlanView view = new LocalVlanView();
    private final List<Socket> sockets = new ArrayList<>();
    private TcpTransport transport;
    private ServerIdentity identity;

    private void start(final boolean tls, final Admission.Limits limits) throws Exception {
        SslContext context = null;
        if (tls) {
            identity = ServerIdentity.loadOrCreate(dir.resolve("tls/serval.p12"), "secret".toCharArray());
            context = identity.serverContext();
        }
        transport = TcpTransport.start(new Dataplane(DataplaneSettings.defaults("n1"), view, new ViewRegistry(view),
            TestUsers.gatekeeper()), new InetSocketAddress("127.0.0.1", 0), 1, context, limits);
    }

    @AfterEach
    void stop() throws IOException {
        for (var socket : sockets) {
            socket.close();
        }
        if (transport != null) {
            transport.close();
        }
    }

    private Socket connect(final String from) throws IOException {
        final var socket = new Socket();
        sockets.add(socket);
        socket.bind(new InetSocketAddress(from, 0));
        socket.connect(transport.localAddress(), 2000);
        return socket;
    }

    private SSLSocket tls(final Socket plain) throws Exception {
        final var context = SSLContext.getInstance("TLSv1.3");
        context.init(null, new TrustManager[] { ServerTrust.pinned(identity.fingerprint()) }, null);
        final var socket = (SSLSocket) context.getSocketFactory().createSocket(plain, "127.0.0.1",
            transport.localAddress().getPort(), true);
        sockets.add(socket);
        socket.setSoTimeout(5000);
        socket.startHandshake();
        return socket;
    }

    /**
     * Whether the server has closed the connection: it reads end of stream or a reset within the time.
     */
    /**
     * Writes one byte every 200 ms from a thread of its own until the connection fails or the test ends.
     */
    private static AtomicBoolean trickle(final OutputStream out) {
        final var stop = new AtomicBoolean();
        final var thread = new Thread(() -> {
            try {
                while (!stop.get()) {
                    out.write(0);
                    out.flush();
                    Thread.sleep(200);
                }
            } catch (IOException | InterruptedException e) {
                // closed by the server: what the test waits for
            }
        }, "trickle");
        thread.setDaemon(true);
        thread.start();
        return stop;
    }

    private void awaitConnections(final int count) throws InterruptedException {
        final long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (transport.connections() != count && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        assertEquals(count, transport.connections());
    }

    @Test
    void aPlaintextTrickleIsClosedAtTheDeadline() throws Exception {
        start(false, LIMITS);
        final var socket = connect("127.0.0.1");
        final var out = socket.getOutputStream();
        // a HELLO announcing 2,000 bytes of body, which would come at 5 bytes a second: the idle timer never fires
        out.write(new byte[] {1, 1, 0x07, (byte) 0xd0});
        final var stop = trickle(out);
        try {
            assertTrue(SocketProbe.closedWithin(socket, 3 * DEADLINE),
                "a connection that never logs in is closed at the deadline");
        } finally {
            stop.set(true);
        }
        awaitConnections(0);
    }

    @Test
    void aTlsTrickleIsClosedAtTheDeadline() throws Exception {
        start(true, LIMITS);
        final var socket = tls(connect("127.0.0.1"));
        final var out = socket.getOutputStream();
        out.write(new byte[] {1, 1, 0x07, (byte) 0xd0});
        final var stop = trickle(out);
        try {
            assertTrue(SocketProbe.closedWithin(socket, 3 * DEADLINE),
                "a TLS connection that never logs in is closed at the deadline");
        } finally {
            stop.set(true);
        }
    }

    @Test
    void aTrickledTlsHandshakeIsClosedAtTheDeadline() throws Exception {
        start(true, LIMITS);
        final var socket = connect("127.0.0.1");
        final var out = socket.getOutputStream();
        // a handshake record announcing 16 KB, which the TLS stage waits for
        out.write(new byte[] {0x16, 3, 1, 0x40, 0});
        final var stop = trickle(out);
        try {
            assertTrue(SocketProbe.closedWithin(socket, 3 * DEADLINE),
                "a handshake that never ends is closed at the deadline");
        } finally {
            stop.set(true);
        }
    }

    @Test
    void aLoggedInConnectionOutlivesTheDeadline() throws Exception {
        start(true, LIMITS);
        final var socket = tls(connect("127.0.0.1"));
        socket.getOutputStream().write(Wire.bytes(TestUsers.hello("alice")));
        final var in = new DataInputStream(socket.getInputStream());
        assertInstanceOf(Message.Welcome.class, TcpTransportTest.readMessage(in));
        Thread.sleep(DEADLINE + 500);
        socket.getOutputStream().write(Wire.bytes(new Message.Keepalive(3)));
        assertEquals(new Message.KeepaliveAck(3), TcpTransportTest.readMessage(in));
    }

    @Test
    void connectionsPerSourceAndInAllAreCappedAtAccept() throws Exception {
        start(false, CAPS);
        final var first = new ArrayList<Socket>();
        for (int i = 0; i < 3; i++) {
            first.add(connect("127.0.0.1"));
        }
        awaitConnections(3);
        final var fourth = connect("127.0.0.1");
        assertTrue(SocketProbe.closedWithin(fourth, 2000), "a fourth from one address is refused");
        for (var socket : first) {
            assertTrue(!SocketProbe.closedWithin(socket, 50), "the first three stay");
        }
        connect("127.0.0.2");
        connect("127.0.0.2");
        awaitConnections(5);
        final var sixth = connect("127.0.0.3");
        assertTrue(SocketProbe.closedWithin(sixth, 2000), "a sixth in all is refused");

        first.get(0).close();
        awaitConnections(4);
        final var again = connect("127.0.0.1");
        assertTrue(!SocketProbe.closedWithin(again, 200), "a closed connection is counted down");
        awaitConnections(5);
    }

    @Test
    void tlsHandshakesPerSourceAreRateLimited() throws Exception {
        // a burst of 3, then one a minute: the fourth at once is refused before any TLS work
        start(true, new Admission.Limits(10_000, 100, 100, 100, 100, 1, 3));
        for (int i = 0; i < 3; i++) {
            final var socket = connect("127.0.0.1");
            assertTrue(!SocketProbe.closedWithin(socket, 100), "within the burst");
        }
        final var fourth = connect("127.0.0.1");
        assertTrue(SocketProbe.closedWithin(fourth, 2000), "over the rate");
        final var other = connect("127.0.0.2");
        assertTrue(!SocketProbe.closedWithin(other, 100), "another source has its own bucket");
        awaitConnections(4);
    }

    @Test
    void ipv6IsCountedPerSlash64AndPerSlash48() throws Exception {
        final var admission = new Admission(new Admission.Limits(DEADLINE, 1, 2, 3, 100, 1000, 1000), false);
        final var host = InetAddress.getByName("2001:db8:0:1::1");
        assertNull(admission.admit(host));
        assertNull(admission.admit(InetAddress.getByName("2001:db8:0:1::2")));
        assertNotNull(admission.admit(InetAddress.getByName("2001:db8:0:1:ffff::3")), "a third from the /64");
        assertNull(admission.admit(InetAddress.getByName("2001:db8:0:2::1")));
        assertNotNull(admission.admit(InetAddress.getByName("2001:db8:0:3::1")),
            "a fourth from the /48, whatever its /64");
        assertNull(admission.admit(InetAddress.getByName("2001:db8:1::1")), "another /48 is another site");
        admission.release(host);
        assertNull(admission.admit(InetAddress.getByName("2001:db8:0:3::1")), "counted down on close");
        assertEquals(4, admission.open());
        if (admission.admit(InetAddress.getByName("2001:db8:0:3::1")) == null) {
            fail("the /48 is full again");
        }
    }
}
