/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.protocol;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;

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
        // The length field is bytes 2-3 of the header and counts the body only; failFast refuses an oversize
        // announcement before its bytes arrive.
        return pipeline
            .addLast(FRAMER, new LengthFieldBasedFrameDecoder(MessageCodec.MAX_MESSAGE, 2, 2, 0, 0, true))
            .addLast(DECODER, new MessageDecoder())
            .addLast(ENCODER, MessageEncoder.INSTANCE);
    }
}
