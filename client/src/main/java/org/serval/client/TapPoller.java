/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.IoEvent;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.FileDescriptor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.function.BooleanSupplier;
import org.serval.client.tap.TapDevice;
import org.serval.dataplane.Bounds;
import org.serval.dataplane.ethernet.Offload;
import org.serval.dataplane.ethernet.Segmenter;
import org.serval.dataplane.protocol.MessageCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TAP interface polled by the event loop of the connection to the server (Linux, epoll). Frames go from the TAP
 * to the socket on one thread, with no hand-over between threads, and a burst of frames read in one wake-up leaves
 * in one flush: both cost latency and throughput when a reader thread passes each frame to the event loop.
 *
 * <p>With offloads ({@link TapDevice#offloads()}) every frame read and written starts with a little-endian
 * {@code virtio_net_hdr}: a TCP sender in this host then hands out super-frames of up to 64 KB that travel whole to
 * the receiving client's TAP, one read, one message and one write instead of forty each.
 */
final class TapPoller implements EpollIoHandle {
    /**
     * Takes each frame read (and its reference), with its offload header or null.
     */
    interface FrameSink {
        void accept(ByteBuf frame, Offload offload);
    }

    private static final Logger LOG = LoggerFactory.getLogger(TapPoller.class);
    // Frames read per wake-up before the loop serves its other work (the socket, timers).
    private static final int BUDGET = 64;
    // The largest read with offloads: a 64 KB IP packet behind an Ethernet header and a VLAN tag.
    private static final int MAX_READ = Offload.BYTES + 65_535 + 18;
    // Frames up to this long are copied out of the read buffer, which is kept; longer ones take it along.
    private static final int COPY_BELOW = 2048;

    private final FileDescriptor fd;
    private final String name;
    private final ByteBufAllocator alloc;
    private final boolean offloads;
    private final FrameSink onFrame;
    private final Runnable afterBurst;
    private final BooleanSupplier writable;
    private final ByteBuf header;
    private IoRegistration current;
    private boolean paused;
    // the offload header and a coalesced super-frame's parts: its header and up to COALESCE_SEGMENTS payloads
    private final ByteBuffer[] vector = new ByteBuffer[Bounds.COALESCE_SEGMENTS + 2];
    private ByteBuf readBuffer;

    /**
     * A poller.
     *
     * @param afterBurst runs after the frames of one wake-up: the flush
     * @param writable whether the connection takes more now; while it does not, the TAP is not read, so that its
     *     queue fills and the sending host's TCP slows down, as behind a busy NIC, instead of losing frames here
     */
    TapPoller(final int fd, final String name, final ByteBufAllocator alloc, final boolean offloads,
            final FrameSink onFrame, final Runnable afterBurst, final BooleanSupplier writable) {
        this.fd = new FileDescriptor(fd);
        this.name = name;
        this.alloc = alloc;
        this.offloads = offloads;
        this.onFrame = onFrame;
        this.afterBurst = afterBurst;
        this.writable = writable;
        header = offloads ? alloc.directBuffer(Offload.BYTES, Offload.BYTES) : null;
    }

    @Override
    public FileDescriptor fd() {
        return fd;
    }

    @Override
    public void handle(final IoRegistration registration, final IoEvent event) {
        current = registration;
        try {
            for (int i = 0; i < BUDGET; i++) {
                if (!writable.getAsBoolean()) {
                    paused = true;
                    registration.submit(EpollIoOps.valueOf(0));
                    break;
                }
                if (!(offloads ? readWithHeader() : readPlain())) {
                    break;
                }
            }
        } catch (IOException e) {
            LOG.warn("Reading from {} failed: {}; no longer reading it", name, e.getMessage());
            registration.cancel();
        } finally {
            afterBurst.run();
        }
    }

    private boolean readPlain() throws IOException {
        final var frame = alloc.directBuffer(TapDevice.MAX_FRAME);
        final int length;
        try {
            // A pooled buffer's NIO view starts where the buffer starts inside its chunk, not at 0.
            final var view = frame.internalNioBuffer(0, TapDevice.MAX_FRAME);
            length = fd.read(view, view.position(), view.limit());
        } catch (IOException e) {
            frame.release();
            throw e;
        }
        if (length <= 0) {
            // nothing more for now (EAGAIN reads as 0)
            frame.release();
            return false;
        }
        onFrame.accept(frame.writerIndex(length), null);
        return true;
    }

    private boolean readWithHeader() throws IOException {
        if (readBuffer == null) {
            readBuffer = alloc.directBuffer(MAX_READ, MAX_READ);
        }
        final var view = readBuffer.internalNioBuffer(0, MAX_READ);
        final int length = fd.read(view, view.position(), view.limit());
        if (length <= 0) {
            return false;
        }
        final int frameLength = length - Offload.BYTES;
        if (frameLength < 14) {
            return true;
        }
        final var buf = readBuffer;
        // virtio_net_hdr, little-endian on the hosts we build for
        final int flags = buf.getUnsignedByte(0) & Offload.NEEDS_CSUM;
        final int gsoType = buf.getUnsignedByte(1);
        final var offload = flags == 0 && gsoType == Offload.GSO_NONE ? null : new Offload(flags, gsoType,
            buf.getUnsignedShortLE(2), buf.getUnsignedShortLE(4), buf.getUnsignedShortLE(6), buf.getUnsignedShortLE(8));
        if (offload == null && frameLength > TapDevice.MAX_FRAME) {
            // the kernel hands out nothing longer without a segmentation header
            LOG.trace("Dropped a frame of {} bytes from {}", frameLength, name);
            return true;
        }
        final ByteBuf frame;
        if (frameLength < COPY_BELOW) {
            frame = alloc.directBuffer(frameLength).writeBytes(buf, Offload.BYTES, frameLength);
        } else {
            // The next read gets a new buffer; this one goes with the frame.
            frame = buf.setIndex(Offload.BYTES, length);
            readBuffer = null;
        }
        if (offload != null && frameLength > MessageCodec.MAX_OFFLOAD_FRAME) {
            // Too long for one message (a forwarded 64 KB packet behind a VLAN tag): cut it here.
            if (!Segmenter.resolve(alloc, frame, offload, plain -> onFrame.accept(plain, null))) {
                LOG.trace("Dropped a frame of {} bytes from {}", frameLength, name);
            }
            return true;
        }
        onFrame.accept(frame, offload);
        return true;
    }

    /**
     * Reads the TAP again once the connection has room; on the event loop.
     */
    void resume() {
        if (paused && current != null && current.isValid()) {
            paused = false;
            current.submit(EpollIoOps.EPOLLIN);
        }
    }

    /**
     * Writes one frame into the TAP, from the event loop, with its offload header (null for none). A TAP takes a
     * whole frame or nothing.
     */
    void write(final ByteBuf frame, final Offload offload) throws IOException {
        final int length = frame.readableBytes();
        final int parts = frame.nioBufferCount();
        // The system call needs native memory; behind an offload header, the parts of a coalesced super-frame
        // (its first header and the payloads it joined) go as they are, in one writev, and anything else is copied
        // into one piece first.
        final boolean gather = offloads && frame.isDirect() && parts > 1 && parts < vector.length;
        final var direct = frame.isDirect() && parts == 1 || gather ? frame
            : alloc.directBuffer(length).writeBytes(frame, frame.readerIndex(), length);
        final long written;
        try {
            if (offloads) {
                header.clear();
                if (offload == null) {
                    header.writeZero(Offload.BYTES);
                } else {
                    header.writeByte(offload.flags()).writeByte(offload.gsoType()).writeShortLE(offload.hdrLen())
                        .writeShortLE(offload.gsoSize()).writeShortLE(offload.csumStart())
                        .writeShortLE(offload.csumOffset());
                }
                vector[0] = header.nioBuffer();
                int count = 1;
                for (var part : direct.nioBuffers()) {
                    vector[count++] = part;
                }
                written = fd.writev(vector, 0, count, Long.MAX_VALUE) - Offload.BYTES;
                Arrays.fill(vector, 0, count, null);
            } else {
                final var view = direct.nioBuffer();
                written = fd.write(view, view.position(), view.limit());
            }
        } finally {
            if (direct != frame) {
                direct.release();
            }
        }
        if (written != length) {
            throw new IOException("short write to " + name + ": " + written + " of " + length + " bytes");
        }
    }

    @Override
    public void close() {
        // The descriptor belongs to the TapDevice, which closes it.
        if (readBuffer != null) {
            readBuffer.release();
            readBuffer = null;
        }
        if (header != null && header.refCnt() > 0) {
            header.release();
        }
    }
}
