/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.benchmarks;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.IOException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.serval.dataplane.bridge.LinuxWires;
import org.serval.dataplane.bridge.Wire;

/**
 * How fast a node's port onto a Linux interface can be, two ways (issue 15: "a packet socket, or a TAP in a Linux
 * bridge: measure which is faster"): (a) SERVAL's own packet socket ({@link LinuxWires}, AF_PACKET with its BPF
 * filter) on one end of a veth pair, (b) a TAP interface enslaved with one end of a veth pair to a Linux bridge,
 * read and written as a client reads its TAP. In both, a packet socket on the other end of the veth ("the wire")
 * sends and receives the frames. Three figures per way: frames per second from the wire into the port, from the
 * port out to the wire, and the round trip wire, port, wire of one frame at a time (the port echoes it).
 *
 * <p>{@code bench/bridge-port.sh} makes the interfaces in a namespace of its own and runs this inside it:
 * {@code packet PORT WIRE [SECONDS] [SIZE]} or {@code tap TAP WIRE [SECONDS] [SIZE]}. Each port copies every frame
 * into a direct buffer, as the node does, so that the two ways do the same work.
 */
public final class BridgePortMeasurement {
    // an EtherType reserved for local experiments (IEEE 802): nothing in the namespace acts on these frames
    private static final int EXPERIMENTAL = 0x88B5;
    private static final long WIRE_MAC = 0x02_00_00_00_00_01L;
    private static final long PORT_MAC = 0x02_00_00_00_00_02L;
    private static final int MACS = 12;
    private static final int SEQUENCE = 14;
    private static final long QUIET_NANOS = TimeUnit.MILLISECONDS.toNanos(300);
    private static final int ROUND_TRIPS = 20_000;

    private BridgePortMeasurement() {
    }

    /**
     * One side of the measurement: frames in and out, each receive waiting a short while at most.
     */
    interface Port extends AutoCloseable {
        /**
         * A frame, or null when none came within a short while.
         */
        ByteBuf receive() throws IOException;

        /**
         * Sends a frame; the caller keeps it.
         */
        boolean send(ByteBuf frame) throws IOException;

        @Override
        void close();
    }

    /**
     * SERVAL's packet socket, as a bridged interface uses it (an access port: its filter passes untagged frames).
     */
    private static final class PacketPort implements Port {
        private final Wire wire;

        PacketPort(final String iface, final ByteBufAllocator alloc) throws IOException {
            wire = new LinuxWires().open(iface, alloc);
            wire.carry(Set.of(0));
        }

        @Override
        public ByteBuf receive() throws IOException {
            final var received = wire.receive();
            return received == null ? null : received.frame();
        }

        @Override
        public boolean send(final ByteBuf frame) throws IOException {
            return wire.send(frame, 0);
        }

        @Override
        public void close() {
            wire.close();
        }
    }

    /**
     * The C library's calls a TAP needs, as JNA maps them.
     */
    private interface LibC extends Library {
        int open(String path, int flags) throws LastErrorException;

        int ioctl(int fd, long request, Memory arg) throws LastErrorException;

        int poll(Memory fds, long count, int timeoutMillis) throws LastErrorException;

        long read(int fd, Memory buffer, long length) throws LastErrorException;

        long write(int fd, Memory buffer, long length) throws LastErrorException;

        int close(int fd) throws LastErrorException;
    }

    /**
     * A TAP interface that already exists (made persistent by the script, a port of its bridge), attached to.
     */
    private static final class TapPort implements Port {
        private static final int O_RDWR = 2;
        private static final long TUNSETIFF = 0x400454CAL;
        private static final int IFF_TAP = 0x0002;
        private static final int IFF_NO_PI = 0x1000;
        private static final short POLLIN = 1;
        private static final int WAIT_MILLIS = 200;
        private static final LibC LIBC = Native.load("c", LibC.class);

        private final int fd;
        private final ByteBufAllocator alloc;
        private final Memory pollFd = new Memory(8);
        private final Memory in = new Memory(65_536);
        private final Memory out = new Memory(65_536);

        TapPort(final String name, final ByteBufAllocator alloc) throws IOException {
            this.alloc = alloc;
            try {
                fd = LIBC.open("/dev/net/tun", O_RDWR);
            } catch (LastErrorException e) {
                throw new IOException("cannot open /dev/net/tun: errno " + e.getErrorCode(), e);
            }
            // struct ifreq: the name, then the flags
            final var ifreq = new Memory(40);
            ifreq.clear();
            ifreq.write(0, name.getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, name.length());
            ifreq.setShort(16, (short) (IFF_TAP | IFF_NO_PI));
            try {
                LIBC.ioctl(fd, TUNSETIFF, ifreq);
            } catch (LastErrorException e) {
                close();
                throw new IOException("cannot attach to TAP " + name + ": errno " + e.getErrorCode(), e);
            }
        }

        @Override
        public ByteBuf receive() throws IOException {
            pollFd.setInt(0, fd);
            pollFd.setShort(4, POLLIN);
            pollFd.setShort(6, (short) 0);
            try {
                if (LIBC.poll(pollFd, 1, WAIT_MILLIS) <= 0) {
                    return null;
                }
                final int length = (int) LIBC.read(fd, in, in.size());
                final var frame = alloc.directBuffer(length);
                frame.writeBytes(in.getByteBuffer(0, length));
                return frame;
            } catch (LastErrorException e) {
                throw new IOException("reading the TAP failed: errno " + e.getErrorCode(), e);
            }
        }

        @Override
        public boolean send(final ByteBuf frame) throws IOException {
            final int length = frame.readableBytes();
            frame.getBytes(frame.readerIndex(), out.getByteBuffer(0, length));
            try {
                return LIBC.write(fd, out, length) == length;
            } catch (LastErrorException e) {
                throw new IOException("writing the TAP failed: errno " + e.getErrorCode(), e);
            }
        }

        @Override
        public void close() {
            try {
                LIBC.close(fd);
            } catch (LastErrorException e) {
                // nothing left to free
            }
        }
    }

    /**
     * What one way achieved.
     */
    record Result(double inPerSecond, double inLoss, double outPerSecond, double outLoss, double rttP50Micros,
            double rttP99Micros) {
    }

    private static ByteBuf frame(final ByteBufAllocator alloc, final long dst, final long src, final long sequence,
            final int size) {
        final var frame = alloc.directBuffer(size);
        frame.writeShort((int) (dst >>> 32)).writeInt((int) dst);
        frame.writeShort((int) (src >>> 32)).writeInt((int) src);
        frame.writeShort(EXPERIMENTAL).writeLong(sequence);
        frame.writeZero(size - frame.readableBytes());
        return frame;
    }

    private static boolean ours(final ByteBuf frame) {
        return frame.readableBytes() >= SEQUENCE + 8
            && frame.getUnsignedShort(frame.readerIndex() + MACS) == EXPERIMENTAL;
    }

    /**
     * Sends for a while as fast as the sender can while the receiver counts; returns frames received per second and
     * the share of frames sent that never arrived.
     */
    private static double[] stream(final Port from, final Port to, final boolean fromWire, final long seconds,
            final int size, final ByteBufAllocator alloc) throws IOException, InterruptedException {
        final var received = new AtomicLong();
        final var failure = new AtomicReference<IOException>();
        final var counting = new AtomicBoolean(true);
        final var counter = new Thread(() -> {
            long lastNanos = System.nanoTime();
            try {
                while (true) {
                    final var frame = to.receive();
                    if (frame != null) {
                        if (ours(frame)) {
                            received.incrementAndGet();
                            lastNanos = System.nanoTime();
                        }
                        frame.release();
                    }
                    if (!counting.get() && System.nanoTime() - lastNanos > QUIET_NANOS) {
                        return;
                    }
                }
            } catch (IOException e) {
                failure.set(e);
            }
        }, "bridge-port-counter");
        counter.start();
        // each side's MAC as its source, so that a Linux bridge learns where each is
        final var frame = fromWire ? frame(alloc, PORT_MAC, WIRE_MAC, 0, size) : frame(alloc, WIRE_MAC, PORT_MAC, 0,
            size);
        long sent = 0;
        final long start = System.nanoTime();
        final long end = start + TimeUnit.SECONDS.toNanos(seconds);
        try {
            while (System.nanoTime() < end) {
                for (int i = 0; i < 64; i++) {
                    if (from.send(frame)) {
                        sent++;
                    }
                }
            }
        } finally {
            frame.release();
            counting.set(false);
        }
        final double elapsed = (System.nanoTime() - start) / 1e9;
        counter.join();
        if (failure.get() != null) {
            throw failure.get();
        }
        final long got = received.get();
        return new double[] {got / elapsed, sent == 0 ? 0 : Math.max(0, sent - got) / (double) sent};
    }

    /**
     * One frame at a time from the wire to the port, which sends it straight back: round trips in nanoseconds.
     */
    private static long[] roundTrips(final Port wire, final Port port, final long seconds, final int size,
            final ByteBufAllocator alloc) throws IOException, InterruptedException {
        final var echoing = new AtomicBoolean(true);
        final var echo = new Thread(() -> {
            try {
                while (echoing.get()) {
                    final var frame = port.receive();
                    if (frame == null) {
                        continue;
                    }
                    if (ours(frame)) {
                        final var back = frame(alloc, WIRE_MAC, PORT_MAC, frame.getLong(frame.readerIndex()
                            + SEQUENCE), size);
                        port.send(back);
                        back.release();
                    }
                    frame.release();
                }
            } catch (IOException e) {
                // the measurement sees the missing answers
            }
        }, "bridge-port-echo");
        echo.start();
        final var times = new long[ROUND_TRIPS];
        int count = 0;
        final long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        try {
            for (long sequence = 1; count < times.length && System.nanoTime() < end; sequence++) {
                final var frame = frame(alloc, PORT_MAC, WIRE_MAC, sequence, size);
                final long sentAt = System.nanoTime();
                wire.send(frame);
                frame.release();
                final long deadline = sentAt + TimeUnit.SECONDS.toNanos(1);
                while (System.nanoTime() < deadline) {
                    final var answer = wire.receive();
                    if (answer == null) {
                        continue;
                    }
                    final boolean match = ours(answer) && answer.getLong(answer.readerIndex() + SEQUENCE) == sequence;
                    answer.release();
                    if (match) {
                        times[count++] = System.nanoTime() - sentAt;
                        break;
                    }
                }
            }
        } finally {
            echoing.set(false);
        }
        echo.join();
        return Arrays.copyOf(times, count);
    }

    private static double percentileMicros(final long[] sorted, final double share) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        return sorted[Math.min(sorted.length - 1, (int) (sorted.length * share))] / 1_000.0;
    }

    /**
     * Measures one way: frames from the wire into the port, from the port out, and round trips.
     */
    static Result measure(final Port port, final Port wire, final long seconds, final int size,
            final ByteBufAllocator alloc) throws IOException, InterruptedException {
        final var in = stream(wire, port, true, seconds, size, alloc);
        final var out = stream(port, wire, false, seconds, size, alloc);
        final var rtts = roundTrips(wire, port, seconds, size, alloc);
        Arrays.sort(rtts);
        return new Result(in[0], in[1], out[0], out[1], percentileMicros(rtts, 0.5), percentileMicros(rtts, 0.99));
    }

    /**
     * {@code packet|tap PORT WIRE [SECONDS] [SIZE]}: prints one row of the table in bench/README.md.
     */
    @SuppressWarnings("checkstyle:RegexpSinglelineJava")
    public static void main(final String[] args) throws IOException, InterruptedException {
        if (args.length < 3 || !Set.of("packet", "tap").contains(args[0])) {
            throw new IllegalArgumentException("usage: packet|tap PORT WIRE [SECONDS] [SIZE]");
        }
        final long seconds = args.length > 3 ? Long.parseLong(args[3]) : 10;
        final int size = args.length > 4 ? Integer.parseInt(args[4]) : 64;
        if (size < SEQUENCE + 8 || size > 1514) {
            throw new IllegalArgumentException("frame size " + size + " is not in 22..1514");
        }
        final var alloc = PooledByteBufAllocator.DEFAULT;
        try (Port wire = new PacketPort(args[2], alloc);
             Port port = "packet".equals(args[0]) ? new PacketPort(args[1], alloc) : new TapPort(args[1], alloc)) {
            final var result = measure(port, wire, seconds, size, alloc);
            System.out.println(String.format(Locale.ROOT, "| %s | %d | %.0f | %.1f %% | %.0f | %.1f %% | %.1f | %.1f |",
                "packet".equals(args[0]) ? "packet socket (AF_PACKET + BPF)" : "TAP in a Linux bridge", size,
                result.inPerSecond(), result.inLoss() * 100, result.outPerSecond(), result.outLoss() * 100,
                result.rttP50Micros(), result.rttP99Micros()));
        }
    }
}
