/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.benchmarks;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
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
import org.serval.dataplane.switching.SwitchPort;
import org.serval.dataplane.switching.VlanSwitch;

/**
 * One VLAN's switch: a learned unicast frame to its one port, and a broadcast to every other member, with ports
 * that consume their frames as a link would.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SwitchBenchmark {
    /**
     * A member that takes its frame and lets it go, counting.
     */
    static final class Sink implements SwitchPort {
        private final String name;
        long frames;

        Sink(final String name) {
            this.name = name;
        }

        @Override
        public void deliver(final ByteBuf frame) {
            frames++;
            frame.release();
        }

        @Override
        public String owner() {
            return name;
        }
    }

    @Param({ "2", "16" })
    public int members;

    private VlanSwitch vlanSwitch;
    private final List<Sink> sinks = new ArrayList<>();
    private ByteBuf unicast;
    private ByteBuf broadcast;

    private static ByteBuf frame(final long dst, final long src) {
        final var frame = PooledByteBufAllocator.DEFAULT.directBuffer(64);
        frame.writeShort((int) (dst >>> 32)).writeInt((int) dst).writeShort((int) (src >>> 32)).writeInt((int) src)
            .writeShort(0x0800).writeZero(50);
        return frame;
    }

    @Setup
    public void setUp() {
        vlanSwitch = new VlanSwitch("bench", 8192, 256, TimeUnit.MINUTES.toNanos(5), true);
        for (int i = 0; i < members; i++) {
            final var sink = new Sink("m" + i);
            sinks.add(sink);
            vlanSwitch.attach(sink);
        }
        final long now = System.nanoTime();
        // The destination announces itself, so that unicast to it is learned.
        vlanSwitch.receive(sinks.get(1), frame(0xFFFFFFFFFFFFL, 0x020000000002L), now);
        unicast = frame(0x020000000002L, 0x020000000001L);
        broadcast = frame(0xFFFFFFFFFFFFL, 0x020000000001L);
    }

    @TearDown
    public void tearDown() {
        unicast.release();
        broadcast.release();
    }

    @Benchmark
    public long forwardUnicast() {
        vlanSwitch.receive(sinks.get(0), unicast.retainedDuplicate(), System.nanoTime());
        return sinks.get(1).frames;
    }

    @Benchmark
    public long floodBroadcast() {
        vlanSwitch.receive(sinks.get(0), broadcast.retainedDuplicate(), System.nanoTime());
        return sinks.get(1).frames;
    }
}
