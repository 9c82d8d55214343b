/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.serval.dataplane.ethernet.Offload;
import org.serval.dataplane.ethernet.SuperFrames;
import org.serval.dataplane.protocol.LeakCheck;
import org.serval.dataplane.protocol.ProtocolException;

/**
 * The node link codec on a pipeline as the links use it: framer first, then the codec.
 */
@ExtendWith(LeakCheck.class)
class PeerCodecTest {
    private static EmbeddedChannel channel() {
        final var channel = new EmbeddedChannel();
        PeerCodec.addTo(channel.pipeline());
        return channel;
    }

    /**
     * Writes a message through one channel and reads it back through another, as two nodes would.
     */
    private static PeerMessage roundTrip(final PeerMessage msg) {
        final var out = channel();
        out.writeOutbound(msg);
        final var in = channel();
        for (ByteBuf bytes = out.readOutbound(); bytes != null; bytes = out.readOutbound()) {
            // one byte at a time: the framer must reassemble
            while (bytes.isReadable()) {
                in.writeInbound(bytes.readRetainedSlice(1));
            }
            bytes.release();
        }
        final PeerMessage back = in.readInbound();
        assertFalse(out.finish());
        assertFalse(in.finish());
        return back;
    }

    @Test
    void everyMessageSurvivesTheWire() {
        assertEquals(new PeerMessage.Hello(1, "member-2"), roundTrip(new PeerMessage.Hello(1, "member-2")));
        assertEquals(new PeerMessage.Interest(7, true, "red"), roundTrip(new PeerMessage.Interest(7, true, "red")));
        assertEquals(new PeerMessage.Interest(7, false, "red"),
            roundTrip(new PeerMessage.Interest(7, false, "red")));
        assertEquals(new PeerMessage.Learn(3, 0x02AABBCCDDEEL), roundTrip(new PeerMessage.Learn(3, 0x02AABBCCDDEEL)));
        assertEquals(new PeerMessage.Ping(), roundTrip(new PeerMessage.Ping()));
        final var frame = new byte[60];
        frame[0] = (byte) 0xff;
        frame[59] = 0x42;
        final var back = assertInstanceOf(PeerMessage.Frame.class,
            roundTrip(new PeerMessage.Frame(9, Unpooled.wrappedBuffer(frame))));
        try {
            assertEquals(9, back.vlanRef());
            assertEquals(Unpooled.wrappedBuffer(frame), back.content());
        } finally {
            back.release();
        }
    }

    @Test
    void anOversizeAnnouncementFailsBeforeItsBytesArrive() {
        final var in = channel();
        final var failure = assertThrows(TooLongFrameException.class,
            () -> in.writeInbound(Unpooled.wrappedBuffer(new byte[] {(byte) 0x10, 0x00, 4})));
        assertEquals(TooLongFrameException.class, failure.getClass());
        in.finishAndReleaseAll();
    }

    /**
     * A FRAME_OFFLOAD body with a 14-byte frame and these offload flags, checksum at 34 + 16.
     */
    private static byte[] offloadFrame(final int flags) {
        final var body = Unpooled.buffer().writeByte(6).writeInt(1).writeByte(flags).writeByte(0).writeShort(0)
            .writeShort(0).writeShort(34).writeShort(16).writeZero(14);
        final var bytes = new byte[body.readableBytes()];
        body.readBytes(bytes);
        body.release();
        return bytes;
    }

    @Test
    void aSuperFrameCrossesWholeOnceHelloIsAcceptedAndNotBefore() {
        final var out = channel();
        final var offload = new Offload(Offload.NEEDS_CSUM, Offload.GSO_TCPV4, 54, 1448, 34, 16);
        out.writeOutbound(new PeerMessage.Frame(9, SuperFrames.tcp(true, new byte[10_000], 0x18), offload));
        final ByteBuf bytes = out.readOutbound();
        assertFalse(out.finish());

        final var stranger = channel();
        assertThrows(TooLongFrameException.class, () -> stranger.writeInbound(bytes.retainedDuplicate()),
            "64 KB taken from a node whose HELLO was not accepted");
        stranger.finishAndReleaseAll();

        final var in = channel();
        in.pipeline().fireUserEventTriggered(PeerCodec.HELLO_ACCEPTED);
        in.writeInbound(bytes);
        final PeerMessage.Frame back = in.readInbound();
        try {
            assertEquals(6, back.type());
            assertEquals(9, back.vlanRef());
            assertEquals(offload, back.offload());
            assertEquals(10_054, back.content().readableBytes());
        } finally {
            back.release();
        }
        assertFalse(in.finish());
    }

    @Test
    void malformedMessagesFailClosed() {
        for (var body : List.of(
                new byte[] {9},                       // unknown type
                new byte[] {3, 0, 0, 0, 1, 2},        // LEARN cut short
                new byte[] {2, 0, 0, 0, 1, 2, 3, 'r', 'e', 'd'}, // INTEREST flag 2
                new byte[] {4, 0, 0, 0, 1, 1, 2, 3},  // FRAME of 3 bytes
                new byte[] {5, 0},                    // PING with a byte after it
                offloadFrame(4),                      // FRAME_OFFLOAD with an unknown offload flag
                offloadFrame(1))) {                   // FRAME_OFFLOAD whose checksum lies outside its frame
            final var in = channel();
            final var bytes = Unpooled.buffer().writeShort(body.length).writeBytes(body);
            final var failure = assertThrows(DecoderException.class, () -> in.writeInbound(bytes));
            assertInstanceOf(ProtocolException.class, failure.getCause() instanceof ProtocolException
                ? failure.getCause() : failure);
            in.finishAndReleaseAll();
        }
    }
}
