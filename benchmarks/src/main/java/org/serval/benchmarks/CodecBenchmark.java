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
import org.serval.dataplane.protocol.Message;
import org.serval.dataplane.protocol.MessageCodec;

/**
 * The protocol codec on the hot path: a DATA message framed around a frame (no copy) and a DATA message decoded
 * from the bytes a transport received.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CodecBenchmark {
    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;

    @Param({ "64", "1400" })
    public int frameBytes;

    private ByteBuf frame;
    private ByteBuf encoded;

    @Setup
    public void setUp() {
        frame = alloc.directBuffer(frameBytes).writeZero(frameBytes);
        encoded = MessageCodec.toBuffer(alloc, new Message.Data(7, frame.retainedDuplicate()));
    }

    @TearDown
    public void tearDown() {
        frame.release();
        encoded.release();
    }

    @Benchmark
    public int encodeData() {
        final var out = MessageCodec.toBuffer(alloc, new Message.Data(7, frame.retainedDuplicate()));
        final int length = out.readableBytes();
        out.release();
        return length;
    }

    @Benchmark
    public int decodeData() {
        final var message = (Message.Data) MessageCodec.decode(encoded.duplicate());
        final int ref = message.vlanRef();
        message.release();
        return ref;
    }
}
