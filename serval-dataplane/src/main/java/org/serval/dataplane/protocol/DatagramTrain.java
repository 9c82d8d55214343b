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
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.serval.dataplane.Bounds;
import org.serval.dataplane.Throttle;
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
 * smaller than one datagram, a transient error), that run is lost, as a burst of loss would be, and this train
 * sends one datagram at a time for a while: {@link Bounds#UDP_GSO_RETRY_MILLIS} after the first refusal, twice as
 * long after each further one up to {@link Bounds#UDP_GSO_RETRY_MAX_MILLIS}, so that a path that never takes GSO
 * costs one lost run per period at most, and one refusal does not slow a client down for the rest of its session.
 * A run that leaves resets the back-off, and so does a new address (another path). Not thread-safe: it belongs to
 * its channel's event loop.
 */
public final class DatagramTrain {
    private static final Logger LOG = LoggerFactory.getLogger(DatagramTrain.class);
    private static final boolean KERNEL_GSO = gsoAvailable();
    // one warning a second for all trains of the process, with how many more there were
    private static final Throttle REFUSED = new Throttle("Refused a UDP GSO send to the client");

    private final Channel channel;
    private final ChannelOutboundInvoker out;
    private final LongSupplier clock;
    private InetSocketAddress to;
    // whether this channel and kernel can send GSO runs at all
    private final boolean gso;
    // refusals since the last run that left, and until when (clock's nanoseconds) datagrams leave one at a time
    private int refusals;
    private long singleUntil;
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
        this(channel, out, to, System::nanoTime);
    }

    DatagramTrain(final Channel channel, final ChannelOutboundInvoker out, final InetSocketAddress to,
            final LongSupplier clock) {
        this.channel = channel;
        this.out = out;
        this.to = to;
        this.clock = clock;
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
            refusals = 0;
        }
    }

    /**
     * Adds one datagram, consuming it.
     */
    public void add(final ByteBuf datagram) {
        final int size = datagram.readableBytes();
        if (!gso || refusals > 0 && clock.getAsLong() - singleUntil < 0) {
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
            final var address = to;
            out.write(new SegmentedDatagramPacket(run, segment, to)).addListener(
                (ChannelFutureListener) future -> sent(future.cause(), address, segments));
        }
        reset();
    }

    private void sent(final Throwable cause, final InetSocketAddress address, final int segments) {
        if (cause == null) {
            refusals = 0;
            return;
        }
        if (!channel.isOpen() || !address.equals(to)) {
            return;
        }
        final long backoff = Math.min(Bounds.UDP_GSO_RETRY_MILLIS << Math.min(refusals, 20),
            Bounds.UDP_GSO_RETRY_MAX_MILLIS);
        refusals++;
        singleUntil = clock.getAsLong() + TimeUnit.MILLISECONDS.toNanos(backoff);
        REFUSED.log(LOG, address, cause.getMessage() + "; " + segments + " datagrams lost, sending one at a time for "
            + backoff + " ms");
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
