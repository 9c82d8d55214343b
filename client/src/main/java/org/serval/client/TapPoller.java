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
import io.netty.channel.unix.FileDescriptor;
import java.io.IOException;
import java.util.function.Consumer;
import org.serval.client.tap.TapDevice;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TAP interface polled by the event loop of the connection to the server (Linux, epoll). Frames go from the TAP
 * to the socket on one thread, with no hand-over between threads, and a burst of frames read in one wake-up leaves
 * in one flush: both cost latency and throughput when a reader thread passes each frame to the event loop.
 */
final class TapPoller implements EpollIoHandle {
    private static final Logger LOG = LoggerFactory.getLogger(TapPoller.class);
    // Frames read per wake-up before the loop serves its other work (the socket, timers).
    private static final int BUDGET = 64;

    private final FileDescriptor fd;
    private final String name;
    private final ByteBufAllocator alloc;
    private final Consumer<ByteBuf> onFrame;
    private final Runnable afterBurst;

    /**
     * A poller.
     *
     * @param onFrame takes each frame read (and its reference)
     * @param afterBurst runs after the frames of one wake-up: the flush
     */
    TapPoller(final int fd, final String name, final ByteBufAllocator alloc, final Consumer<ByteBuf> onFrame,
            final Runnable afterBurst) {
        this.fd = new FileDescriptor(fd);
        this.name = name;
        this.alloc = alloc;
        this.onFrame = onFrame;
        this.afterBurst = afterBurst;
    }

    @Override
    public FileDescriptor fd() {
        return fd;
    }

    @Override
    public void handle(final IoRegistration registration, final IoEvent event) {
        try {
            for (int i = 0; i < BUDGET; i++) {
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
                    break;
                }
                onFrame.accept(frame.writerIndex(length));
            }
        } catch (IOException e) {
            LOG.warn("Reading from {} failed: {}; no longer reading it", name, e.getMessage());
            registration.cancel();
        } finally {
            afterBurst.run();
        }
    }

    /**
     * Writes one frame into the TAP, from the event loop. A TAP takes a whole frame or nothing.
     */
    void write(final ByteBuf frame) throws IOException {
        final int length = frame.readableBytes();
        // The system call needs native memory in one piece; frames from the socket almost always are.
        final var direct = frame.isDirect() && frame.nioBufferCount() == 1 ? frame
            : alloc.directBuffer(length).writeBytes(frame, frame.readerIndex(), length);
        final int written;
        try {
            final var view = direct.nioBuffer();
            written = fd.write(view, view.position(), view.limit());
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
    }
}
