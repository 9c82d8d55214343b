/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.bridge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.serval.dataplane.protocol.LeakCheck;

/**
 * The packet socket on the real loopback interface (root only; skipped otherwise): a frame one socket sends is read
 * by another, an 802.1Q tag it inserts comes back as the kernel's metadata, and what is sent out is not read as it
 * leaves.
 */
@ExtendWith(LeakCheck.class)
class PacketSocketTest {
    // an EtherType reserved for local experiments (IEEE 802), which no stack on the host acts on
    private static final int EXPERIMENTAL = 0x88B5;

    private static byte[] frame(final byte marker) {
        final var frame = new byte[60];
        // to and from 00:00:00:00:00:00, loopback's address, so that the kernel takes it as this host's
        frame[12] = (byte) (EXPERIMENTAL >>> 8);
        frame[13] = (byte) EXPERIMENTAL;
        Arrays.fill(frame, 14, 60, marker);
        return frame;
    }

    private static Wire.Received next(final PacketSocket socket, final byte marker) throws IOException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            final var received = socket.receive();
            if (received == null || received.frame() == null) {
                continue;
            }
            final var frame = received.frame();
            if (frame.readableBytes() == 60 && frame.getUnsignedShort(12) == EXPERIMENTAL
                    && frame.getByte(14) == marker) {
                return received;
            }
            // other traffic on loopback
            frame.release();
        }
        return null;
    }

    @Test
    void framesCrossLoopbackWithTheirTags() throws IOException {
        assumeTrue("root".equals(System.getProperty("user.name")), "packet sockets need CAP_NET_RAW");
        assumeTrue(new LinuxWires().presence("lo").up(), "no loopback interface up");
        try (var sender = PacketSocket.open("lo", ByteBufAllocator.DEFAULT);
             var receiver = PacketSocket.open("lo", ByteBufAllocator.DEFAULT)) {
            final var plain = frame((byte) 0x5A);
            assertTrue(sender.send(Unpooled.wrappedBuffer(plain), 0));
            final var got = next(receiver, (byte) 0x5A);
            assertNotNull(got, "the frame came back on loopback");
            try {
                assertEquals(Wire.Received.NO_TAG, got.tci());
                assertArrayEquals(plain, ByteBufUtil.getBytes(got.frame()));
            } finally {
                got.frame().release();
            }
            // one copy only: loopback hands the frame back in, and the copy the kernel shows every packet socket
            // as it goes out (what the node itself sends on the interface) is not read
            assertEquals(null, next(receiver, (byte) 0x5A));

            assertTrue(sender.send(Unpooled.wrappedBuffer(frame((byte) 0x7B)), 10));
            final var tagged = next(receiver, (byte) 0x7B);
            assertNotNull(tagged, "the tagged frame came back, untagged with the tag in its metadata ");
            try {
                assertEquals(10, tagged.tci() & 0x0FFF);
            } finally {
                tagged.frame().release();
            }
        }
    }

    /**
     * The markers of the experimental frames read until the one with {@code last} (which is included).
     */
    private static List<Byte> markersUntil(final PacketSocket socket, final byte last) throws IOException {
        final var markers = new ArrayList<Byte>();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            final var received = socket.receive();
            if (received == null || received.frame() == null) {
                continue;
            }
            final var frame = received.frame();
            try {
                if (frame.readableBytes() == 60 && frame.getUnsignedShort(12) == EXPERIMENTAL) {
                    markers.add(frame.getByte(14));
                    if (frame.getByte(14) == last) {
                        return markers;
                    }
                }
            } finally {
                frame.release();
            }
        }
        return markers;
    }

    @Test
    void theKernelKeepsWhatThePortsDoNotCarry() throws IOException {
        assumeTrue("root".equals(System.getProperty("user.name")), "packet sockets need CAP_NET_RAW");
        assumeTrue(new LinuxWires().presence("lo").up(), "no loopback interface up");
        try (var sender = PacketSocket.open("lo", ByteBufAllocator.DEFAULT);
             var trunk = PacketSocket.open("lo", ByteBufAllocator.DEFAULT);
             var access = PacketSocket.open("lo", ByteBufAllocator.DEFAULT)) {
            trunk.carry(Set.of(10, 30));
            access.carry(Set.of(0));
            // loopback keeps the order: whatever a socket did not get before the last frame, it never gets
            assertTrue(sender.send(Unpooled.wrappedBuffer(frame((byte) 1)), 20));
            assertTrue(sender.send(Unpooled.wrappedBuffer(frame((byte) 2)), 0));
            assertTrue(sender.send(Unpooled.wrappedBuffer(frame((byte) 3)), 10));
            assertTrue(sender.send(Unpooled.wrappedBuffer(frame((byte) 4)), 0));
            assertEquals(List.of((byte) 3), markersUntil(trunk, (byte) 3), "vid 10 only");
            assertEquals(List.of((byte) 2, (byte) 4), markersUntil(access, (byte) 4), "untagged only");

            // the set changes: the program is replaced
            trunk.carry(Set.of(20));
            assertTrue(sender.send(Unpooled.wrappedBuffer(frame((byte) 5)), 10));
            assertTrue(sender.send(Unpooled.wrappedBuffer(frame((byte) 6)), 20));
            assertEquals(List.of((byte) 6), markersUntil(trunk, (byte) 6), "vid 20 now, not 10");
        }
    }
}
