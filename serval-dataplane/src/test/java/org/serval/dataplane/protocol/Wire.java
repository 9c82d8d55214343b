/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.protocol;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;

/**
 * Messages as the bytes a raw socket sends and receives, for tests that talk to a transport without Netty.
 */
public final class Wire {
    private Wire() {
        // static only
    }

    /**
     * One message as bytes, consuming it.
     */
    public static byte[] bytes(final Message message) {
        final var buf = Unpooled.buffer();
        try {
            MessageCodec.encode(message, buf);
            final var out = new byte[buf.readableBytes()];
            buf.readBytes(out);
            return out;
        } finally {
            buf.release();
            ReferenceCountUtil.release(message);
        }
    }

    /**
     * Decodes one message; a Data message's frame is copied out, so the array may be reused and the message is
     * the caller's to release.
     */
    public static Message decode(final byte[] bytes, final int length) {
        final var buf = Unpooled.wrappedBuffer(bytes, 0, length);
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
     * Feeds one message into an embedded channel as the bytes a peer would send, consuming the message, and runs
     * what that scheduled.
     */
    public static void inject(final EmbeddedChannel channel, final Message message) {
        final var bytes = Unpooled.buffer();
        MessageCodec.encode(message, bytes);
        ReferenceCountUtil.release(message);
        channel.writeInbound(bytes);
        channel.runPendingTasks();
    }
}
