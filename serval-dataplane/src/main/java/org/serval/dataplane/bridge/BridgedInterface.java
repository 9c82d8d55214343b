/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.bridge;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.serval.api.FloodPolicy;
import org.serval.api.VlanInfo;
import org.serval.dataplane.Bounds;
import org.serval.dataplane.ethernet.Macs;
import org.serval.dataplane.ethernet.Offload;
import org.serval.dataplane.session.Dataplane;
import org.serval.dataplane.session.StormControl;
import org.serval.dataplane.switching.SwitchPort;
import org.serval.dataplane.switching.VlanSwitch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One bridged interface: a {@link SwitchPort} in the switch of each VLAN it carries (one on an access port, one per
 * vid on a trunk), with a reader thread that switches the interface's frames into those VLANs and a writer thread
 * that sends the switches' frames out, tagged on a trunk.
 *
 * <p>A port is a member like a client's: the switch learns the MACs behind it (up to the per-port limit), answers
 * ARP and neighbour solicitations for it, and its broadcast, multicast and unknown unicast are held to the VLAN's
 * flood rate by a {@link StormControl} of its own. Frames for the interface wait in one bounded queue; when it is
 * full they are dropped and counted, never buffered without bound, and no event loop ever waits for the interface.
 *
 * <p>The ports are in the switches only while the interface is open, so that nothing is queued for an interface
 * that is gone. {@link #open}, {@link #shut} and {@link #carry} run on the {@link Bridges} thread only.
 */
final class BridgedInterface {
    private static final Logger LOG = LoggerFactory.getLogger(BridgedInterface.class);
    private static final int TPID_8021Q = 0x8100;
    private static final int MACS = 12;
    private static final int VID_MASK = 0x0FFF;
    private static final long JOIN_MILLIS = 2_000;

    /**
     * The interface's attachment to one VLAN.
     */
    final class Port implements SwitchPort {
        private final String vlan;
        private final int vid;
        private final StormControl storm = new StormControl();
        private volatile VlanSwitch vlanSwitch;

        Port(final String vlan, final int vid) {
            this.vlan = vlan;
            this.vid = vid;
        }

        private FloodPolicy floodPolicy() {
            return dataplane.directory().vlan(vlan).map(VlanInfo::flood).orElse(FloodPolicy.DEFAULT);
        }

        /**
         * Switches a frame that came in with this port's vid (or untagged on an access port); consumes it.
         */
        boolean receive(final ByteBuf frame, final Offload offload, final long nowNanos) {
            final var target = vlanSwitch;
            final long dst = Macs.read(frame, frame.readerIndex());
            if (target == null
                    || Macs.isGroup(dst) && !storm.allowGroup(floodPolicy(), dst == Macs.BROADCAST, nowNanos)) {
                frame.release();
                return false;
            }
            return target.receive(this, frame, offload, nowNanos);
        }

        @Override
        public void deliver(final ByteBuf frame) {
            enqueue(frame, vid);
        }

        @Override
        public boolean mayFloodUnknown(final long nowNanos) {
            // asked by the switch inside receive, on the reader thread
            return storm.allowUnknownUnicast(floodPolicy(), nowNanos);
        }

        @Override
        public String owner() {
            // a client-id as YANG has it (no spaces): a DHCP lease names the port it was given to
            return "bridge:" + config.iface() + (vid > 0 ? "." + vid : "");
        }

        String vlan() {
            return vlan;
        }

        int vid() {
            return vid;
        }
    }

    private record Outgoing(ByteBuf frame, int vid) {
    }

    private final BridgeConfig config;
    private final Dataplane dataplane;
    private final Wires wires;
    private final ByteBufAllocator alloc;
    // VLAN name -> port; the reader looks ports up by vid (0: untagged)
    private final Map<String, Port> ports = new LinkedHashMap<>();
    private volatile Map<Integer, Port> byVid = Map.of();
    private final BlockingQueue<Outgoing> queue = new ArrayBlockingQueue<>(Bounds.BRIDGE_QUEUE_FRAMES);
    private final LongAdder inOctets = new LongAdder();
    private final LongAdder inUnicast = new LongAdder();
    private final LongAdder inBroadcast = new LongAdder();
    private final LongAdder inMulticast = new LongAdder();
    private final LongAdder inDiscards = new LongAdder();
    private final LongAdder inErrors = new LongAdder();
    private final LongAdder outOctets = new LongAdder();
    private final LongAdder outUnicast = new LongAdder();
    private final LongAdder outBroadcast = new LongAdder();
    private final LongAdder outMulticast = new LongAdder();
    private final LongAdder outDiscards = new LongAdder();
    private Wire wire;
    private int openIndex;
    private volatile boolean running;
    private volatile boolean failed;
    private Thread reader;
    private Thread writer;

    BridgedInterface(final BridgeConfig config, final Dataplane dataplane, final Wires wires,
            final ByteBufAllocator alloc) {
        this.config = config;
        this.dataplane = dataplane;
        this.wires = wires;
        this.alloc = alloc;
    }

    BridgeConfig config() {
        return config;
    }

    boolean isOpen() {
        return wire != null;
    }

    /**
     * The ifindex the interface had when it was opened: a different one now means it was made again.
     */
    int openIndex() {
        return openIndex;
    }

    /**
     * Whether the reader gave up on the interface (it went away under it): it is to be opened again.
     */
    boolean failed() {
        return failed;
    }

    /**
     * Opens the interface and attaches its ports.
     */
    void open(final int index) throws IOException {
        wire = wires.open(config.iface(), alloc);
        wire.carry(byVid.keySet());
        openIndex = index;
        failed = false;
        running = true;
        final var opened = wire;
        reader = new Thread(() -> read(opened), "serval-bridge-rx-" + config.iface());
        writer = new Thread(() -> write(opened), "serval-bridge-tx-" + config.iface());
        reader.setDaemon(true);
        writer.setDaemon(true);
        // A bug met by one frame must not leave the interface unread for good: the next look opens it again.
        final Thread.UncaughtExceptionHandler reopen = (thread, error) -> {
            LOG.error("Interface {}: {} failed; opening it again", config.iface(), thread.getName(), error);
            failed = true;
        };
        reader.setUncaughtExceptionHandler(reopen);
        writer.setUncaughtExceptionHandler(reopen);
        reader.start();
        writer.start();
        ports.values().forEach(this::attach);
        LOG.info("Bridging interface {} ({}) to {}", config.iface(), config.mode(), ports.keySet());
    }

    /**
     * Detaches the ports and closes the interface; frames still queued for it are dropped.
     */
    void shut() throws InterruptedException {
        if (wire == null) {
            return;
        }
        ports.values().forEach(this::detach);
        running = false;
        reader.join(JOIN_MILLIS);
        writer.join(JOIN_MILLIS);
        wire.close();
        wire = null;
        reader = null;
        writer = null;
        for (var left = queue.poll(); left != null; left = queue.poll()) {
            left.frame().release();
            outDiscards.increment();
        }
    }

    /**
     * Sets the VLANs the interface carries (name to vid; 0 for an access port's one VLAN).
     */
    void carry(final Map<String, Integer> vlans) {
        for (var it = ports.values().iterator(); it.hasNext();) {
            final var port = it.next();
            final var vid = vlans.get(port.vlan());
            if (vid == null || vid != port.vid()) {
                detach(port);
                it.remove();
            }
        }
        vlans.forEach((vlan, vid) -> {
            if (!ports.containsKey(vlan)) {
                final var port = new Port(vlan, vid);
                ports.put(vlan, port);
                if (wire != null) {
                    attach(port);
                }
            }
        });
        final var index = new HashMap<Integer, Port>();
        ports.values().forEach(port -> index.put(port.vid(), port));
        final var before = byVid;
        byVid = Map.copyOf(index);
        if (wire != null && !before.keySet().equals(byVid.keySet())) {
            wire.carry(byVid.keySet());
        }
    }

    Map<String, Integer> carried() {
        final var carried = new LinkedHashMap<String, Integer>();
        ports.values().forEach(port -> carried.put(port.vlan(), port.vid()));
        return carried;
    }

    private void attach(final Port port) {
        if (port.vlanSwitch == null) {
            port.vlanSwitch = dataplane.attachLocal(port.vlan(), port);
        }
    }

    private void detach(final Port port) {
        final var from = port.vlanSwitch;
        if (from != null) {
            port.vlanSwitch = null;
            dataplane.detachLocal(from, port);
        }
    }

    private void read(final Wire from) {
        while (running) {
            final Wire.Received received;
            try {
                received = from.receive();
            } catch (IOException e) {
                if (running) {
                    LOG.info("Interface {} cannot be read any more ({}); attaching it again when it is back",
                        config.iface(), e.getMessage());
                    failed = true;
                }
                return;
            }
            if (received != null) {
                if (running) {
                    switchFrame(received, System.nanoTime());
                } else if (received.frame() != null) {
                    received.frame().release();
                }
            }
        }
    }

    /**
     * Switches one frame read from the interface into the VLAN its tag (or its absence) names; consumes it.
     */
    void switchFrame(final Wire.Received received, final long nowNanos) {
        var frame = received.frame();
        if (received.truncated() || frame == null) {
            inErrors.increment();
            return;
        }
        var offload = received.offload();
        int tci = received.tci();
        inOctets.add(frame.readableBytes() + (tci == Wire.Received.NO_TAG ? 0 : 4));
        if (frame.readableBytes() < MACS + 2) {
            inErrors.increment();
            frame.release();
            return;
        }
        if (tci == Wire.Received.NO_TAG && frame.getUnsignedShort(frame.readerIndex() + MACS) == TPID_8021Q) {
            // A tag the kernel left in the frame (no VLAN offload on this interface): taken out here.
            if (frame.readableBytes() < MACS + 6) {
                inErrors.increment();
                frame.release();
                return;
            }
            tci = frame.getUnsignedShort(frame.readerIndex() + MACS + 2);
            final var macs = new byte[MACS];
            frame.getBytes(frame.readerIndex(), macs);
            frame.skipBytes(4);
            frame.setBytes(frame.readerIndex(), macs);
            if (offload != null) {
                offload = new Offload(offload.flags(), offload.gsoType(), Math.max(0, offload.hdrLen() - 4),
                    offload.gsoSize(), offload.csumStart() - 4, offload.csumOffset());
            }
        }
        // vid 0 is a priority tag: the frame is untagged as far as VLANs go
        final int vid = tci == Wire.Received.NO_TAG ? 0 : tci & VID_MASK;
        final int length = frame.readableBytes();
        if (offload == null ? length > Bounds.BRIDGE_MAX_FRAME : offload.problemWith(length) != null) {
            inErrors.increment();
            frame.release();
            return;
        }
        final var port = byVid.get(vid);
        if (port == null) {
            // a vid this trunk does not carry, a tagged frame on an access port, an untagged one on a trunk
            inDiscards.increment();
            frame.release();
            return;
        }
        final long dst = Macs.read(frame, frame.readerIndex());
        if (port.receive(frame, offload, nowNanos)) {
            (dst == Macs.BROADCAST ? inBroadcast : Macs.isGroup(dst) ? inMulticast : inUnicast).increment();
        } else {
            inDiscards.increment();
        }
    }

    private void enqueue(final ByteBuf frame, final int vid) {
        if (!running || frame.readableBytes() > Bounds.BRIDGE_MAX_FRAME || !queue.offer(new Outgoing(frame, vid))) {
            frame.release();
            outDiscards.increment();
        }
    }

    private void write(final Wire to) {
        while (running) {
            final Outgoing next;
            try {
                next = queue.poll(Bounds.BRIDGE_WAKE_MILLIS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (next != null) {
                send(to, next);
            }
        }
    }

    private void send(final Wire to, final Outgoing next) {
        final var frame = next.frame();
        try {
            final int length = frame.readableBytes();
            final long dst = Macs.read(frame, frame.readerIndex());
            if (to.send(frame, next.vid())) {
                outOctets.add(length + (next.vid() > 0 ? 4 : 0));
                (dst == Macs.BROADCAST ? outBroadcast : Macs.isGroup(dst) ? outMulticast : outUnicast).increment();
            } else {
                outDiscards.increment();
            }
        } catch (IOException e) {
            outDiscards.increment();
            LOG.debug("Interface {}: {}", config.iface(), e.getMessage());
        } finally {
            frame.release();
        }
    }

    PortState.Counters counters() {
        return new PortState.Counters(inOctets.sum(), inUnicast.sum(), inBroadcast.sum(), inMulticast.sum(),
            inDiscards.sum(), inErrors.sum(), outOctets.sum(), outUnicast.sum(), outBroadcast.sum(),
            outMulticast.sum(), outDiscards.sum());
    }
}
