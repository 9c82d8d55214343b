/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import java.nio.ByteOrder;

/**
 * The protocol stages of a stream (TCP) connection, the same for server and client: framing first, then decoding;
 * encoding on the way out. TLS, when configured, goes in front of "framer".
 */
public final class StreamPipeline {
    public static final String TLS = "tls";
    public static final String FRAMER = "framer";
    public static final String DECODER = "decoder";
    public static final String ENCODER = "encoder";

    /**
     * The user event a server's last stage fires through its pipeline once the client is logged in (its WELCOME
     * sent): the stages that hold a stranger to less (the framer, the login deadline) let go then.
     */
    public static final Object LOGGED_IN = new Object() {
        @Override
        public String toString() {
            return "LOGGED_IN";
        }
    };

    /**
     * The longest HELLO, header included: every field at the most its encoding can say (str8 client id and user,
     * str16 auth data), within the limit of every message but DATA_OFFLOAD. Nothing longer can be a login, so
     * nothing longer is taken from a stranger.
     */
    public static final int MAX_BEFORE_LOGIN = Math.min(MessageCodec.MAX_MESSAGE,
        MessageCodec.HEADER + 1 + (1 + 0xFF) + 1 + (1 + 0xFF) + 1 + (2 + 0xFFFF));

    private StreamPipeline() {
        // static only
    }

    /**
     * The stages of a client's end, or of anything that trusts what it is connected to.
     */
    public static ChannelPipeline addProtocol(final ChannelPipeline pipeline) {
        return addStages(pipeline, false);
    }

    /**
     * The stages of a server's end: until {@link #LOGGED_IN} no announced length above {@link #MAX_BEFORE_LOGIN}
     * is accepted, so that a stranger cannot make the server wait for (and buffer) a 64 KB DATA_OFFLOAD.
     */
    public static ChannelPipeline addServerProtocol(final ChannelPipeline pipeline) {
        return addStages(pipeline, true);
    }

    private static ChannelPipeline addStages(final ChannelPipeline pipeline, final boolean untilLogin) {
        return pipeline
            .addLast(FRAMER, new Framer(untilLogin))
            .addLast(DECODER, new MessageDecoder())
            .addLast(ENCODER, MessageEncoder.INSTANCE);
    }

    /**
     * The length field is bytes 2-3 of the header and counts the body only. Each type has its own limit (only
     * DATA_OFFLOAD may exceed 2048 bytes), checked at the header, and failFast refuses an oversize announcement
     * before its bytes arrive. On a server's end, before login, the limit of every type is the longest HELLO.
     */
    private static final class Framer extends LengthFieldBasedFrameDecoder {
        // touched on the channel's event loop only
        private boolean beforeLogin;

        Framer(final boolean untilLogin) {
            super(MessageCodec.MAX_OFFLOAD_MESSAGE, 2, 2, 0, 0, true);
            beforeLogin = untilLogin;
        }

        @Override
        protected long getUnadjustedFrameLength(final ByteBuf buf, final int offset, final int length,
                final ByteOrder order) {
            final long body = super.getUnadjustedFrameLength(buf, offset, length, order);
            final int type = buf.getUnsignedByte(offset - 1);
            final int max = beforeLogin ? MAX_BEFORE_LOGIN : MessageCodec.maxMessage(type);
            // Past the decoder's own limit, so that it fails the stream as for any oversize message.
            return body + MessageCodec.HEADER > max ? MessageCodec.MAX_OFFLOAD_MESSAGE : body;
        }

        @Override
        public void userEventTriggered(final ChannelHandlerContext ctx, final Object evt) throws Exception {
            if (evt == LOGGED_IN) {
                beforeLogin = false;
            }
            super.userEventTriggered(ctx, evt);
        }
    }
}
