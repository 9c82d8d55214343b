/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.protocol;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import java.util.List;

/**
 * {@link Message} to bytes. A DATA or DATA_OFFLOAD message becomes its header in front of the frame itself, not a
 * copy of it (a frame of up to 64 KB on the hot path); TLS or the socket then reads the two in place. The base
 * class releases the message; the frame lives on in the buffer handed on.
 */
@Sharable
public final class MessageEncoder extends MessageToMessageEncoder<Message> {
    public static final MessageEncoder INSTANCE = new MessageEncoder();

    private MessageEncoder() {
        super(Message.class);
    }

    @Override
    protected void encode(final ChannelHandlerContext ctx, final Message msg, final List<Object> out) {
        if (msg instanceof Message.Data data) {
            // toBuffer consumes a reference, and so does the base class after this call
            data.retain();
            out.add(MessageCodec.toBuffer(ctx.alloc(), data));
            return;
        }
        final var buf = ctx.alloc().buffer();
        try {
            MessageCodec.encode(msg, buf);
        } catch (IllegalArgumentException e) {
            buf.release();
            throw e;
        }
        out.add(buf);
    }
}
