/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.serval.dataplane.ethernet.Offload;
import org.serval.dataplane.protocol.Message.Data;

/**
 * The codec against the test vectors of docs/protocol.md, byte for byte, and the stream pipeline on an
 * {@link EmbeddedChannel}: partial reads, several messages per read, oversize and malformed input. Every buffer
 * must be released: {@link LeakCheck} fails a test that leaks one.
 */
@ExtendWith(LeakCheck.class)
class MessageCodecTest {
    private static final byte[] FRAME =
        HexFormat.ofDelimiter(" ").parseHex("ff ff ff ff ff ff 02 53 56 00 00 01 08 06");

    static Map<String, byte[]> vectors() throws IOException {
        final var vectors = new LinkedHashMap<String, byte[]>();
        try (InputStream in = MessageCodecTest.class.getResourceAsStream("/protocol-vectors.txt")) {
            for (var line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                final var parts = line.trim().split("\\s+", 2);
                vectors.put(parts[0], HexFormat.of().parseHex(parts[1].replace(" ", "")));
            }
        }
        return vectors;
    }

    /**
     * What each good vector must decode to; a Data message is built fresh for each use since it owns a buffer.
     */
    private static Message expected(final String name) {
        return switch (name) {
            case "hello" -> new Message.Hello(1, "c1", 0, "al", Message.Hello.AUTH_PASSWORD, "pw");
            case "welcome" -> new Message.Welcome(1, "n1", 5000, 3, 1400);
            case "join" -> new Message.Join(1, 0x025356000001L, "red");
            case "joined" -> new Message.Joined(1, 7, "red");
            case "leave" -> new Message.Leave(2, 7);
            case "left" -> new Message.Left(2, 7);
            case "list-vlans" -> new Message.ListVlans(3, "");
            case "list-vlans-cursor" -> new Message.ListVlans(3, "", "red");
            case "vlans" -> new Message.Vlans(3, List.of(new Message.VlanEntry("red", 2, true)));
            case "vlans-paged" -> new Message.Vlans(3, List.of(new Message.VlanEntry("red", 2, true)), true, true);
            case "resolve" -> new Message.Resolve(4, 7, new byte[] {10, 0, 0, 2});
            case "resolved" -> new Message.Resolved(4, true, 0x025356000002L);
            case "keepalive" -> new Message.Keepalive(9);
            case "keepalive-ack" -> new Message.KeepaliveAck(9);
            case "nodes" -> new Message.Nodes(List.of());
            case "nodes-part" -> new Message.Nodes(List.of(new Message.NodeEntry("", NodeLists.MARKER_TRANSPORT, "", 0,
                2, 0, ""), new Message.NodeEntry("n1", Message.NodeEntry.TCP, "10.0.0.1", 4000, 3, 7, "")));
            case "error" -> new Message.Error(1, Message.Error.VLAN_FULL, "full");
            case "bye" -> new Message.Bye(0);
            case "data" -> new Data(7, Unpooled.wrappedBuffer(FRAME));
            case "data-offload" -> new Data(7, Unpooled.wrappedBuffer(new byte[] {-1, -1, -1, -1, -1, -1, 2, 0x53,
                0x56, 0, 0, 1, 8, 0, 0x45, 0, 0, 0, 0, 0}), new Offload(Offload.NEEDS_CSUM, 0, 0, 0, 14, 4));
            case "ticket" -> new Message.Ticket(0x01020304L, 30, filled(0x11), filled(0x22));
            case "assign" -> new Message.Assign("red");
            case "removed" -> new Message.Removed(7, Message.Removed.ADMIN, "red");
            case "create-vlan" -> new Message.CreateVlan(5, true, "red");
            case "delete-vlan" -> new Message.DeleteVlan(6, "red");
            case "done" -> new Message.Done(5);
            case "list-members" -> new Message.ListMembers(8, "red", "");
            case "members" -> new Message.Members(8, List.of(new Message.MemberEntry("c1", "al", 0x025356000001L, "n1",
                List.of(address(10, 0, 0, 1)))), false);
            case "resume" -> new Message.Resume(86_400, "abc");
            case "hello-resume" -> new Message.Hello(1, "c1", Message.Hello.MANAGED, "al", Message.Hello.AUTH_RESUME,
                "abc");
            default -> throw new IllegalArgumentException("no expectation for vector " + name);
        };
    }

    private static java.net.InetAddress address(final int... bytes) {
        final var raw = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            raw[i] = (byte) bytes[i];
        }
        try {
            return java.net.InetAddress.getByAddress(raw);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static byte[] filled(final int value) {
        final var bytes = new byte[Message.Ticket.KEY_BYTES];
        java.util.Arrays.fill(bytes, (byte) value);
        return bytes;
    }

    static Stream<String> goodVectors() throws IOException {
        return vectors().keySet().stream().filter(name -> !name.startsWith("bad-"));
    }

    static Stream<String> badVectors() throws IOException {
        return vectors().keySet().stream().filter(name -> name.startsWith("bad-"));
    }

    @Test
    void everyMessageTypeHasAVector() throws IOException {
        final var types = new java.util.HashSet<Integer>();
        for (var name : goodVectors().toList()) {
            types.add(vectors().get(name)[1] & 0xFF);
        }
        assertEquals(26, types.size(), "one vector per message type of docs/protocol.md, at least");
    }

    @ParameterizedTest
    @MethodSource("goodVectors")
    void encodedLengthIsWhatTheEncoderWrites(final String name) throws IOException {
        final var message = expected(name);
        try {
            assertEquals(vectors().get(name).length, MessageCodec.encodedLength(message));
        } finally {
            ReferenceCountUtil.release(message);
        }
    }

    @Test
    void encodedLengthRefusesWhatTheEncoderWould() {
        final var entries = new java.util.ArrayList<Message.VlanEntry>();
        for (int i = 0; i < 40; i++) {
            entries.add(new Message.VlanEntry("v".repeat(62) + String.format("%02d", i), 1, true));
        }
        // 40 names of 64 bytes: 2,730 bytes, the message the server once built and its encoder refused
        final var tooLong = new Message.Vlans(1, entries);
        assertEquals(-1, MessageCodec.encodedLength(tooLong));
        final var out = Unpooled.buffer();
        try {
            assertThrows(IllegalArgumentException.class, () -> MessageCodec.encode(tooLong, out));
            assertEquals(2048, MessageCodec.encodedLength(new Message.Error(1, 8, "x".repeat(2048 - 12))));
            assertEquals(-1, MessageCodec.encodedLength(new Message.Error(1, 8, "x".repeat(2048 - 11))));
            assertEquals(-1, MessageCodec.encodedLength(new Message.ListVlans(1, "x".repeat(256))));
        } finally {
            out.release();
        }
    }

    @Test
    void nodeListsSplitWhatDoesNotFitAndAssembleInOrderOnly() {
        final var entries = new java.util.ArrayList<Message.NodeEntry>();
        for (int i = 0; i < 24; i++) {
            entries.add(new Message.NodeEntry("n".repeat(62) + String.format("%02d", i), 1 + i % 2,
                "h".repeat(200) + i, 4000, i, 1, "f".repeat(64)));
        }
        final var parts = NodeLists.split(entries, 7);
        assertTrue(parts.size() > 1, parts.size() + " parts");
        for (var part : parts) {
            assertTrue(MessageCodec.encodedLength(part) > 0, "each part fits one message");
            assertTrue(NodeLists.isMarker(part.nodes().get(0)));
        }
        final var assembler = new NodeLists.Assembler();
        List<Message.NodeEntry> list = List.of();
        for (var part : parts) {
            list = assembler.add(part);
        }
        assertEquals(entries, list);
        // a list that fits goes whole, without a marker, and replaces
        final var small = NodeLists.split(entries.subList(0, 2), 8);
        assertEquals(List.of(new Message.Nodes(entries.subList(0, 2))), small);
        assertEquals(entries.subList(0, 2), assembler.add(small.get(0)));
        // a part whose predecessor was lost (UDP) is not appended to the wrong list
        assertEquals(entries.subList(0, 2), assembler.add(parts.get(1)));
        final var firstPart = parts.get(0).nodes().subList(1, parts.get(0).nodes().size());
        assertEquals(firstPart, assembler.add(parts.get(0)));
        // nor is the second part of another list, whose first part was lost
        final var otherList = NodeLists.split(entries.subList(1, 24), 9);
        assertEquals(firstPart, assembler.add(otherList.get(1)));
    }

    @ParameterizedTest
    @MethodSource("goodVectors")
    void vectorDecodesToItsMessageAndEncodesBack(final String name) throws IOException {
        final var bytes = vectors().get(name);
        final var expected = expected(name);
        final var in = Unpooled.wrappedBuffer(bytes);
        final var out = Unpooled.buffer();
        try {
            final var decoded = MessageCodec.decode(in);
            try {
                assertEquals(expected, decoded);
            } finally {
                ReferenceCountUtil.release(decoded);
            }
            MessageCodec.encode(expected, out);
            assertEquals(ByteBufUtil.hexDump(bytes), ByteBufUtil.hexDump(out));
        } finally {
            in.release();
            out.release();
            ReferenceCountUtil.release(expected);
        }
    }

    @ParameterizedTest
    @MethodSource("badVectors")
    void malformedVectorIsRefused(final String name) throws IOException {
        final var in = Unpooled.wrappedBuffer(vectors().get(name));
        try {
            assertThrows(ProtocolException.class, () -> MessageCodec.decode(in));
        } finally {
            in.release();
        }
    }

    @Test
    void streamPipelineReassemblesSplitAndCoalescedMessages() throws IOException {
        final var channel = new EmbeddedChannel();
        StreamPipeline.addProtocol(channel.pipeline());
        final var keepalive = vectors().get("keepalive");
        final var data = vectors().get("data");
        final var both = new byte[keepalive.length + data.length];
        System.arraycopy(keepalive, 0, both, 0, keepalive.length);
        System.arraycopy(data, 0, both, keepalive.length, data.length);

        // one byte at a time, then both messages in one read
        for (byte b : both) {
            channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
        }
        channel.writeInbound(Unpooled.wrappedBuffer(both));
        for (int round = 0; round < 2; round++) {
            assertEquals(new Message.Keepalive(9), channel.readInbound());
            final Data frame = channel.readInbound();
            try {
                assertEquals(7, frame.vlanRef());
                assertEquals(ByteBufUtil.hexDump(FRAME), ByteBufUtil.hexDump(frame.content()));
            } finally {
                frame.release();
            }
        }
        assertNull(channel.readInbound());
        assertFalse(channel.finish());
    }

    @Test
    void streamPipelineEncodesAndReleasesData() {
        final var channel = new EmbeddedChannel();
        StreamPipeline.addProtocol(channel.pipeline());
        final var frame = Unpooled.wrappedBuffer(FRAME.clone());
        channel.writeOutbound(new Data(7, frame));
        final ByteBuf written = channel.readOutbound();
        try {
            assertEquals(4 + 2 + FRAME.length, written.readableBytes());
            assertEquals(ByteBufUtil.hexDump(FRAME), ByteBufUtil.hexDump(written, 6, FRAME.length),
                "the frame itself, behind its header, not a copy");
        } finally {
            written.release();
        }
        assertEquals(0, frame.refCnt(), "released with the bytes written");
        assertFalse(channel.finish());
    }

    @Test
    void onlyDataOffloadMayBeLongerThan2048Bytes() {
        final var channel = new EmbeddedChannel();
        StreamPipeline.addProtocol(channel.pipeline());
        // DATA_OFFLOAD announcing 3000 bytes: the framer waits for them
        assertFalse(channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {1, 0x12, 0x0b, (byte) 0xb8, 0, 7})));
        channel.finishAndReleaseAll();
        final var other = new EmbeddedChannel();
        StreamPipeline.addProtocol(other.pipeline());
        // DATA announcing as many: refused at its header
        final var failure = assertThrows(DecoderException.class,
            () -> other.writeInbound(Unpooled.wrappedBuffer(new byte[] {1, 0x10, 0x0b, (byte) 0xb8, 0, 7})));
        assertInstanceOf(TooLongFrameException.class, failure);
        other.finishAndReleaseAll();
    }

    @Test
    void oversizeAnnouncementFailsBeforeItsBytesArrive() {
        final var channel = new EmbeddedChannel();
        StreamPipeline.addProtocol(channel.pipeline());
        // A header announcing 60000 bytes of body: refused at once, nothing buffered waiting for them.
        final var failure = assertThrows(DecoderException.class,
            () -> channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {1, 0x10, (byte) 0xea, 0x60, 0, 7})));
        assertInstanceOf(TooLongFrameException.class, failure);
        channel.finishAndReleaseAll();
    }

    @Test
    void malformedMessageOnAStreamFailsTheChannelWithoutLeaking() throws IOException {
        final var channel = new EmbeddedChannel();
        StreamPipeline.addProtocol(channel.pipeline());
        final var failure = assertThrows(DecoderException.class,
            () -> channel.writeInbound(Unpooled.wrappedBuffer(vectors().get("bad-runt-frame"))));
        assertTrue(failure instanceof ProtocolException || failure.getCause() instanceof ProtocolException,
            String.valueOf(failure));
        channel.finishAndReleaseAll();
    }

    @Test
    void encoderRefusesWhatTheDecoderWould() {
        final var out = Unpooled.buffer();
        try {
            final var runt = new Data(1, Unpooled.wrappedBuffer(new byte[10]));
            try {
                assertThrows(IllegalArgumentException.class, () -> MessageCodec.encode(runt, out));
            } finally {
                runt.release();
            }
            assertThrows(IllegalArgumentException.class,
                () -> MessageCodec.encode(new Message.ListVlans(1, "x".repeat(256)), out));
            assertThrows(IllegalArgumentException.class,
                () -> MessageCodec.encode(new Message.Error(1, 8, "x".repeat(3000)), out));
            assertEquals(0, out.writerIndex(), "nothing half-written stays behind");
        } finally {
            out.release();
        }
    }
}
