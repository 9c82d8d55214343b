/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.serval.client.tap.LinuxTap;
import org.serval.dataplane.ethernet.Coalescer;
import org.serval.dataplane.protocol.Message;

/**
 * The receiving end of issue 18 against a real kernel: TCP segments from the server, each a frame of its own (as
 * over UDP), go through {@link TapBridge} into a TAP with offloads in a network namespace this test makes. The
 * bridge must write them as one super-frame (the TAP counts one packet received), and the kernel must take it:
 * it forwards it out of a second TAP without offloads, cutting it into segments and completing their checksums
 * from the partial one the coalescer left, so that what comes out there is the same segments, checksums valid.
 * Needs root, /dev/net/tun and epoll, as the client does; skipped otherwise.
 */
class CoalescingTapTest {
    interface NetNs extends Library {
        NetNs LIBC = Native.load("c", NetNs.class);
        int CLONE_NEWNET = 0x40000000;

        int open(String path, int flags) throws LastErrorException;

        int setns(int fd, int nstype) throws LastErrorException;

        int close(int fd) throws LastErrorException;
    }

    private static final byte[] IN_MAC = {2, 0x53, 0x56, 0, 0, 0x11};
    private static final byte[] PEER_MAC = {2, 0x53, 0x56, 0, 0, 0x12};
    private static final byte[] OUT_MAC = {2, 0x53, 0x56, 0, 0, 0x13};
    private static final byte[] HOST_MAC = {2, 0x53, 0x56, 0, 0, 0x14};
    private static final int SOURCE = 0x0AFA0002;
    private static final int DESTINATION = 0x0AFB0002;
    private static final int VLAN_REF = 7;
    private static final int SEGMENTS = 14;
    private static final int MSS = 1000;
    private static final long FIRST_SEQ = 0xFFFFF800L;

    private final String namespace = "serval-gro-" + ProcessHandle.current().pid();
    private final ExecutorService inNamespace = Executors.newSingleThreadExecutor();
    private final ExecutorService reader = Executors.newSingleThreadExecutor(runnable -> {
        final var thread = new Thread(runnable, "tap-reader");
        thread.setDaemon(true);
        return thread;
    });
    private final EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    private final List<LinuxTap> taps = new ArrayList<>();

    private static String run(final String... command) throws IOException, InterruptedException {
        final var process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final var output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output);
        }
        return output;
    }

    private <T> T inNs(final Callable<T> task) throws Exception {
        try {
            return inNamespace.submit(task).get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    @BeforeEach
    void makeNamespace() throws Exception {
        final boolean allowed = "root".equals(System.getProperty("user.name"))
            && Files.exists(Path.of("/dev/net/tun")) && Connection.EPOLL;
        if (!allowed && "true".equalsIgnoreCase(System.getenv("CI"))) {
            fail("CI=true and TAP devices cannot be polled here: they need root, /dev/net/tun and epoll");
        }
        assumeTrue(allowed, "TAP devices need root, /dev/net/tun and epoll");
        run("ip", "netns", "add", namespace);
        // forwarding, and no IPv6 chatter into the TAPs
        run("ip", "netns", "exec", namespace, "sh", "-c", "echo 1 > /proc/sys/net/ipv4/ip_forward"
            + " && echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6"
            + " && echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6");
        inNs(() -> {
            final int fd = NetNs.LIBC.open("/var/run/netns/" + namespace, 0);
            try {
                return NetNs.LIBC.setns(fd, NetNs.CLONE_NEWNET);
            } finally {
                NetNs.LIBC.close(fd);
            }
        });
    }

    @AfterEach
    void removeNamespace() throws Exception {
        // the loop first, so that it never polls a closed descriptor
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        for (var tap : taps) {
            tap.close();
        }
        inNamespace.shutdownNow();
        reader.shutdownNow();
        try {
            run("ip", "netns", "del", namespace);
        } catch (IOException e) {
            // it was never made (the test did not run)
        }
    }

    private LinuxTap tap(final String name, final boolean offloads, final byte[] mac) throws Exception {
        final var tap = inNs(() -> {
            final var created = LinuxTap.create(name, offloads);
            created.setMac(mac);
            created.setUp(true);
            return created;
        });
        taps.add(tap);
        return tap;
    }

    private static int fold(final long value) {
        long sum = value;
        while (sum >>> 16 != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) sum;
    }

    private static int sum16(final ByteBuf buf, final int from, final int to, final long initial) {
        long sum = initial;
        for (int at = from; at < to; at += 2) {
            sum += at + 1 < to ? buf.getUnsignedShort(at) : buf.getUnsignedByte(at) << 8;
        }
        return fold(sum);
    }

    /**
     * One TCP segment as a host without offloads sends it, its checksums complete.
     */
    private static ByteBuf segment(final int index, final byte[] payload, final int from, final int size) {
        final var frame = Unpooled.buffer();
        frame.writeBytes(IN_MAC).writeBytes(PEER_MAC).writeShort(0x0800);
        frame.writeByte(0x45).writeByte(0).writeShort(40 + size).writeShort(0x100 + index).writeShort(0x4000)
            .writeByte(64).writeByte(6).writeShort(0).writeInt(SOURCE).writeInt(DESTINATION);
        final boolean last = index == SEGMENTS - 1;
        frame.writeShort(40000).writeShort(5201).writeInt((int) (FIRST_SEQ + from)).writeInt(1).writeByte(5 << 4)
            .writeByte(last ? 0x18 : 0x10).writeShort(502).writeShort(0).writeShort(0)
            .writeBytes(payload, from, size);
        frame.setShort(24, ~sum16(frame, 14, 34, 0));
        frame.setShort(50, ~sum16(frame, 34, frame.writerIndex(), sum16(frame, 26, 34, 6 + 20 + size)));
        return frame;
    }

    private long rxPackets(final String device) throws Exception {
        return Long.parseLong(run("ip", "netns", "exec", namespace, "cat",
            "/sys/class/net/" + device + "/statistics/rx_packets").trim());
    }

    /**
     * The two TAPs, the route between them, and a bridge polling the first on the event loop.
     */
    private TapBridge.Attachment attach(final TapBridge bridge) throws Exception {
        final var in = tap("sgro-in", true, IN_MAC);
        tap("sgro-out", false, OUT_MAC);
        run("ip", "-n", namespace, "addr", "add", "10.250.0.1/24", "dev", "sgro-in");
        run("ip", "-n", namespace, "addr", "add", "10.251.0.1/24", "dev", "sgro-out");
        run("ip", "-n", namespace, "neigh", "add", "10.251.0.2", "lladdr", "02:53:56:00:00:14", "dev", "sgro-out",
            "nud", "permanent");
        final var attachment = new TapBridge.Attachment("v", in, IN_MAC);
        bridge.bind(attachment, VLAN_REF, TapBridge.DEFAULT_TAP_MTU);
        for (int i = 0; i < 500 && attachment.poller == null; i++) {
            Thread.sleep(10);
        }
        assertTrue(attachment.poller != null, "the TAP is polled by the event loop");
        return attachment;
    }

    private TapBridge bridge() throws InterruptedException {
        final var channel = new EpollDatagramChannel();
        loop.register(channel).sync();
        return new TapBridge(() -> channel);
    }

    private static byte[] payload() {
        final var payload = new byte[(SEGMENTS - 1) * MSS + 500];
        new Random(18).nextBytes(payload);
        return payload;
    }

    private static ByteBuf nthSegment(final int index, final byte[] payload) {
        final int from = index * MSS;
        return segment(index, payload, from, Math.min(MSS, payload.length - from));
    }

    @Test
    void segmentsFromTheServerReachTheKernelAsOneSuperFrame() throws Exception {
        final var bridge = bridge();
        final var attachment = attach(bridge);
        final var out = taps.get(1);
        final long before = rxPackets("sgro-in");
        final var payload = payload();
        final var gathered = loop.submit(() -> {
            for (int i = 0; i < SEGMENTS; i++) {
                final var frame = nthSegment(i, payload);
                try {
                    bridge.fromServer(new Message.Data(VLAN_REF, frame));
                } finally {
                    frame.release();
                }
            }
            final long waiting = attachment.toTap.get();
            bridge.flushToTaps();
            return waiting;
        }).get(10, TimeUnit.SECONDS);
        assertEquals(0, gathered, "nothing written before the read burst ends");
        assertEquals(SEGMENTS, attachment.toTap.get(), "counted as the frames the server sent");

        final byte[] forwarded = reader.submit(() -> readSegments(out, payload.length)).get(10, TimeUnit.SECONDS);
        assertArrayEquals(payload, forwarded, "the kernel forwards the payload whole, in order");
        assertEquals(1, rxPackets("sgro-in") - before, "one write into the TAP: one super-frame");
        bridge.close(loop);
    }

    @Test
    void aFrameWithItsOwnOffloadHeaderGoesAfterThoseGatheredBeforeIt() throws Exception {
        final var bridge = bridge();
        final var attachment = attach(bridge);
        final var out = taps.get(1);
        final long before = rxPackets("sgro-in");
        final var payload = payload();
        // the second half as a super-frame the server sent whole (over TCP from a sender with offloads)
        final List<ByteBuf> secondHalf = new ArrayList<>();
        for (int i = SEGMENTS / 2; i < SEGMENTS; i++) {
            secondHalf.add(nthSegment(i, payload));
        }
        final List<Message.Data> whole = new ArrayList<>();
        Coalescer.coalesce(ByteBufAllocator.DEFAULT, secondHalf,
            (frame, offload) -> whole.add(new Message.Data(VLAN_REF, frame, offload)));
        assertEquals(1, whole.size());
        loop.submit(() -> {
            for (int i = 0; i < SEGMENTS / 2; i++) {
                final var frame = nthSegment(i, payload);
                try {
                    bridge.fromServer(new Message.Data(VLAN_REF, frame));
                } finally {
                    frame.release();
                }
            }
            try {
                bridge.fromServer(whole.get(0));
            } finally {
                whole.get(0).release();
            }
            bridge.flushToTaps();
        }).get(10, TimeUnit.SECONDS);
        assertEquals(SEGMENTS / 2 + 1, attachment.toTap.get(), "the frames the server sent");
        final byte[] forwarded = reader.submit(() -> readSegments(out, payload.length)).get(10, TimeUnit.SECONDS);
        assertArrayEquals(payload, forwarded, "in order: the frames gathered first");
        assertEquals(2, rxPackets("sgro-in") - before, "two super-frames");
        bridge.close(loop);
    }

    /**
     * Reads the forwarded TCP segments until {@code total} payload bytes have come, each checked: the kernel cut
     * the super-frame and completed the checksums from the partial sum the coalescer wrote.
     */
    private static byte[] readSegments(final LinuxTap tap, final int total) throws IOException {
        final var joined = new ByteArrayOutputStream();
        final var bytes = new byte[2048];
        long next = FIRST_SEQ;
        while (joined.size() < total) {
            final int length = tap.read(bytes);
            final var frame = Unpooled.wrappedBuffer(bytes, 0, length);
            if (length < 54 || frame.getUnsignedShort(12) != 0x0800 || frame.getUnsignedByte(23) != 6
                    || frame.getInt(30) != DESTINATION) {
                continue;
            }
            assertEquals(length - 14, frame.getUnsignedShort(16), "IPv4 total length");
            assertEquals(63, frame.getUnsignedByte(22), "forwarded: TTL one less");
            assertEquals(0xFFFF, sum16(frame, 14, 34, 0), "IPv4 header checksum");
            final int size = length - 54;
            assertTrue(size <= MSS, "cut at the segment size");
            assertEquals(0xFFFF, sum16(frame, 34, length, sum16(frame, 26, 34, 6 + 20 + size)), "TCP checksum");
            assertEquals(next & 0xFFFFFFFFL, frame.getUnsignedInt(38), "contiguous sequence numbers");
            next += size;
            joined.write(bytes, 54, size);
        }
        return joined.toByteArray();
    }
}
