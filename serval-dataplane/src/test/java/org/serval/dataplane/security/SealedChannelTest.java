/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.serval.dataplane.protocol.LeakCheck;
import org.serval.dataplane.protocol.Message;
import org.serval.dataplane.protocol.Wire;

@ExtendWith(LeakCheck.class)
class SealedChannelTest {
    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;
    private static final SecureRandom RANDOM = new SecureRandom();
    // Fresh keys per test: the JDK refuses to seal twice in a row with the same key and counter, rightly.
    private final byte[] toServer = key();
    private final byte[] toClient = key();
    private final List<ByteBuf> held = new ArrayList<>();

    private static byte[] key() {
        final var key = new byte[32];
        RANDOM.nextBytes(key);
        return key;
    }

    private SealedChannel client(final long rekeyMessages) {
        return new SealedChannel(7, toServer, toClient, rekeyMessages, Long.MAX_VALUE);
    }

    private SealedChannel server() {
        return new SealedChannel(7, toClient, toServer, Long.MAX_VALUE, Long.MAX_VALUE);
    }

    private ByteBuf seal(final SealedChannel channel, final String text) {
        final var sealed = channel.seal(ALLOC, Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
        held.add(sealed);
        return sealed;
    }

    private static String open(final SealedChannel channel, final ByteBuf datagram) {
        final var plain = channel.open(ALLOC, datagram);
        if (plain == null) {
            return null;
        }
        try {
            return plain.toString(StandardCharsets.UTF_8);
        } finally {
            plain.release();
        }
    }

    @AfterEach
    void release() {
        held.forEach(ByteBuf::release);
    }

    @Test
    void sealsAndOpensWithoutShowingTheMessage() {
        final var datagram = seal(client(Long.MAX_VALUE), "hello, server");
        assertEquals(SealedChannel.OVERHEAD + 13, datagram.readableBytes());
        assertTrue(SealedChannel.isSealed(datagram));
        assertEquals(7, SealedChannel.sessionOf(datagram));
        assertFalse(datagram.toString(StandardCharsets.ISO_8859_1).contains("hello"), "encrypted");
        assertEquals("hello, server", open(server(), datagram));
    }

    @Test
    void everyTamperedByteIsRefused() {
        final var sender = client(Long.MAX_VALUE);
        final var receiver = server();
        final var datagram = seal(sender, "a frame");
        for (int i = 0; i < datagram.readableBytes(); i++) {
            final var copy = Unpooled.copiedBuffer(datagram);
            copy.setByte(i, copy.getByte(i) ^ 0x01);
            try {
                assertNull(open(receiver, copy), "byte " + i + " flipped");
            } finally {
                copy.release();
            }
        }
        assertEquals("a frame", open(receiver, datagram), "the original still opens");
        assertEquals(datagram.readableBytes() - 1, receiver.forged(), "the marker's phase bit is not counted twice");
    }

    @Test
    void replaysAndOldCountersAreRefused() {
        final var sender = client(Long.MAX_VALUE);
        final var receiver = server();
        final var first = seal(sender, "one!");
        final var second = seal(sender, "two!");
        assertEquals("two!", open(receiver, second));
        assertEquals("one!", open(receiver, first), "reordered within the window is fine");
        assertNull(open(receiver, first), "a replay");
        assertNull(open(receiver, second), "a replay");
        assertEquals(2, receiver.replayed());
        final var late = seal(sender, "late!");
        for (int i = 0; i < ReplayWindow.SIZE; i++) {
            sender.seal(ALLOC, Unpooled.copiedBuffer(new byte[] {1})).release();
        }
        assertEquals("newest", open(receiver, seal(sender, "newest")));
        assertNull(open(receiver, late), "never seen, but out of the window by now");
    }

    @Test
    void keysRotateAndOvertakenDatagramsStillOpen() {
        final var sender = client(3);
        final var receiver = server();
        final var sealed = new ArrayList<ByteBuf>();
        for (int i = 0; i < 10; i++) {
            sealed.add(seal(sender, "msg" + i));
        }
        assertNotEquals(sealed.get(0).getByte(0) & 1, sealed.get(4).getByte(0) & 1, "the phase flipped");
        // 0..3 under the first key, 4..6 the second, 7..9 the third; 3 is overtaken by 4.
        for (int i : new int[] {0, 1, 2, 4, 3, 5, 6, 7, 8, 9}) {
            assertEquals("msg" + i, open(receiver, sealed.get(i)), "message " + i);
        }
        final var stale = new SealedChannel(7, toServer, toClient, Long.MAX_VALUE, Long.MAX_VALUE);
        for (int i = 0; i < 11; i++) {
            stale.seal(ALLOC, Unpooled.copiedBuffer(new byte[] {1})).release();
        }
        assertNull(open(receiver, seal(stale, "old key")), "the first key is gone after two rotations");
    }

    @Test
    void everyFlippedBitIsRefused() {
        final var sender = client(Long.MAX_VALUE);
        final var receiver = server();
        final var datagram = seal(sender, "a frame");
        for (int i = 0; i < datagram.readableBytes(); i++) {
            for (int bit = 0; bit < 8; bit++) {
                final var copy = Unpooled.copiedBuffer(datagram);
                copy.setByte(i, copy.getByte(i) ^ 1 << bit);
                try {
                    assertNull(open(receiver, copy), "byte " + i + " bit " + bit + " flipped");
                } finally {
                    copy.release();
                }
            }
        }
        assertEquals("a frame", open(receiver, datagram), "the original still opens");
    }

    static Map<String, byte[]> vectors() throws IOException {
        final var vectors = new LinkedHashMap<String, byte[]>();
        try (InputStream in = SealedChannelTest.class.getResourceAsStream("/sealed-vectors.txt")) {
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

    private static byte[] filled(final int value) {
        final var key = new byte[32];
        Arrays.fill(key, (byte) value);
        return key;
    }

    private static String hex(final byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    private static byte[] bytes(final ByteBuf sealed) {
        try {
            return ByteBufUtil.getBytes(sealed);
        } finally {
            sealed.release();
        }
    }

    @Test
    void pathChallengeAndResponseMatchTheVectors() throws IOException {
        final var vectors = vectors();
        final long token = 0x0102030405060708L;
        final var client = new SealedChannel(0x01020304L, filled(0x11), filled(0x22), Long.MAX_VALUE, Long.MAX_VALUE);
        final var server = new SealedChannel(0x01020304L, filled(0x22), filled(0x11), Long.MAX_VALUE, Long.MAX_VALUE);
        final var keepalive = client.seal(ALLOC, Unpooled.wrappedBuffer(Wire.bytes(new Message.Keepalive(9))));
        assertEquals(hex(vectors.get("sealed-keepalive")), hex(bytes(keepalive)));
        final var challenge = bytes(server.sealPath(ALLOC, SealedChannel.PATH_CHALLENGE, token));
        assertEquals(hex(vectors.get("path-challenge")), hex(challenge));
        final var response = bytes(client.sealPath(ALLOC, SealedChannel.PATH_RESPONSE, token));
        assertEquals(hex(vectors.get("path-response")), hex(response));

        final var atClient = Unpooled.wrappedBuffer(challenge);
        assertTrue(SealedChannel.isSealed(atClient) && SealedChannel.isPath(atClient));
        final var opened = client.open(ALLOC, atClient);
        try {
            assertEquals(token, SealedChannel.pathToken(opened, SealedChannel.PATH_CHALLENGE).orElseThrow());
            assertTrue(SealedChannel.pathToken(opened, SealedChannel.PATH_RESPONSE).isEmpty(), "not a response");
        } finally {
            opened.release();
        }
        final var sealedKeepalive = Unpooled.wrappedBuffer(vectors.get("sealed-keepalive"));
        assertFalse(SealedChannel.isPath(sealedKeepalive));
        final var relabelled = Unpooled.copiedBuffer(sealedKeepalive);
        relabelled.setByte(0, relabelled.getByte(0) | SealedChannel.PATH);
        try {
            assertNull(open(server, relabelled), "the path bit is authenticated: no message passes for one");
        } finally {
            relabelled.release();
        }
        final var plain = server.open(ALLOC, sealedKeepalive);
        try {
            assertEquals(new Message.Keepalive(9), Wire.decode(ByteBufUtil.getBytes(plain), plain.readableBytes()));
        } finally {
            plain.release();
        }
        final var echoed = server.open(ALLOC, Unpooled.wrappedBuffer(response));
        try {
            assertEquals(token, SealedChannel.pathToken(echoed, SealedChannel.PATH_RESPONSE).orElseThrow());
        } finally {
            echoed.release();
        }
    }

    @Test
    void theClientCodecSealsAFrameAndReleasesItOnce() {
        // A Data message's frame becomes part of the sealed buffer; the codec must not release it a second time
        // (which threw for every frame the client sent over UDP, and could free a buffer already reused).
        final var ticket = new Message.Ticket(7, 30, toServer, toClient);
        final var codec = new EmbeddedChannel(new SealedDatagramCodec(ticket));
        final var server = server();
        try {
            final var frame = ALLOC.directBuffer().writeBytes(new byte[60]).setByte(0, 0xff);
            codec.writeOutbound(new Message.Data(3, frame));
            codec.checkException();
            assertEquals(0, frame.refCnt(), "the frame is released once it is sealed");
            final ByteBuf sealed = codec.readOutbound();
            final var plain = server.open(ALLOC, sealed);
            try {
                final var message = (Message.Data) Wire.decode(ByteBufUtil.getBytes(plain), plain.readableBytes());
                assertEquals(3, message.vlanRef());
                assertEquals(60, message.content().readableBytes());
                message.release();
            } finally {
                plain.release();
                sealed.release();
            }
        } finally {
            codec.finishAndReleaseAll();
        }
    }

    @Test
    void theClientCodecEchoesAChallengeAndPassesNothingOn() {
        final var ticket = new Message.Ticket(7, 30, toServer, toClient);
        final var codec = new EmbeddedChannel(new SealedDatagramCodec(ticket));
        final var server = server();
        final var from = new InetSocketAddress("127.0.0.1", 4000);
        try {
            codec.writeInbound(new DatagramPacket(server.sealPath(ALLOC, SealedChannel.PATH_CHALLENGE, 42), null,
                from));
            assertNull(codec.readInbound(), "a challenge is not a message");
            final ByteBuf response = codec.readOutbound();
            final var plain = server.open(ALLOC, response);
            try {
                assertTrue(SealedChannel.isPath(response));
                assertEquals(42, SealedChannel.pathToken(plain, SealedChannel.PATH_RESPONSE).orElseThrow());
            } finally {
                plain.release();
                response.release();
            }
            // a response sent to a client is no challenge: no answer, no message
            codec.writeInbound(new DatagramPacket(server.sealPath(ALLOC, SealedChannel.PATH_RESPONSE, 43), null,
                from));
            assertNull(codec.readInbound());
            assertNull(codec.readOutbound());
        } finally {
            codec.finishAndReleaseAll();
        }
    }
}
