/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.switching;

import io.netty.buffer.ByteBuf;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The switch of one VLAN: learns where each MAC lives, sends unicast to the learned port, and floods broadcast,
 * multicast and unknown unicast to the VLAN's other members only.
 *
 * <p>Buffers: {@link #receive} takes one reference to the frame and consumes it. Each port a frame goes to gets a
 * retained duplicate (the bytes are shared, never copied); the original reference is released at the end.
 */
public final class VlanSwitch {
    static final int MAC_LENGTH = 6;

    private final String vlan;
    private final MacTable<SwitchPort> macs;
    private final Set<SwitchPort> members = ConcurrentHashMap.newKeySet();
    private final LongAdder flooded = new LongAdder();
    private final LongAdder dropped = new LongAdder();

    public VlanSwitch(final String vlan, final int maxMacs, final int maxMacsPerPort, final long macAgingNanos) {
        this.vlan = vlan;
        macs = new MacTable<>(maxMacs, maxMacsPerPort, macAgingNanos);
    }

    public String vlan() {
        return vlan;
    }

    public void attach(final SwitchPort port) {
        members.add(port);
    }

    /**
     * Removes a member and what was learned from it, so that no frame is sent to a port that is gone.
     */
    public void detach(final SwitchPort port) {
        members.remove(port);
        macs.forgetPort(port);
    }

    public int memberCount() {
        return members.size();
    }

    /**
     * Switches one frame that a member sent.
     *
     * @param from the member it came from
     * @param frame an Ethernet frame (14..1518 bytes, checked by the codec); this call consumes the reference
     * @param nowNanos the time, for learning and aging
     */
    public void receive(final SwitchPort from, final ByteBuf frame, final long nowNanos) {
        try {
            if (!members.contains(from)) {
                dropped.increment();
                return;
            }
            final int at = frame.readerIndex();
            final long dst = mac(frame, at);
            final long src = mac(frame, at + MAC_LENGTH);
            if (isGroup(src)) {
                // A group address cannot be a source; learning it would hijack multicast.
                dropped.increment();
                return;
            }
            macs.learn(src, from, nowNanos);
            if (!isGroup(dst)) {
                final var to = macs.lookup(dst, nowNanos);
                if (to != null) {
                    if (to != from && members.contains(to)) {
                        to.deliver(frame.retainedDuplicate());
                    }
                    return;
                }
            }
            flooded.increment();
            for (var port : members) {
                if (port != from) {
                    port.deliver(frame.retainedDuplicate());
                }
            }
        } finally {
            frame.release();
        }
    }

    /**
     * Ages out idle MAC entries; called periodically, not per frame.
     */
    public int expire(final long nowNanos) {
        return macs.expire(nowNanos);
    }

    public long floodedFrames() {
        return flooded.sum();
    }

    public long droppedFrames() {
        return dropped.sum();
    }

    public int learnedMacs() {
        return macs.size();
    }

    static long mac(final ByteBuf frame, final int index) {
        return (long) frame.getUnsignedShort(index) << 32 | frame.getUnsignedInt(index + 2);
    }

    static boolean isGroup(final long mac) {
        // The I/G bit: the least significant bit of the first octet.
        return (mac >>> 40 & 1) != 0;
    }
}
