/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The bridge-port measurement's arithmetic on two ports joined by bounded queues (the real ports need root and
 * namespaces: bench/bridge-port.sh): what one sends the other counts, nothing is counted lost that arrived, and
 * every round trip is answered. It measures nothing.
 */
class BridgePortMeasurementTest {
    private static final class QueuePort implements BridgePortMeasurement.Port {
        final BlockingQueue<ByteBuf> in = new ArrayBlockingQueue<>(1024);
        QueuePort peer;

        @Override
        public ByteBuf receive() throws java.io.IOException {
            try {
                return in.poll(50, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.IOException(e);
            }
        }

        @Override
        public boolean send(final ByteBuf frame) {
            final var copy = frame.copy();
            if (peer.in.offer(copy)) {
                return true;
            }
            copy.release();
            return false;
        }

        @Override
        public void close() {
            for (var left = in.poll(); left != null; left = in.poll()) {
                left.release();
            }
        }
    }

    @Test
    void countsWhatCrossesAndAnswersEveryRoundTrip() throws Exception {
        try (var port = new QueuePort(); var wire = new QueuePort()) {
            port.peer = wire;
            wire.peer = port;
            final var result = BridgePortMeasurement.measure(port, wire, 1, 64, ByteBufAllocator.DEFAULT);
            assertTrue(result.inPerSecond() > 0 && result.outPerSecond() > 0, result.toString());
            assertEquals(0, result.inLoss(), 1e-9, "what was sent and taken arrived");
            assertEquals(0, result.outLoss(), 1e-9);
            assertTrue(result.rttP50Micros() > 0 && result.rttP99Micros() >= result.rttP50Micros(), result.toString());
        }
    }
}
