/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.client;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.DatagramPacketDecoder;
import io.netty.handler.codec.MessageToMessageEncoder;
import java.net.InetSocketAddress;
import java.util.List;
import org.serval.dataplane.ethernet.Segmenter;
import org.serval.dataplane.protocol.DatagramTrain;
import org.serval.dataplane.protocol.Message;
import org.serval.dataplane.protocol.MessageDecoder;
import org.serval.dataplane.protocol.MessageEncoder;
import org.serval.dataplane.security.SealedDatagramCodec;

/**
 * The stages of a UDP connection, from the socket up.
 * <ol>
 *   <li>"train": the datagrams of one flush leave in GSO runs ({@link DatagramTrain}); frames the kernel joined
 *       (UDP_GRO) come up already cut into datagrams by Netty;</li>
 *   <li>"sealed" (or "decoder" and "encoder" with --plaintext): one message per datagram;</li>
 *   <li>"segments": a TCP super-frame read from the TAP is cut into frames of one datagram each, here, after the
 *       TAP handed it over in one read.</li>
 * </ol>
 */
final class DatagramPipeline {
    private DatagramPipeline() {
        // static only
    }

    /**
     * Adds the stages in front of the client's own.
     *
     * @param ticket the ticket whose keys seal the datagrams, or null for plaintext
     */
    static void addProtocol(final ChannelPipeline pipeline, final Message.Ticket ticket) {
        pipeline.addLast("train", new Train());
        if (ticket != null) {
            pipeline.addLast("sealed", new SealedDatagramCodec(ticket));
        } else {
            pipeline.addLast("decoder", new DatagramPacketDecoder(new MessageDecoder()))
                .addLast("encoder", MessageEncoder.INSTANCE);
        }
        pipeline.addLast("segments", new Segments());
    }

    /**
     * Cuts offloaded frames into plain ones; a datagram cannot carry 64 KB, and each frame in its own datagram
     * survives the loss of another.
     */
    static final class Segments extends MessageToMessageEncoder<Message.Data> {
        Segments() {
            super(Message.Data.class);
        }

        @Override
        protected void encode(final ChannelHandlerContext ctx, final Message.Data data, final List<Object> out) {
            final var offload = data.offload();
            if (offload == null) {
                out.add(data.retain());
                return;
            }
            final int vlanRef = data.vlanRef();
            // A frame that is not what its header says is dropped, as a NIC would drop it.
            Segmenter.resolve(ctx.alloc(), data.content().retain(), offload,
                frame -> out.add(new Message.Data(vlanRef, frame)));
        }
    }

    /**
     * Gathers the datagrams written between two flushes into GSO runs.
     */
    static final class Train extends ChannelOutboundHandlerAdapter {
        private DatagramTrain train;

        @Override
        public void write(final ChannelHandlerContext ctx, final Object msg, final ChannelPromise promise) {
            if (!(msg instanceof ByteBuf datagram)) {
                ctx.write(msg, promise);
                return;
            }
            if (train == null) {
                // connected by now: nothing is written before the connect completes
                train = new DatagramTrain(ctx.channel(), ctx, (InetSocketAddress) ctx.channel().remoteAddress());
            }
            train.add(datagram);
            promise.trySuccess();
        }

        @Override
        public void flush(final ChannelHandlerContext ctx) {
            if (train != null) {
                train.depart();
            }
            ctx.flush();
        }

        @Override
        public void handlerRemoved(final ChannelHandlerContext ctx) {
            if (train != null) {
                train.discard();
            }
        }
    }
}
