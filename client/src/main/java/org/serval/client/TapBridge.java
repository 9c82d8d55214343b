/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoOps;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.serval.client.tap.TapDevice;
import org.serval.client.tap.TapDevices;
import org.serval.client.tap.TapReader;
import org.serval.dataplane.ethernet.Coalescer;
import org.serval.dataplane.ethernet.Offload;
import org.serval.dataplane.ethernet.Segmenter;
import org.serval.dataplane.protocol.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TAP interfaces and the frames between them and the server: one {@link Attachment} per VLAN, found by the
 * VLAN ref the node assigned (JOINED), frames from a TAP sent as DATA on whichever connection is current, DATA
 * from the server written into its TAP. The interfaces live as long as the client, across reconnections.
 */
final class TapBridge {
    /**
     * One VLAN's interface and its counters.
     */
    static final class Attachment {
        final String vlan;
        // Assigned by the node in JOINED, anew after each failover; -1 until the first.
        volatile int vlanRef = -1;
        final TapDevice tap;
        final byte[] macBytes;
        final AtomicLong fromTap = new AtomicLong();
        final AtomicLong toTap = new AtomicLong();
        final AtomicLong dropped = new AtomicLong();
        final AtomicLong answered = new AtomicLong();
        final NeighborCache neighbors;
        // Set when the TAP is polled by the event loop; frames to the TAP are then written through it.
        volatile TapPoller poller;
        volatile IoRegistration polling;
        // Set when the TAP is read by a thread instead (Windows, or no epoll).
        volatile TapReader reader;
        private boolean reading;
        // Set when this interface is removed while the client goes on (leave, REMOVED).
        volatile boolean removed;
        // Plain frames from the server in this read burst, to be coalesced; on the event loop only.
        final List<ByteBuf> burst = new ArrayList<>();

        Attachment(final String vlan, final TapDevice tap, final byte[] mac) {
            this.vlan = vlan;
            this.tap = tap;
            macBytes = mac.clone();
            neighbors = new NeighborCache(TapBridge.macLong(mac));
        }

        long macLong() {
            return TapBridge.macLong(macBytes);
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(TapBridge.class);
    // Until the server's WELCOME says otherwise; docs/protocol.md, "MTU".
    static final int DEFAULT_TAP_MTU = 1400;
    // How long closing waits for the reader threads, all together: a Windows read ends as soon as it is cancelled;
    // a blocked Linux read (no epoll) does not end on close, and the daemon thread is then left to the exit.
    private static final long READER_JOIN_MILLIS = 1000;
    // Frames from the server gathered for one interface before they are written, even within a read burst: two
    // super-frames' worth of 1,400-byte segments, so that merging is seldom cut short, and a bound on the
    // datagrams held.
    static final int BURST_FRAMES = 128;

    private final Supplier<Channel> channels;
    private volatile boolean closing;
    // Every interface, from its creation on, in the order of --vlan.
    private final List<Attachment> opened = new CopyOnWriteArrayList<>();
    // Those joined at least once, for the status.
    private final List<Attachment> joined = new CopyOnWriteArrayList<>();
    private final Map<Integer, Attachment> byRef = new ConcurrentHashMap<>();
    // The attachments with frames in their burst; on the event loop only.
    private final List<Attachment> gathering = new ArrayList<>();

    /**
     * A bridge that sends on whichever channel the supplier gives at the time.
     */
    TapBridge(final Supplier<Channel> channels) {
        this.channels = channels;
    }

    /**
     * A MAC that stays the same for this client and VLAN across restarts: locally administered, unicast.
     */
    static byte[] stableMac(final String clientId, final String vlan) {
        try {
            final var digest = MessageDigest.getInstance("SHA-256")
                .digest((clientId + "/" + vlan).getBytes(StandardCharsets.UTF_8));
            final var mac = new byte[6];
            System.arraycopy(digest, 0, mac, 0, 6);
            mac[0] = (byte) (mac[0] & 0xfe | 0x02);
            return mac;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    static long macLong(final byte[] mac) {
        long value = 0;
        for (byte b : mac) {
            value = value << 8 | b & 0xff;
        }
        return value;
    }

    /**
     * Creates the interface of every VLAN (name from --vlan, the stable MAC, the default MTU) and brings it up, so
     * that it exists for the system to configure while the server is still being reached.
     *
     * @param vlans VLAN name to interface name, in order
     * @param offloads whether the TAPs hand out TCP super-frames
     * @return the attachments, in the order given
     * @throws ClientFailure when an interface cannot be made; those already made are removed
     */
    List<Attachment> open(final Map<String, String> vlans, final String clientId, final boolean offloads)
            throws ClientFailure {
        for (var entry : vlans.entrySet()) {
            try {
                final var tap = TapDevices.create(entry.getValue(), offloads);
                final var mac = tap.fixedMac().orElseGet(() -> stableMac(clientId, entry.getKey()));
                opened.add(new Attachment(entry.getKey(), tap, mac));
                tap.setMac(mac);
                tap.setMtu(DEFAULT_TAP_MTU);
                tap.setUp(true);
            } catch (IOException e) {
                closeTaps();
                throw new ClientFailure(ClientFailure.NO_TAP, e.getMessage(), e);
            }
        }
        return List.copyOf(opened);
    }

    /**
     * Creates one interface at run time (a live join), up, with the stable MAC and the default MTU.
     *
     * @throws ClientFailure (no TAP) when it cannot be made
     */
    Attachment openOne(final String vlan, final String iface, final String clientId, final boolean offloads)
            throws ClientFailure {
        final TapDevice tap;
        try {
            tap = TapDevices.create(iface, offloads);
        } catch (IOException e) {
            throw new ClientFailure(ClientFailure.NO_TAP, e.getMessage(), e);
        }
        final var attachment = new Attachment(vlan, tap,
            tap.fixedMac().orElseGet(() -> stableMac(clientId, vlan)));
        try {
            tap.setMac(attachment.macBytes);
            tap.setMtu(DEFAULT_TAP_MTU);
            tap.setUp(true);
        } catch (IOException e) {
            try {
                tap.close();
            } catch (IOException closeFailure) {
                LOG.debug("Closing {}: {}", iface, closeFailure.getMessage());
            }
            throw new ClientFailure(ClientFailure.NO_TAP, e.getMessage(), e);
        }
        opened.add(attachment);
        return attachment;
    }

    /**
     * The names of the interfaces this bridge has now.
     */
    Set<String> names() {
        final Set<String> names = new HashSet<>();
        for (var attachment : opened) {
            names.add(attachment.tap.name());
        }
        return names;
    }

    /**
     * Stops switching an attachment's frames (its VLAN ref is no longer valid) but keeps its interface.
     */
    void unbind(final Attachment attachment) {
        byRef.remove(attachment.vlanRef, attachment);
        attachment.vlanRef = -1;
    }

    /**
     * Removes one interface while the client goes on (a live leave, REMOVED).
     *
     * @param loop the event loop its poller is registered with
     */
    void remove(final Attachment attachment, final EventLoopGroup loop) {
        attachment.removed = true;
        unbind(attachment);
        joined.remove(attachment);
        opened.remove(attachment);
        final var polling = attachment.polling;
        if (polling != null) {
            // before the descriptor goes, so that the loop never polls a closed (or reused) one
            loop.submit(polling::cancel).awaitUninterruptibly(1, TimeUnit.SECONDS);
        }
        final var reader = attachment.reader;
        if (reader != null) {
            reader.stop();
        }
        try {
            attachment.tap.close();
        } catch (IOException e) {
            LOG.warn("Removing {}: {}", attachment.tap.name(), e.getMessage());
        }
    }

    /**
     * Sets every interface up or down (the link the host sees), for {@code down} and {@code up}.
     */
    void setUp(final boolean up) {
        for (var attachment : opened) {
            try {
                attachment.tap.setUp(up);
            } catch (IOException e) {
                LOG.warn("Cannot set {} up or down: {}", attachment.tap.name(), e.getMessage());
            }
        }
    }

    /**
     * The attachments joined at least once, for the status.
     */
    List<Attachment> joined() {
        return joined;
    }

    /**
     * Binds an attachment to the VLAN ref a node assigned it and sets the MTU that node announced; the first time,
     * starts reading its TAP.
     */
    void bind(final Attachment attachment, final int vlanRef, final int tapMtu) throws ClientFailure {
        attachment.vlanRef = vlanRef;
        byRef.put(vlanRef, attachment);
        setMtu(attachment.tap, tapMtu);
        if (!attachment.reading) {
            attachment.reading = true;
            joined.add(attachment);
            try {
                startReader(attachment);
            } catch (IOException e) {
                closeTaps();
                throw new ClientFailure(ClientFailure.NO_TAP, e.getMessage(), e);
            }
        }
    }

    /**
     * Forgets every VLAN ref: a new connection assigns new ones.
     */
    void unbindAll() {
        byRef.clear();
    }

    private static void setMtu(final TapDevice tap, final int tapMtu) {
        try {
            if (tapMtu != DEFAULT_TAP_MTU) {
                tap.setMtu(tapMtu);
            }
        } catch (IOException e) {
            LOG.warn("Cannot set the MTU of {} to {}: {}", tap.name(), tapMtu, e.getMessage());
        }
    }

    private void startReader(final Attachment attachment) throws IOException {
        final var channel = channels.get();
        final var fd = Connection.EPOLL ? attachment.tap.pollableFd() : OptionalInt.empty();
        if (fd.isPresent()) {
            final var poller = new TapPoller(fd.getAsInt(), attachment.tap.name(), channel.alloc(),
                attachment.tap.offloads(), (frame, offload) -> fromTap(attachment, frame, offload, false),
                () -> channels.get().flush(), () -> channels.get().isWritable());
            ((IoEventLoop) channel.eventLoop()).register(poller).addListener(future -> {
                if (future.isSuccess()) {
                    final var registration = (IoRegistration) future.getNow();
                    registration.submit(EpollIoOps.EPOLLIN);
                    attachment.polling = registration;
                    attachment.poller = poller;
                } else {
                    LOG.error("Cannot poll {}: {}", attachment.tap.name(), future.cause().getMessage());
                }
            });
            return;
        }
        attachment.reader = TapReader.start(attachment.tap,
            (frame, length) -> fromTap(attachment, Unpooled.copiedBuffer(frame, 0, length), null, true),
            failure -> {
                if (!closing && !attachment.removed) {
                    LOG.warn("Reading from {} failed: {}", attachment.tap.name(), failure.getMessage());
                }
            });
    }

    /**
     * Sends a frame read from a TAP to the server, consuming it, unless the neighbour cache answers it here.
     *
     * @param flush whether to flush now; the poller flushes once per burst instead
     */
    private void fromTap(final Attachment attachment, final ByteBuf frame, final Offload offload,
            final boolean flush) {
        if (frame.readableBytes() < 14) {
            frame.release();
            return;
        }
        final var current = channels.get();
        final var answer = offload != null && offload.segments() ? null
            : attachment.neighbors.answer(current.alloc(), frame, System.nanoTime());
        if (answer != null) {
            frame.release();
            try {
                toTap(attachment, answer, null, 1);
                attachment.answered.incrementAndGet();
            } finally {
                answer.release();
            }
            return;
        }
        if (!current.isWritable()) {
            // also while reconnecting: a frame has nowhere to go, and the host's own retransmissions recover
            frame.release();
            attachment.dropped.incrementAndGet();
            return;
        }
        attachment.fromTap.incrementAndGet();
        final var data = new Message.Data(attachment.vlanRef, frame, offload);
        if (flush) {
            current.writeAndFlush(data, current.voidPromise());
        } else {
            current.write(data, current.voidPromise());
        }
    }

    /**
     * A frame from the server: learnt from, then written into its VLAN's TAP (the caller keeps its reference).
     * A frame for a VLAN ref this client does not know is dropped. A plain frame for a TAP with offloads waits for
     * the end of the read burst ({@link #flushToTaps}), to be written with the burst's other frames, runs of TCP
     * segments merged into super-frames: segments that crossed one datagram each (UDP) then reach the host's TCP
     * as they would from a NIC with GRO, one write and one pass through its receive path per 64 KB.
     */
    void fromServer(final Message.Data data) {
        final var attachment = byRef.get(data.vlanRef());
        if (attachment == null) {
            return;
        }
        attachment.neighbors.learn(data.content(), System.nanoTime());
        if (data.offload() == null && attachment.tap.offloads() && attachment.poller != null) {
            if (attachment.burst.isEmpty() && !gathering.contains(attachment)) {
                gathering.add(attachment);
            }
            attachment.burst.add(data.content().retain());
            if (attachment.burst.size() >= BURST_FRAMES) {
                flush(attachment);
            }
            return;
        }
        // what came before it goes first
        flush(attachment);
        toTap(attachment, data.content(), data.offload(), 1);
    }

    /**
     * The end of a read burst from the server: writes the frames gathered, coalesced.
     */
    void flushToTaps() {
        for (var attachment : gathering) {
            flush(attachment);
        }
        gathering.clear();
    }

    private void flush(final Attachment attachment) {
        final var burst = attachment.burst;
        if (burst.isEmpty()) {
            return;
        }
        try {
            if (closing || attachment.removed) {
                // its descriptor is closed or about to be, and may be another's by now
                burst.forEach(ByteBuf::release);
                return;
            }
            Coalescer.coalesce(burst.get(0).alloc(), burst, (frame, offload) -> {
                try {
                    // counted as the frames the server sent, whether merged or not
                    toTap(attachment, frame, offload, offload == null ? 1
                        : (frame.readableBytes() - offload.hdrLen() + offload.gsoSize() - 1) / offload.gsoSize());
                } finally {
                    frame.release();
                }
            });
        } finally {
            burst.clear();
        }
    }

    /**
     * The connection takes writes again: the pollers read their TAPs again.
     */
    void resume() {
        for (var attachment : byRef.values()) {
            final var poller = attachment.poller;
            if (poller != null) {
                poller.resume();
            }
        }
    }

    /**
     * Writes a frame into a TAP (the caller keeps its reference); a failure is counted as a drop.
     *
     * @param frames how many frames from the server it stands for, for the counters
     */
    private static void toTap(final Attachment attachment, final ByteBuf frame, final Offload offload,
            final int frames) {
        if (offload != null && !attachment.tap.offloads()) {
            // Not asked for; cut here rather than lose it.
            Segmenter.resolve(frame.alloc(), frame.retain(), offload, plain -> {
                try {
                    toTap(attachment, plain, null, 1);
                } finally {
                    plain.release();
                }
            });
            return;
        }
        try {
            final var poller = attachment.poller;
            if (poller != null) {
                poller.write(frame, offload);
            } else {
                final var bytes = ByteBufUtil.getBytes(frame);
                attachment.tap.write(bytes, bytes.length);
            }
            attachment.toTap.addAndGet(frames);
        } catch (IOException e) {
            attachment.dropped.addAndGet(frames);
        }
    }

    /**
     * Stops polling and removes every interface.
     *
     * @param loop the event loop the pollers are registered with
     */
    void close(final EventLoopGroup loop) {
        closing = true;
        for (var attachment : joined) {
            final var polling = attachment.polling;
            if (polling != null) {
                // before the descriptor goes, so that the loop never polls a closed (or reused) one; frames still
                // gathered for it are released (closing is set), on the loop that gathered them
                loop.submit(() -> {
                    polling.cancel();
                    flush(attachment);
                }).awaitUninterruptibly(1, TimeUnit.SECONDS);
            }
            final var reader = attachment.reader;
            if (reader != null) {
                reader.stop();
            }
        }
        for (var attachment : opened) {
            try {
                attachment.tap.close();
            } catch (IOException e) {
                LOG.warn("Removing {}: {}", attachment.tap.name(), e.getMessage());
            }
        }
        joinReaders();
    }

    private void joinReaders() {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(READER_JOIN_MILLIS);
        try {
            for (var attachment : joined) {
                final var reader = attachment.reader;
                if (reader != null && !reader.join(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    LOG.debug("The reader of {} did not end in time", attachment.tap.name());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Removes the interfaces not removed yet (each closes once), quietly: for when the client cannot start.
     */
    private void closeTaps() {
        for (var attachment : opened) {
            try {
                attachment.tap.close();
            } catch (IOException e) {
                LOG.debug("Closing {}: {}", attachment.tap.name(), e.getMessage());
            }
        }
    }
}
