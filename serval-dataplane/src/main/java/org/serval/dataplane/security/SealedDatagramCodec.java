/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.security;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.codec.MessageToMessageCodec;
import io.netty.util.ReferenceCountUtil;
import java.util.List;
import org.serval.dataplane.protocol.Message;
import org.serval.dataplane.protocol.MessageCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's end of a sealed UDP session, on a connected datagram channel: messages out are encoded and sealed,
 * datagrams in are opened and decoded; a datagram that does not open (forged, tampered with, replayed) is dropped
 * and counted, never decoded. A path challenge (the server checking that this client receives at the address it
 * now sends from, after a NAT rebinding) is answered here with its token, from the same socket, and goes no further.
 */
public final class SealedDatagramCodec extends MessageToMessageCodec<DatagramPacket, Message> {
    private static final Logger LOG = LoggerFactory.getLogger(SealedDatagramCodec.class);
    private final SealedChannel seal;

    /**
     * A client's codec for a ticket the server handed out.
     */
    public SealedDatagramCodec(final Message.Ticket ticket) {
        this(new SealedChannel(ticket.session(), ticket.clientKey(), ticket.serverKey(),
            SealedChannel.DEFAULT_REKEY_MESSAGES, SealedChannel.DEFAULT_REKEY_NANOS));
    }

    public SealedDatagramCodec(final SealedChannel seal) {
        super(DatagramPacket.class, Message.class);
        this.seal = seal;
    }

    @Override
    protected void encode(final ChannelHandlerContext ctx, final Message msg, final List<Object> out) {
        // toBuffer consumes a reference, and so does the base class after this call
        ReferenceCountUtil.retain(msg);
        out.add(seal.seal(ctx.alloc(), MessageCodec.toBuffer(ctx.alloc(), msg)));
    }

    @Override
    protected void decode(final ChannelHandlerContext ctx, final DatagramPacket msg, final List<Object> out) {
        final var plain = seal.open(ctx.alloc(), msg.content());
        if (plain == null) {
            LOG.debug("Dropped a datagram that did not open: {} forged, {} replayed so far", seal.forged(),
                seal.replayed());
            return;
        }
        try {
            if (SealedChannel.isPath(msg.content())) {
                final var token = SealedChannel.pathToken(plain, SealedChannel.PATH_CHALLENGE);
                if (token.isPresent()) {
                    ctx.writeAndFlush(seal.sealPath(ctx.alloc(), SealedChannel.PATH_RESPONSE, token.getAsLong()),
                        ctx.voidPromise());
                }
                return;
            }
            out.add(MessageCodec.decode(plain));
        } finally {
            plain.release();
        }
    }
}
