/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.cluster;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.ByteToMessageCodec;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.serval.dataplane.protocol.MessageCodec;
import org.serval.dataplane.protocol.ProtocolException;

/**
 * Node link messages to bytes and back: {@code length:u16  type:u8  body}, the length counting type and body.
 * Decoding fails closed like the client protocol's: anything short, long or unknown is a
 * {@link ProtocolException}, which ends the link.
 */
public final class PeerCodec extends ByteToMessageCodec<PeerMessage> {
    static final String FRAMER = "peer-framer";
    static final String CODEC = "peer-codec";
    // A FRAME's header (type, ref) and the largest Ethernet frame, with room to spare.
    static final int MAX_MESSAGE = 2048;
    private static final int MAX_NAME = 255;

    /**
     * Adds the framer and this codec to a link's pipeline, after TLS.
     */
    static void addTo(final ChannelPipeline pipeline) {
        pipeline.addLast(FRAMER, new LengthFieldBasedFrameDecoder(MAX_MESSAGE, 0, 2, 0, 2, true))
            .addLast(CODEC, new PeerCodec());
    }

    @Override
    protected void encode(final ChannelHandlerContext ctx, final PeerMessage msg, final ByteBuf out) {
        final int start = out.writerIndex();
        out.writeShort(0).writeByte(msg.type());
        switch (msg) {
            case PeerMessage.Hello m -> {
                out.writeByte(m.version());
                writeName(out, m.nodeId());
            }
            case PeerMessage.Interest m -> {
                out.writeInt(m.vlanRef()).writeBoolean(m.on());
                writeName(out, m.vlan());
            }
            case PeerMessage.Learn m -> out.writeInt(m.vlanRef()).writeShort((int) (m.mac() >>> 32))
                .writeInt((int) m.mac());
            case PeerMessage.Frame m -> {
                final var frame = m.content();
                out.writeInt(m.vlanRef()).writeBytes(frame, frame.readerIndex(), frame.readableBytes());
            }
            case PeerMessage.Ping m -> {
                // type only
            }
        }
        out.setShort(start, out.writerIndex() - start - 2);
    }

    private static void writeName(final ByteBuf out, final String name) {
        final var bytes = name.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_NAME) {
            throw new IllegalArgumentException("a name has at most 255 bytes");
        }
        out.writeByte(bytes.length).writeBytes(bytes);
    }

    @Override
    protected void decode(final ChannelHandlerContext ctx, final ByteBuf in, final List<Object> out) {
        // The framer hands over exactly one message.
        out.add(decode(in));
    }

    static PeerMessage decode(final ByteBuf in) {
        try {
            final int type = in.readUnsignedByte();
            final PeerMessage msg = switch (type) {
                case 1 -> new PeerMessage.Hello(in.readUnsignedByte(), readName(in));
                case 2 -> new PeerMessage.Interest(in.readInt(), readFlag(in), readName(in));
                case 3 -> new PeerMessage.Learn(in.readInt(),
                    (long) in.readUnsignedShort() << 32 | in.readUnsignedInt());
                case 4 -> readFrame(in);
                case 5 -> new PeerMessage.Ping();
                default -> throw new ProtocolException("unknown node link message type " + type);
            };
            if (in.isReadable()) {
                final int left = in.readableBytes();
                if (msg instanceof PeerMessage.Frame frame) {
                    frame.release();
                }
                throw new ProtocolException(left + " bytes after a node link message of type " + type);
            }
            return msg;
        } catch (IndexOutOfBoundsException e) {
            throw new ProtocolException("a node link message ends early", e);
        } finally {
            in.skipBytes(in.readableBytes());
        }
    }

    private static PeerMessage.Frame readFrame(final ByteBuf in) {
        final int ref = in.readInt();
        final int length = in.readableBytes();
        if (length < MessageCodec.MIN_FRAME || length > MessageCodec.MAX_FRAME) {
            throw new ProtocolException("a frame has 14 to 1518 bytes, not " + length);
        }
        return new PeerMessage.Frame(ref, in.readRetainedSlice(length));
    }

    private static boolean readFlag(final ByteBuf in) {
        final int flag = in.readUnsignedByte();
        if (flag > 1) {
            throw new ProtocolException("a flag is 0 or 1, not " + flag);
        }
        return flag == 1;
    }

    private static String readName(final ByteBuf in) {
        final int length = in.readUnsignedByte();
        if (length == 0 || length > in.readableBytes()) {
            throw new ProtocolException("a name of " + length + " bytes");
        }
        final var name = in.toString(in.readerIndex(), length, StandardCharsets.UTF_8);
        in.skipBytes(length);
        return name;
    }
}
