/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.protocol;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.serval.api.LocalVlanView;
import org.serval.api.VlanInfo;
import org.serval.dataplane.session.Dataplane;
import org.serval.dataplane.session.DataplaneSettings;
import org.serval.dataplane.session.StreamLink;
import org.serval.dataplane.session.TestUsers;
import org.serval.dataplane.session.ViewRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mutation fuzzing of the protocol decoders, run with every build: the test vectors, bit-flipped, overwritten,
 * truncated, extended, spliced and with random length fields, first through the codec, then as a stream into a
 * logged-in session beside another member. Nothing may throw but a {@link ProtocolException}, no buffer may leak
 * (paranoid leak detection), and the other member must still get its frames. The seed is logged, and
 * {@code -Dserval.fuzz.seed=N} replays a run; {@code -Dserval.fuzz.rounds=N} runs longer.
 */
@ExtendWith(LeakCheck.class)
class MessageFuzzTest {
    private static final Logger LOG = LoggerFactory.getLogger(MessageFuzzTest.class);
    private static final long SEED = Long.getLong("serval.fuzz.seed", System.nanoTime());
    private static final int ROUNDS = Integer.getInteger("serval.fuzz.rounds", 20_000);
    private final Random random = new Random(SEED);
    private final List<EmbeddedChannel> channels = new ArrayList<>();

    @AfterEach
    void close() {
        channels.forEach(EmbeddedChannel::finishAndReleaseAll);
    }

    private static List<byte[]> seeds() throws Exception {
        return new ArrayList<>(MessageCodecTest.vectors().values());
    }

    private byte[] mutate(final List<byte[]> seeds) {
        var bytes = seeds.get(random.nextInt(seeds.size())).clone();
        final int mutations = 1 + random.nextInt(4);
        for (int m = 0; m < mutations; m++) {
            switch (random.nextInt(6)) {
                case 0 -> {
                    if (bytes.length > 0) {
                        final int at = random.nextInt(bytes.length);
                        bytes[at] ^= (byte) (1 << random.nextInt(8));
                    }
                }
                case 1 -> {
                    if (bytes.length > 0) {
                        bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
                    }
                }
                case 2 -> bytes = java.util.Arrays.copyOf(bytes, random.nextInt(bytes.length + 1));
                case 3 -> {
                    final var longer = java.util.Arrays.copyOf(bytes, bytes.length + 1 + random.nextInt(64));
                    for (int i = bytes.length; i < longer.length; i++) {
                        longer[i] = (byte) random.nextInt(256);
                    }
                    bytes = longer;
                }
                case 4 -> {
                    if (bytes.length >= 4) {
                        final int length = random.nextBoolean() ? random.nextInt(65_536) : bytes.length - 4
                            + random.nextInt(9) - 4;
                        bytes[2] = (byte) (length >> 8);
                        bytes[3] = (byte) length;
                    }
                }
                default -> {
                    final var other = seeds.get(random.nextInt(seeds.size()));
                    final int cut = random.nextInt(bytes.length + 1);
                    final var spliced = java.util.Arrays.copyOf(bytes, cut + other.length);
                    System.arraycopy(other, 0, spliced, cut, other.length);
                    bytes = spliced;
                }
            }
        }
        return bytes;
    }

    @Test
    void theCodecRefusesOrDecodesEveryMutation() throws Exception {
        LOG.info("Fuzzing the codec with seed {} for {} rounds", SEED, ROUNDS);
        final var seeds = seeds();
        int decoded = 0;
        for (int round = 0; round < ROUNDS; round++) {
            final var input = mutate(seeds);
            final int at = round;
            if (assertDoesNotThrow(() -> decodes(input), () -> "seed " + SEED + " round " + at + ": "
                    + java.util.HexFormat.of().formatHex(input))) {
                decoded++;
            }
        }
        assertTrue(decoded > 0, "some mutations are still messages, so the session below gets some");
    }

    /**
     * Decodes, and encodes again what decoded: the codec never accepts what it could not say.
     *
     * @return whether the input was a message; false when it was refused, as most are
     */
    private static boolean decodes(final byte[] input) {
        final var buf = Unpooled.wrappedBuffer(input);
        try {
            final var message = MessageCodec.decode(buf);
            final var again = Unpooled.buffer();
            try {
                MessageCodec.encode(message, again);
            } finally {
                again.release();
                ReferenceCountUtil.release(message);
            }
            return true;
        } catch (ProtocolException e) {
            return false;
        } finally {
            buf.release();
        }
    }

    @Test
    void aSessionSurvivesMutatedStreamsAndItsNeighbourIsUndisturbed() throws Exception {
        final var view = new LocalVlanView();
        view.putVlan(new VlanInfo("red", 0, "", 256, false, null));
        final var dataplane = new Dataplane(DataplaneSettings.defaults("n1"), view, new ViewRegistry(view),
            TestUsers.gatekeeper());
        final var bystander = login(dataplane, "bystander");
        send(bystander, new Message.Join(1, 0x020000000001L, "red"));
        final var seeds = seeds();
        EmbeddedChannel fuzzed = null;
        int logins = 0;
        for (int round = 0; round < ROUNDS / 10; round++) {
            if (fuzzed == null || !fuzzed.isActive()) {
                fuzzed = login(dataplane, "fuzzed");
                send(fuzzed, new Message.Join(1, 0x020000000002L, "red"));
                logins++;
            }
            fuzzed.writeInbound(Unpooled.wrappedBuffer(mutate(seeds)));
            fuzzed.runPendingTasks();
            drain(fuzzed);
        }
        drain(bystander);
        fuzzed = login(dataplane, "fuzzed-last");
        send(fuzzed, new Message.Join(1, 0x020000000003L, "red"));
        drain(fuzzed);
        send(fuzzed, new Message.Data(1, org.serval.dataplane.resolution.Frames.plain(
            org.serval.dataplane.resolution.Frames.BROADCAST, 0x020000000003L, 0x0800)));
        // frames to a client leave with its link's next flush, a task on its loop
        bystander.runPendingTasks();
        final ByteBuf frame = bystander.readOutbound();
        try {
            assertInstanceOf(Message.Data.class, decodeAndRelease(frame), "the bystander still gets frames");
        } finally {
            frame.release();
        }
        LOG.info("Fuzzed a session with seed {}: {} logins", SEED, logins);
        assertTrue(bystander.isActive());
    }

    private static Message decodeAndRelease(final ByteBuf frame) {
        final var message = MessageCodec.decode(frame.duplicate());
        ReferenceCountUtil.release(message);
        return message;
    }

    private EmbeddedChannel login(final Dataplane dataplane, final String id) throws InterruptedException {
        final var channel = new EmbeddedChannel();
        StreamPipeline.addProtocol(channel.pipeline()).addLast("session", new StreamLink(dataplane, "tcp", channel));
        channels.add(channel);
        send(channel, TestUsers.hello(id));
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (channel.outboundMessages().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(2);
            channel.runPendingTasks();
        }
        drain(channel);
        return channel;
    }

    private static void send(final EmbeddedChannel channel, final Message message) {
        Wire.inject(channel, message);
    }

    private static void drain(final EmbeddedChannel channel) {
        channel.runPendingTasks();
        for (Object out = channel.readOutbound(); out != null; out = channel.readOutbound()) {
            ReferenceCountUtil.release(out);
        }
    }
}
