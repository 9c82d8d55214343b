/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOutboundInvoker;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.unix.SegmentedDatagramPacket;
import java.net.InetSocketAddress;
import org.serval.dataplane.Bounds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The datagrams for one address between two flushes, sent in as few sends as the kernel takes. A run of datagrams
 * of one size, such as the segments of a TCP super-frame sealed one by one, leaves as one UDP GSO send
 * (UDP_SEGMENT): it crosses the sender's stack, its virtual links and bridges as one packet and is cut into
 * datagrams at the last moment, and a receiver with UDP_GRO may get it joined again. That is where the UDP
 * transport's time went: the kernel's work per packet, not the sealing. Each datagram still carries one whole
 * message, so a datagram lost on the way loses one frame, as without GSO.
 *
 * <p>A run ends at a datagram of another size (a shorter one still joins it, as its last), at
 * {@link Bounds#UDP_GSO_SEGMENTS} datagrams or {@link Bounds#UDP_GSO_BYTES}, and at {@link #depart()}, which the
 * owner calls before it flushes. When the kernel refuses a GSO send (no UDP_SEGMENT, or a route whose MTU is
 * smaller than one datagram), that run is lost, as a burst of loss would be, and this train sends one datagram at
 * a time from then on. Not thread-safe: it belongs to its channel's event loop.
 */
public final class DatagramTrain {
    private static final Logger LOG = LoggerFactory.getLogger(DatagramTrain.class);
    private static final boolean KERNEL_GSO = gsoAvailable();

    private final Channel channel;
    private final ChannelOutboundInvoker out;
    private InetSocketAddress to;
    private boolean gso;
    // The run so far: its first datagram alone until a second joins it.
    private ByteBuf first;
    private CompositeByteBuf run;
    private int segment;
    private int count;
    private int bytes;
    private boolean ended;

    /**
     * A train towards one address on an epoll datagram channel; on any other channel it sends one datagram at a
     * time.
     *
     * @param to where the datagrams go (a connected channel's remote address will do)
     */
    public DatagramTrain(final Channel channel, final InetSocketAddress to) {
        this(channel, channel, to);
    }

    /**
     * A train that writes through {@code out}, a pipeline stage's context, so that its datagrams pass only the
     * stages in front of it.
     */
    public DatagramTrain(final Channel channel, final ChannelOutboundInvoker out, final InetSocketAddress to) {
        this.channel = channel;
        this.out = out;
        this.to = to;
        gso = KERNEL_GSO && channel instanceof EpollDatagramChannel;
    }

    private static boolean gsoAvailable() {
        try {
            return EpollDatagramChannel.isSegmentedDatagramPacketSupported();
        } catch (LinkageError e) {
            return false;
        }
    }

    /**
     * Where the next datagrams go; a run under way leaves first for where it was bound.
     */
    public void to(final InetSocketAddress address) {
        if (!address.equals(to)) {
            depart();
            to = address;
        }
    }

    /**
     * Adds one datagram, consuming it.
     */
    public void add(final ByteBuf datagram) {
        final int size = datagram.readableBytes();
        if (!gso) {
            out.write(new DatagramPacket(datagram, to), out.voidPromise());
            return;
        }
        if (count > 0 && (ended || size > segment || count == Bounds.UDP_GSO_SEGMENTS
                || bytes + size > Bounds.UDP_GSO_BYTES)) {
            depart();
        }
        if (count == 0) {
            first = datagram;
            segment = size;
        } else {
            if (run == null) {
                run = channel.alloc().compositeDirectBuffer(Bounds.UDP_GSO_SEGMENTS);
                run.addComponent(true, first);
                first = null;
            }
            run.addComponent(true, datagram);
            // a shorter datagram can only be a run's last
            ended = size < segment;
        }
        count++;
        bytes += size;
    }

    /**
     * Writes the run under way (the caller flushes).
     */
    public void depart() {
        if (count == 0) {
            return;
        }
        if (run == null) {
            out.write(new DatagramPacket(first, to), out.voidPromise());
        } else {
            final int segments = count;
            out.write(new SegmentedDatagramPacket(run, segment, to)).addListener(
                (ChannelFutureListener) future -> refused(future.cause(), segments));
        }
        reset();
    }

    private void refused(final Throwable cause, final int segments) {
        if (cause != null && gso && channel.isOpen()) {
            gso = false;
            LOG.warn("UDP GSO to {} refused ({}): {} datagrams lost; sending one at a time from now on", to,
                cause.getMessage(), segments);
        }
    }

    /**
     * Releases a run that will never leave (the channel closed).
     */
    public void discard() {
        if (first != null) {
            first.release();
        }
        if (run != null) {
            run.release();
        }
        reset();
    }

    // The run is gone (written, or released): the next datagram starts a new one.
    private void reset() {
        first = null;
        run = null;
        count = 0;
        bytes = 0;
        ended = false;
    }
}
