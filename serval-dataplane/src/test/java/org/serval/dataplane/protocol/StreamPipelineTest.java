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
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A server's framer before login: nothing longer than the longest HELLO is taken from a stranger, refused at its
 * header, before the bytes it announces arrive; after login DATA_OFFLOAD's 64 KB are allowed again.
 */
@ExtendWith(LeakCheck.class)
class StreamPipelineTest {
    private static byte[] header(final int type, final int body) {
        return new byte[] {1, (byte) type, (byte) (body >> 8), (byte) body};
    }

    private static EmbeddedChannel server() {
        final var channel = new EmbeddedChannel();
        StreamPipeline.addServerProtocol(channel.pipeline());
        return channel;
    }

    /**
     * The longest HELLO the codec can write: both str8 fields full, the auth data filling the rest.
     */
    private static Message.Hello longestHello() {
        final int fixed = MessageCodec.HEADER + 1 + (1 + 255) + 1 + (1 + 255) + 1 + 2;
        return new Message.Hello(1, "c".repeat(255), 0, "u".repeat(255), Message.Hello.AUTH_PASSWORD,
            "p".repeat(MessageCodec.MAX_MESSAGE - fixed));
    }

    @Test
    void theLimitIsTheLongestHelloTheCodecWrites() {
        final var bytes = Wire.bytes(longestHello());
        assertEquals(StreamPipeline.MAX_BEFORE_LOGIN, bytes.length);
        final var longer = longestHello();
        assertThrows(IllegalArgumentException.class, () -> Wire.bytes(new Message.Hello(1, longer.clientId(), 0,
            longer.user(), longer.authMethod(), longer.authData() + "p")), "the codec writes no longer HELLO");
    }

    @Test
    void theLongestHelloPassesBeforeLogin() {
        final var channel = server();
        final var hello = longestHello();
        channel.writeInbound(Unpooled.wrappedBuffer(Wire.bytes(hello)));
        assertEquals(hello, channel.readInbound());
        assertFalse(channel.finish());
    }

    @Test
    void beforeLoginAnOffloadHeaderIsRefusedAtOnce() {
        final var channel = server();
        // 6 bytes of a DATA_OFFLOAD that announces 65,535: a client that has not logged in sends no frames
        final var failure = assertThrows(DecoderException.class, () -> channel.writeInbound(Unpooled.wrappedBuffer(
            header(MessageCodec.TYPE_DATA_OFFLOAD, 0xFFFF), new byte[] {0, 7})));
        assertInstanceOf(TooLongFrameException.class, failure);
        channel.finishAndReleaseAll();
    }

    @Test
    void beforeLoginOneByteOverTheLongestHelloIsRefused() {
        final var channel = server();
        final int body = StreamPipeline.MAX_BEFORE_LOGIN - MessageCodec.HEADER + 1;
        for (int type : new int[] {0x01, MessageCodec.TYPE_DATA_OFFLOAD}) {
            final var fresh = server();
            final var failure = assertThrows(DecoderException.class,
                () -> fresh.writeInbound(Unpooled.wrappedBuffer(header(type, body))));
            assertInstanceOf(TooLongFrameException.class, failure, "type " + type);
            fresh.finishAndReleaseAll();
        }
        // exactly the limit is waited for
        assertFalse(channel.writeInbound(Unpooled.wrappedBuffer(header(0x01, body - 1))));
        channel.finishAndReleaseAll();
    }

    @Test
    void afterLoginOffloadIsWaitedFor() {
        final var channel = server();
        channel.pipeline().fireUserEventTriggered(StreamPipeline.LOGGED_IN);
        assertFalse(channel.writeInbound(Unpooled.wrappedBuffer(header(MessageCodec.TYPE_DATA_OFFLOAD, 0xFFFF),
            new byte[] {0, 7})), "a logged-in client's super-frame is on its way");
        channel.finishAndReleaseAll();
    }

    @Test
    void aClientsEndTakesOffloadFromTheStart() {
        final var channel = new EmbeddedChannel();
        StreamPipeline.addProtocol(channel.pipeline());
        assertFalse(channel.writeInbound(Unpooled.wrappedBuffer(header(MessageCodec.TYPE_DATA_OFFLOAD, 0xFFFF))));
        channel.finishAndReleaseAll();
    }
}
