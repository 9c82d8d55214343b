/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.it;

import io.netty.buffer.Unpooled;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import org.serval.dataplane.protocol.Message;
import org.serval.dataplane.protocol.MessageCodec;

/**
 * A bare client of the SERVAL protocol over a plain socket, to work the real server's dataplane from tests without
 * a TAP device.
 */
final class ProtocolClient implements AutoCloseable {
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    ProtocolClient(final int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    void send(final Message message) throws IOException {
        final var buf = Unpooled.buffer();
        try {
            MessageCodec.encode(message, buf);
            final var bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            out.write(bytes);
        } finally {
            buf.release();
        }
    }

    void setReadTimeout(final int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    void sendRaw(final byte[] bytes) throws IOException {
        out.write(bytes);
    }

    /**
     * The next message; a Data message's frame is copied out so nothing needs releasing.
     */
    Message receive() throws IOException {
        final var header = new byte[4];
        in.readFully(header);
        final var body = new byte[(header[2] & 0xff) << 8 | header[3] & 0xff];
        in.readFully(body);
        final var buf = Unpooled.wrappedBuffer(header, body);
        try {
            final var message = MessageCodec.decode(buf);
            if (message instanceof Message.Data data) {
                final var copy = new Message.Data(data.vlanRef(), Unpooled.copiedBuffer(data.content()));
                data.release();
                return copy;
            }
            return message;
        } finally {
            buf.release();
        }
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

    Message.Welcome hello(final String clientId) throws IOException {
        send(new Message.Hello(1, clientId, 0, ""));
        return (Message.Welcome) receive();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
