/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.serval.api.LocalVlanView;
import org.serval.api.VlanInfo;
import org.serval.dataplane.protocol.LeakCheck;
import org.serval.dataplane.protocol.Message;
import org.serval.dataplane.protocol.Wire;
import org.serval.dataplane.session.Dataplane;
import org.serval.dataplane.session.DataplaneSettings;
import org.serval.dataplane.session.TestUsers;
import org.serval.dataplane.session.ViewRegistry;

/**
 * The reply bound on a real TCP connection: a logged-in client that floods KEEPALIVEs and never reads the answers
 * fills its socket and then its channel; the server disconnects it rather than buffer for it, and another client
 * carries on.
 */
@ExtendWith(LeakCheck.class)
class StalledReaderTest {
    // The reply bound is what these tests prove: the request rate, which would cut the flood off first, is lifted.
    private static final int UNLIMITED = 1_000_000_000;
    private final LocalVlanView view = new LocalVlanView();
    private final ViewRegistry registry = new ViewRegistry(view);
    private TcpTransport transport;

    @BeforeEach
    void start() throws InterruptedException {
        view.putVlan(new VlanInfo("red", 0, "", 256, true, null));
        // A keepalive period longer than the flood can take on a loaded machine: the honest client sends nothing
        // meanwhile and must not expire for it.
        final var settings = new DataplaneSettings("n1", 60_000, 3, DataplaneSettings.DEFAULT_TAP_MTU, 8192, 256, 300,
            true, 0, UNLIMITED);
        transport = TcpTransport.start(new Dataplane(settings, view, registry,
            TestUsers.gatekeeper()), new InetSocketAddress("127.0.0.1", 0), 1, null);
    }

    @AfterEach
    void stop() {
        transport.close();
    }

    private Socket loggedIn(final String id, final int receiveBuffer) throws IOException {
        final var socket = new Socket();
        socket.setReceiveBufferSize(receiveBuffer);
        socket.connect(transport.localAddress());
        socket.setSoTimeout(5000);
        socket.getOutputStream().write(Wire.bytes(TestUsers.hello(id)));
        assertInstanceOf(Message.Welcome.class, read(new DataInputStream(socket.getInputStream())));
        return socket;
    }

    private static Message read(final DataInputStream in) throws IOException {
        final var header = new byte[4];
        in.readFully(header);
        final var whole = new byte[4 + (((header[2] & 0xff) << 8) | (header[3] & 0xff))];
        System.arraycopy(header, 0, whole, 0, 4);
        in.readFully(whole, 4, whole.length - 4);
        return Wire.decode(whole, whole.length);
    }

    @Test
    void aClientThatFloodsKeepalivesAndNeverReadsIsDisconnected() throws Exception {
        try (var honest = loggedIn("honest", 64 * 1024); var stalled = loggedIn("stalled", 4096)) {
            final var batch = new ByteArrayOutputStream();
            for (int i = 0; i < 1000; i++) {
                batch.write(Wire.bytes(new Message.Keepalive(i)));
            }
            final var bytes = batch.toByteArray();
            final var out = stalled.getOutputStream();
            boolean cut = false;
            int sent = 0;
            // up to a million KEEPALIVEs (12 MB); the answers to those that fit no buffer must not pile up
            while (!cut && sent < 1_000_000) {
                try {
                    out.write(bytes);
                    sent += 1000;
                } catch (IOException e) {
                    cut = true;
                }
            }
            assertTrue(cut, "still connected after " + sent + " unread KEEPALIVEs");
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!registry.events.contains("disconnected stalled error") && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertTrue(registry.events.contains("disconnected stalled error"), registry.events.toString());

            honest.getOutputStream().write(Wire.bytes(new Message.Keepalive(1)));
            assertEquals(new Message.KeepaliveAck(1), read(new DataInputStream(honest.getInputStream())),
                "the other client is unaffected");
        }
    }

    /**
     * Joins VLAN red with a MAC and reads until JOINED (NODES and the like may come first).
     */
    private static int join(final Socket socket, final long mac) throws IOException {
        socket.getOutputStream().write(Wire.bytes(new Message.Join(1, mac, "red")));
        final var in = new DataInputStream(socket.getInputStream());
        while (true) {
            if (read(in) instanceof Message.Joined joined) {
                return joined.vlanRef();
            }
        }
    }

    private static byte[] frame(final long dst, final long src, final int length) {
        final var frame = new byte[length];
        for (int i = 0; i < 6; i++) {
            frame[i] = (byte) (dst >>> (40 - 8 * i));
            frame[6 + i] = (byte) (src >>> (40 - 8 * i));
        }
        frame[12] = 0x08;
        return frame;
    }

    /**
     * A client that keeps its session alive (KEEPALIVE every 100 ms) but reads nothing, while another sends it a
     * stream of frames: its connection has no room for a whole expiry period (here 1 s), and the server expires it
     * instead of holding buffers for it for ever. The sender carries on.
     */
    @Test
    void aClientThatKeepsTalkingButNeverReadsIsExpired() throws Exception {
        transport.close();
        final var settings = new DataplaneSettings("n1", 500, 2, DataplaneSettings.DEFAULT_TAP_MTU, 8192, 256, 300,
            true, 0, UNLIMITED);
        transport = TcpTransport.start(new Dataplane(settings, view, registry, TestUsers.gatekeeper()),
            new InetSocketAddress("127.0.0.1", 0), 1, null);
        final long receiverMac = 0x025356000010L;
        final long senderMac = 0x025356000020L;
        try (var receiver = loggedIn("deaf", 4096); var sender = loggedIn("talker", 64 * 1024)) {
            final int receiverRef = join(receiver, receiverMac);
            final int senderRef = join(sender, senderMac);
            // one broadcast, so that the switch learns where the receiver is
            receiver.getOutputStream().write(Wire.bytes(new Message.Data(receiverRef, Unpooled.wrappedBuffer(
                frame(0xFFFF_FFFF_FFFFL, receiverMac, 60)))));
            final var toReceiver = Wire.bytes(new Message.Data(senderRef, Unpooled.wrappedBuffer(
                frame(receiverMac, senderMac, 1400))));
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            long nextKeepalive = 0;
            while (!registry.events.contains("disconnected deaf expired") && System.nanoTime() < deadline) {
                for (int i = 0; i < 64; i++) {
                    sender.getOutputStream().write(toReceiver);
                }
                // the sender reads what comes to it (the receiver's broadcast), so that only the receiver stalls
                final var in = sender.getInputStream();
                while (in.available() > 0) {
                    in.skip(in.available());
                }
                if (System.nanoTime() - nextKeepalive > 0) {
                    try {
                        receiver.getOutputStream().write(Wire.bytes(new Message.Keepalive(1)));
                    } catch (IOException e) {
                        // cut off: the loop's condition will say by whom
                    }
                    sender.getOutputStream().write(Wire.bytes(new Message.Keepalive(2)));
                    nextKeepalive = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
                }
            }
            assertTrue(registry.events.contains("disconnected deaf expired"), registry.events.toString());
            assertFalse(registry.events.stream().anyMatch(e -> e.startsWith("disconnected talker")),
                registry.events.toString());
        }
        // The server has ended both sessions, and freed what they held, before the transport is shut down: what
        // the leak check sees is then the sessions', not frames cut off in the middle of a shutdown.
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!registry.events.stream().anyMatch(e -> e.startsWith("disconnected talker"))
                && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
    }
}
