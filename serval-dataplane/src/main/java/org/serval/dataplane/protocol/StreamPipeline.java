/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.protocol;

import io.netty.buffer.ByteBuf;
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

    private StreamPipeline() {
        // static only
    }

    public static ChannelPipeline addProtocol(final ChannelPipeline pipeline) {
        return pipeline
            .addLast(FRAMER, new Framer())
            .addLast(DECODER, new MessageDecoder())
            .addLast(ENCODER, MessageEncoder.INSTANCE);
    }

    /**
     * The length field is bytes 2-3 of the header and counts the body only. Each type has its own limit (only
     * DATA_OFFLOAD may exceed 2048 bytes), checked at the header, and failFast refuses an oversize announcement
     * before its bytes arrive.
     */
    private static final class Framer extends LengthFieldBasedFrameDecoder {
        Framer() {
            super(MessageCodec.MAX_OFFLOAD_MESSAGE, 2, 2, 0, 0, true);
        }

        @Override
        protected long getUnadjustedFrameLength(final ByteBuf buf, final int offset, final int length,
                final ByteOrder order) {
            final long body = super.getUnadjustedFrameLength(buf, offset, length, order);
            final int type = buf.getUnsignedByte(offset - 1);
            // Past the decoder's own limit, so that it fails the stream as for any oversize message.
            return body + MessageCodec.HEADER > MessageCodec.maxMessage(type) ? MessageCodec.MAX_OFFLOAD_MESSAGE : body;
        }
    }
}
