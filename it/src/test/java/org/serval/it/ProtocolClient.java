/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.it;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.GeneralSecurityException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import org.serval.dataplane.protocol.Message;
import org.serval.dataplane.protocol.Wire;
import org.serval.dataplane.security.ServerTrust;

/**
 * A bare client of the SERVAL protocol over a plain socket, to work the real server's dataplane from tests without
 * a TAP device.
 */
final class ProtocolClient implements AutoCloseable {
    private static final long AUTO_KEEPALIVE = 1_000_000;

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private Message.Nodes nodes;

    /**
     * Connects over TLS, trusting the server's certificate by its fingerprint as a client told --pin does.
     */
    ProtocolClient(final int port) throws IOException {
        try {
            final var context = SSLContext.getInstance("TLSv1.3");
            context.init(null, new TrustManager[] { ServerTrust.pinned(ServalServer.fingerprint()) }, null);
            final var tls = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port);
            tls.setSoTimeout(10_000);
            tls.startHandshake();
            socket = tls;
        } catch (GeneralSecurityException e) {
            throw new IOException("no TLS: " + e.getMessage(), e);
        }
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /**
     * Sends one message, consuming it (a Data message's frame is released).
     */
    void send(final Message message) throws IOException {
        final var bytes = Wire.bytes(message);
        synchronized (out) {
            out.write(bytes);
        }
    }

    /**
     * Sends a KEEPALIVE every half second from now on, as a real client would, so that a test may hold the session
     * longer than the server's expiry; their answers are skipped by {@link #receive}.
     */
    ProtocolClient keepAlive() {
        final var thread = new Thread(() -> {
            try {
                for (long seq = AUTO_KEEPALIVE; !socket.isClosed(); seq++) {
                    send(new Message.Keepalive(seq));
                    Thread.sleep(500);
                }
            } catch (IOException | InterruptedException e) {
                // the test closed the socket
            }
        }, "keepalive");
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    void setReadTimeout(final int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    void sendRaw(final byte[] bytes) throws IOException {
        out.write(bytes);
    }

    /**
     * The next message; a Data message's frame is copied out so nothing needs releasing. Node lists and the answers
     * to {@link #keepAlive}'s keepalives are skipped, but only for as long as the read timeout: a message that never
     * comes fails the read then, instead of hanging the test while keepalive answers keep arriving.
     */
    Message receive() throws IOException {
        final int timeout = socket.getSoTimeout();
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeout);
        while (true) {
            final var header = new byte[4];
            in.readFully(header);
            final var body = new byte[(header[2] & 0xff) << 8 | header[3] & 0xff];
            in.readFully(body);
            final var whole = new byte[header.length + body.length];
            System.arraycopy(header, 0, whole, 0, header.length);
            System.arraycopy(body, 0, whole, header.length, body.length);
            final var message = Wire.decode(whole, whole.length);
            if (message instanceof Message.Nodes list) {
                // the server volunteers the node list after WELCOME and when it changes; kept for nodes()
                nodes = list;
            } else if (!(message instanceof Message.Resume)
                    && !(message instanceof Message.KeepaliveAck ack && ack.seq() >= AUTO_KEEPALIVE)) {
                // (a RESUME, the credential the server volunteers after WELCOME, is skipped: this client never
                // fails over)
                return message;
            }
            if (timeout > 0 && System.nanoTime() > deadline) {
                throw new SocketTimeoutException("nothing but node lists and keepalive answers for " + timeout + " ms");
            }
        }
    }

    /**
     * The last node list the server sent, or null.
     */
    Message.Nodes nodes() {
        return nodes;
    }

    /**
     * Whether the server has closed the connection (after anything it sent first).
     */
    boolean closedByServer() throws IOException {
        try {
            while (true) {
                final var header = new byte[4];
                in.readFully(header);
                in.skipNBytes((header[2] & 0xff) << 8 | header[3] & 0xff);
            }
        } catch (java.io.EOFException e) {
            return true;
        }
    }

    /**
     * Logs in as a current client does: following the server's changes to its memberships (HELLO flag managed).
     */
    Message.Welcome hello(final String clientId) throws IOException {
        return hello(clientId, Message.Hello.MANAGED);
    }

    /**
     * Logs in with the given HELLO flags (0: a client of a version that cannot follow the server's changes).
     */
    Message.Welcome hello(final String clientId, final int flags) throws IOException {
        send(new Message.Hello(1, clientId, flags, ServalServer.USER, Message.Hello.AUTH_PASSWORD,
            ServalServer.PASSWORD));
        return (Message.Welcome) receive();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
