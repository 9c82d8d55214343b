/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.benchmarks;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.serval.dataplane.security.SealedChannel;

/**
 * Sealed UDP's crypto: one datagram sealed by a sender and opened by its receiver (AES-256-GCM, the replay window
 * and the buffers around them), as the server does twice per forwarded frame.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SealBenchmark {
    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;

    @Param({ "64", "1400" })
    public int messageBytes;

    private SealedChannel sender;
    private SealedChannel receiver;
    private ByteBuf message;

    @Setup
    public void setUp() {
        final var one = new byte[32];
        final var other = new byte[32];
        Arrays.fill(one, (byte) 1);
        Arrays.fill(other, (byte) 2);
        sender = new SealedChannel(1, one, other, SealedChannel.DEFAULT_REKEY_MESSAGES,
            SealedChannel.DEFAULT_REKEY_NANOS);
        receiver = new SealedChannel(1, other, one, SealedChannel.DEFAULT_REKEY_MESSAGES,
            SealedChannel.DEFAULT_REKEY_NANOS);
        message = alloc.directBuffer(messageBytes).writeZero(messageBytes);
    }

    @TearDown
    public void tearDown() {
        message.release();
    }

    @Benchmark
    public int sealAndOpen() {
        final var sealed = sender.seal(alloc, message.retainedDuplicate());
        final var opened = receiver.open(alloc, sealed);
        sealed.release();
        final int length = opened.readableBytes();
        opened.release();
        return length;
    }
}
