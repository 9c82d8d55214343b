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
import io.netty.handler.codec.MessageToMessageDecoder;
import java.util.List;

/**
 * The stage after framing: one framed message's bytes to a {@link Message}. The framed buffer is released by the
 * base class; a Data message keeps a retained slice of it.
 */
public final class MessageDecoder extends MessageToMessageDecoder<ByteBuf> {
    public MessageDecoder() {
        super(ByteBuf.class);
    }

    @Override
    protected void decode(final ChannelHandlerContext ctx, final ByteBuf msg, final List<Object> out) {
        out.add(MessageCodec.decode(msg));
    }
}
