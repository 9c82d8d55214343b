/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.impl;

import io.netty.buffer.Unpooled;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.Socket;
import org.serval.dataplane.protocol.Message;
import org.serval.dataplane.protocol.MessageCodec;

/**
 * A client session spoken by hand over a plain socket, for the tests that watch exactly what a node says to one
 * client.
 */
final class RawSession {
    private RawSession() {
        // static only
    }

    static void write(final Socket socket, final Message message) throws IOException {
        final var buf = Unpooled.buffer();
        try {
            MessageCodec.encode(message, buf);
            final var bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            socket.getOutputStream().write(bytes);
        } finally {
            buf.release();
        }
    }

    /**
     * The next message that is not a node list or a resumption credential (what a node volunteers after WELCOME).
     */
    static Message read(final Socket socket) throws IOException {
        final var in = new DataInputStream(socket.getInputStream());
        while (true) {
            final var bytes = new byte[2048];
            in.readFully(bytes, 0, 4);
            final int length = (bytes[2] & 0xff) << 8 | bytes[3] & 0xff;
            in.readFully(bytes, 4, length);
            final var buf = Unpooled.wrappedBuffer(bytes, 0, 4 + length);
            try {
                final var message = MessageCodec.decode(buf);
                if (!(message instanceof Message.Nodes) && !(message instanceof Message.Resume)) {
                    return message;
                }
            } finally {
                buf.release();
            }
        }
    }
}
