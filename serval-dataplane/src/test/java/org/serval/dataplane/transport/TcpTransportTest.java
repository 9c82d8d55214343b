/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.serval.api.LocalVlanView;
import org.serval.dataplane.protocol.LeakCheck;
import org.serval.dataplane.protocol.Message;
import org.serval.dataplane.protocol.Wire;
import org.serval.dataplane.session.Dataplane;
import org.serval.dataplane.session.DataplaneSettings;
import org.serval.dataplane.session.TestUsers;
import org.serval.dataplane.session.ViewRegistry;

/**
 * The TCP listener on loopback with real sockets: a handshake, and a hostile header that must cost the server
 * nothing but that connection.
 */
@ExtendWith(LeakCheck.class)
class TcpTransportTest {
    private final LocalVlanView view = new LocalVlanView();
    private final ViewRegistry registry = new ViewRegistry(view);
    private TcpTransport transport;

    @BeforeEach
    void start() throws InterruptedException {
        transport = TcpTransport.start(new Dataplane(DataplaneSettings.defaults("n1"), view, registry,
            TestUsers.gatekeeper()), new InetSocketAddress("127.0.0.1", 0), 1, null);
    }

    @AfterEach
    void stop() {
        transport.close();
    }

    static Message readMessage(final DataInputStream in) throws IOException {
        final var header = new byte[4];
        in.readFully(header);
        final var body = new byte[((header[2] & 0xff) << 8) | (header[3] & 0xff)];
        in.readFully(body);
        final var whole = new byte[header.length + body.length];
        System.arraycopy(header, 0, whole, 0, header.length);
        System.arraycopy(body, 0, whole, header.length, body.length);
        return Wire.decode(whole, whole.length);
    }

    @Test
    void handshakeOverARealSocket() throws IOException {
        try (var socket = new Socket("127.0.0.1", transport.localAddress().getPort())) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(Wire.bytes(TestUsers.hello("alice")));
            final var in = new DataInputStream(socket.getInputStream());
            assertEquals(new Message.Welcome(1, "n1", 5000, 3, 1400), readMessage(in));
            socket.getOutputStream().write(Wire.bytes(new Message.Keepalive(7)));
            assertEquals(new Message.KeepaliveAck(7), readMessage(in));
        }
    }

    @Test
    void oversizeHeaderClosesThatConnectionOnly() throws IOException {
        try (var good = new Socket("127.0.0.1", transport.localAddress().getPort());
             var bad = new Socket("127.0.0.1", transport.localAddress().getPort())) {
            good.setSoTimeout(5000);
            bad.setSoTimeout(5000);
            good.getOutputStream().write(Wire.bytes(TestUsers.hello("good")));
            final var goodIn = new DataInputStream(good.getInputStream());
            readMessage(goodIn);

            // announces 65535 bytes of body: refused at once
            bad.getOutputStream().write(HexFormat.of().parseHex("0110ffff0001"));
            final var badIn = new DataInputStream(bad.getInputStream());
            final var answer = readMessage(badIn);
            assertTrue(answer instanceof Message.Error error && error.code() == Message.Error.MALFORMED,
                String.valueOf(answer));
            assertEquals(-1, badIn.read(), "the server closed the hostile connection");

            good.getOutputStream().write(Wire.bytes(new Message.Keepalive(1)));
            assertEquals(new Message.KeepaliveAck(1), readMessage(goodIn), "the other client is unaffected");
        }
    }
}
