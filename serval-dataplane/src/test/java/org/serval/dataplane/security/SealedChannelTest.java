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
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.serval.dataplane.protocol.LeakCheck;

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
}
