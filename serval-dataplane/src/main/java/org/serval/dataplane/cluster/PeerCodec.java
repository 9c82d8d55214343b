/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.cluster;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.MessageToMessageDecoder;
import io.netty.handler.codec.MessageToMessageEncoder;
import io.netty.util.ReferenceCountUtil;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.serval.dataplane.Bounds;
import org.serval.dataplane.ethernet.Offload;
import org.serval.dataplane.protocol.MessageCodec;
import org.serval.dataplane.protocol.ProtocolException;

/**
 * Node link messages to bytes and back: {@code length:u16  type:u8  body}, the length counting type and body.
 * The stages mirror the client protocol's ({@link org.serval.dataplane.protocol.StreamPipeline}): a framer that
 * refuses an oversize announcement at its header, a decoder that fails closed (anything short, long or unknown is a
 * {@link ProtocolException}, which ends the link), and an encoder that puts a frame behind its header without
 * copying it, so that a 64 KB FRAME_OFFLOAD costs no copy on its way to TLS.
 */
public final class PeerCodec {
    static final String FRAMER = "peer-framer";
    static final String DECODER = "peer-decoder";
    static final String ENCODER = "peer-encoder";
    /**
     * The user event a link fires through its pipeline once the other node's HELLO is accepted: the framer lets
     * messages longer than {@link #MAX_MESSAGE} (FRAME_OFFLOAD) through from then on.
     */
    static final Object HELLO_ACCEPTED = new Object() {
        @Override
        public String toString() {
            return "HELLO_ACCEPTED";
        }
    };
    /**
     * The longest message before HELLO is accepted, and of every type but FRAME_OFFLOAD: a FRAME's header (type,
     * ref) and the largest Ethernet frame, with room to spare: the client protocol's bound.
     */
    static final int MAX_MESSAGE = Bounds.MAX_MESSAGE;
    /**
     * The longest frame a FRAME_OFFLOAD carries: what the length field leaves after the type, the VLAN number and
     * the offload header. A longer super-frame (the client protocol allows 3 bytes more) goes cut into segments.
     */
    static final int MAX_OFFLOAD_FRAME = 0xFFFF - 1 - 4 - Offload.BYTES;
    private static final int LENGTH = 2;
    private static final int FRAME_HEADER = LENGTH + 1 + 4;
    private static final int MAX_NAME = 255;

    private PeerCodec() {
        // static only
    }

    /**
     * Adds the framer, decoder and encoder to a link's pipeline, after TLS.
     */
    static void addTo(final ChannelPipeline pipeline) {
        pipeline.addLast(FRAMER, new Framer())
            .addLast(DECODER, new Decoder())
            .addLast(ENCODER, Encoder.INSTANCE);
    }

    /**
     * The bytes a message takes on the wire, length field included; -1 when it cannot be encoded (a name longer
     * than 255 bytes, a frame of the wrong size). The link's outbox weighs messages by it.
     */
    static int encodedLength(final PeerMessage msg) {
        return switch (msg) {
            case PeerMessage.Hello m -> name(m.nodeId(), LENGTH + 1 + 1);
            case PeerMessage.Interest m -> name(m.vlan(), LENGTH + 1 + 4 + 1);
            case PeerMessage.Learn m -> LENGTH + 1 + 4 + 6;
            case PeerMessage.Frame m -> {
                final int length = m.content().readableBytes();
                final int max = m.offload() == null ? MessageCodec.MAX_FRAME : MAX_OFFLOAD_FRAME;
                yield length < MessageCodec.MIN_FRAME || length > max ? -1
                    : FRAME_HEADER + (m.offload() == null ? 0 : Offload.BYTES) + length;
            }
            case PeerMessage.Ping m -> LENGTH + 1;
        };
    }

    private static int name(final String name, final int rest) {
        final int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        return bytes == 0 || bytes > MAX_NAME ? -1 : rest + 1 + bytes;
    }

    /**
     * Returns one message as a buffer of its own, consuming it. A frame is not copied: it becomes the second
     * component behind its header.
     */
    static ByteBuf toBuffer(final ByteBufAllocator alloc, final PeerMessage msg) {
        if (encodedLength(msg) < 0) {
            ReferenceCountUtil.release(msg);
            throw new IllegalArgumentException("a node link message that cannot be encoded: " + msg);
        }
        if (msg instanceof PeerMessage.Frame m) {
            final var offload = m.offload();
            final var frame = m.content();
            final var header = alloc.directBuffer(FRAME_HEADER + (offload == null ? 0 : Offload.BYTES))
                .writeShort(1 + 4 + (offload == null ? 0 : Offload.BYTES) + frame.readableBytes())
                .writeByte(m.type()).writeInt(m.vlanRef());
            if (offload != null) {
                header.writeByte(offload.flags()).writeByte(offload.gsoType()).writeShort(offload.hdrLen())
                    .writeShort(offload.gsoSize()).writeShort(offload.csumStart()).writeShort(offload.csumOffset());
            }
            return alloc.compositeDirectBuffer(2).addComponents(true, header, frame);
        }
        final var out = alloc.buffer(encodedLength(msg));
        out.writeShort(encodedLength(msg) - LENGTH).writeByte(msg.type());
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
            case PeerMessage.Ping m -> {
                // type only
            }
            case PeerMessage.Frame m -> throw new IllegalStateException("frames are encoded above");
        }
        return out;
    }

    private static void writeName(final ByteBuf out, final String name) {
        final var bytes = name.getBytes(StandardCharsets.UTF_8);
        out.writeByte(bytes.length).writeBytes(bytes);
    }

    /**
     * Reads exactly one message (type and body, without the length field), which must be all that is readable.
     * A frame is a retained slice of {@code in}.
     */
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
                case 6 -> readOffloadFrame(in);
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

    private static PeerMessage.Frame readOffloadFrame(final ByteBuf in) {
        final int ref = in.readInt();
        final var offload = new Offload(in.readUnsignedByte(), in.readUnsignedByte(), in.readUnsignedShort(),
            in.readUnsignedShort(), in.readUnsignedShort(), in.readUnsignedShort());
        final int length = in.readableBytes();
        if (length < MessageCodec.MIN_FRAME) {
            throw new ProtocolException("no frame has " + length + " bytes");
        }
        final var problem = offload.problemWith(length);
        if (problem != null) {
            throw new ProtocolException(problem);
        }
        return new PeerMessage.Frame(ref, in.readRetainedSlice(length), offload);
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

    /**
     * Cuts the stream at the length field. Until the other node's HELLO is accepted nothing longer than
     * {@link #MAX_MESSAGE} is taken, so that a stranger cannot make a node buffer 64 KB; after that the length
     * field's own limit applies, and the decoder holds each type to its size. failFast refuses an oversize
     * announcement before its bytes arrive.
     */
    private static final class Framer extends LengthFieldBasedFrameDecoder {
        // touched on the channel's event loop only
        private boolean beforeHello = true;

        Framer() {
            super(LENGTH + 0xFFFF, 0, LENGTH, 0, LENGTH, true);
        }

        @Override
        protected long getUnadjustedFrameLength(final ByteBuf buf, final int offset, final int length,
                final ByteOrder order) {
            final long body = super.getUnadjustedFrameLength(buf, offset, length, order);
            // Past the framer's limit, so that it fails the link as for any oversize message.
            return beforeHello && body + LENGTH > MAX_MESSAGE ? 0x10000 : body;
        }

        @Override
        public void userEventTriggered(final ChannelHandlerContext ctx, final Object evt) throws Exception {
            if (evt == HELLO_ACCEPTED) {
                beforeHello = false;
            }
            super.userEventTriggered(ctx, evt);
        }
    }

    /**
     * One framed message's bytes to a {@link PeerMessage}; the base class releases the framed buffer, a frame keeps
     * a retained slice of it.
     */
    private static final class Decoder extends MessageToMessageDecoder<ByteBuf> {
        Decoder() {
            super(ByteBuf.class);
        }

        @Override
        protected void decode(final ChannelHandlerContext ctx, final ByteBuf msg, final List<Object> out) {
            out.add(PeerCodec.decode(msg));
        }
    }

    /**
     * {@link PeerMessage} to bytes; the base class releases the message, a frame lives on in the buffer handed on.
     */
    @Sharable
    private static final class Encoder extends MessageToMessageEncoder<PeerMessage> {
        static final Encoder INSTANCE = new Encoder();

        private Encoder() {
            super(PeerMessage.class);
        }

        @Override
        protected void encode(final ChannelHandlerContext ctx, final PeerMessage msg, final List<Object> out) {
            // toBuffer consumes a reference, and so does the base class after this call
            ReferenceCountUtil.retain(msg);
            out.add(toBuffer(ctx.alloc(), msg));
        }
    }
}
