/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.switching;

import io.netty.buffer.ByteBuf;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.serval.dataplane.Bounds;
import org.serval.dataplane.ethernet.Macs;
import org.serval.dataplane.ethernet.Offload;
import org.serval.dataplane.resolution.AddressTable;
import org.serval.dataplane.resolution.IpAddress;
import org.serval.dataplane.resolution.NeighborPackets;

/**
 * The switch of one VLAN: learns where each MAC lives, sends unicast to the learned port, and floods broadcast,
 * multicast and unknown unicast to the VLAN's other members only. Storm control: the sessions hold each member's
 * broadcast and multicast to the VLAN's flood rate before a frame gets here; unknown unicast, which only the
 * switch can tell, is asked of the sending port before it is flooded ({@link SwitchPort#mayFloodUnknown}).
 *
 * <p>Address resolution: it learns who has which IP address from the ARP and neighbour discovery it forwards, and
 * when answering is on, it answers an ARP request or neighbour solicitation for a known address itself, to the
 * asker only, instead of flooding it to every member (the seed's addressOfClientRequest, done inside the switch).
 * It answers only for an owner that is a member now, never for the asker's own port, and never for duplicate
 * address detection, which only the owner may answer.
 *
 * <p>The VLAN's services ({@link FrameService}: the DHCP server, router advertisements, the rogue-server guard)
 * see a member's frame first, right after learning, and may answer or drop it.
 * A {@link FrameFilter}, when one is set, sees every frame after learning and answering: it may drop it (the
 * VLAN's chatter policy) and narrows where a frame to a group address goes (IGMP and MLD snooping).
 *
 * <p>Buffers: {@link #receive} takes one reference to the frame and consumes it. Each port a frame goes to gets a
 * retained duplicate (the bytes are shared, never copied); the original reference is released at the end.
 */
public final class VlanSwitch {
    static final int MAC_LENGTH = 6;

    // A host has a few addresses per family; more from one MAC is a host gone wrong or a flood.
    private static final int MAX_ADDRESSES_PER_MAC = Bounds.ADDRESSES_PER_MAC;

    private final String vlan;
    private final MacTable<SwitchPort> macs;
    private final AddressTable addresses;
    private final boolean answerNeighbors;
    private final Set<SwitchPort> members = ConcurrentHashMap.newKeySet();
    private final LongAdder forwarded = new LongAdder();
    private final LongAdder flooded = new LongAdder();
    private final LongAdder snooped = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private final LongAdder answered = new LongAdder();
    // Bytes of the frames counted in forwarded, flooded and snooped: one add beside the frame count (metrics).
    private final LongAdder forwardedOctets = new LongAdder();
    private final LongAdder floodedOctets = new LongAdder();
    private final LongAdder snoopedOctets = new LongAdder();
    // Broadcast, multicast and unknown unicast beyond a member's flood rate (storm control), apart from dropped.
    private final LongAdder stormDropped = new LongAdder();
    // The chatter policy and multicast snooping (null for none); set where the switch is made.
    private volatile FrameFilter filter;
    // Addressing (DHCP, router advertisements, the rogue guard); set where the switch is made.
    private volatile FrameService services = FrameService.NONE;

    /**
     * A switch.
     *
     * @param answerNeighbors whether to answer ARP and neighbour solicitations for known addresses itself
     */
    public VlanSwitch(final String vlan, final int maxMacs, final int maxMacsPerPort, final long macAgingNanos,
            final boolean answerNeighbors) {
        this.vlan = vlan;
        this.answerNeighbors = answerNeighbors;
        // A link to another node teaches the MACs of all that node's members, which that node already bounds.
        macs = new MacTable<>(maxMacs, port -> port.isRemote() ? maxMacs : maxMacsPerPort, macAgingNanos);
        addresses = new AddressTable(maxMacs * 2, MAX_ADDRESSES_PER_MAC, macAgingNanos);
    }

    public String vlan() {
        return vlan;
    }

    /**
     * Sets what decides about each frame beyond the MAC table (chatter policy, snooping); null for nothing.
     */
    public void filterWith(final FrameFilter frameFilter) {
        filter = frameFilter;
    }

    public void attach(final SwitchPort port) {
        members.add(port);
        services.attached(this, port);
    }

    /**
     * Sets the services that see each member's frame before it is forwarded ({@link FrameService}).
     */
    public void serveWith(final FrameService newServices) {
        services = newServices == null ? FrameService.NONE : newServices;
    }

    /**
     * Removes a member and what was learned from it, so that no frame is sent to a port that is gone.
     */
    public void detach(final SwitchPort port) {
        members.remove(port);
        macs.forgetPort(port);
        final var current = filter;
        if (current != null) {
            current.detached(port);
        }
    }

    public int memberCount() {
        return members.size();
    }

    /**
     * Members on this node (clients), leaving out the links to other nodes; counted when asked, not kept.
     */
    public int localMemberCount() {
        int count = 0;
        for (var port : members) {
            if (!port.isRemote()) {
                count++;
            }
        }
        return count;
    }

    /**
     * Counts a member's broadcast or multicast frame that storm control dropped before it reached the switch (the
     * session holds group frames to the VLAN's flood rate), so that the VLAN's storm drops are in one counter.
     */
    public void stormDropped() {
        stormDropped.increment();
    }

    /**
     * Switches one frame that a member sent.
     *
     * @param from the member it came from
     * @param frame an Ethernet frame (14..1518 bytes, checked by the codec); this call consumes the reference
     * @param nowNanos the time, for learning and aging
     */
    public boolean receive(final SwitchPort from, final ByteBuf frame, final long nowNanos) {
        return receive(from, frame, null, nowNanos);
    }

    /**
     * Switches one frame that a member sent, with its offload header (null for none), which goes along to each
     * port, as it is or resolved into plain frames (see {@link SwitchPort#deliver(ByteBuf, Offload)}).
     *
     * @return false when the frame was dropped here: from a non-member, from a group address, or unknown unicast
     *     beyond the sender's storm-control rate ({@link SwitchPort#mayFloodUnknown})
     */
    public boolean receive(final SwitchPort from, final ByteBuf frame, final Offload offload, final long nowNanos) {
        try {
            if (!members.contains(from)) {
                dropped.increment();
                return false;
            }
            final int at = frame.readerIndex();
            final long dst = Macs.read(frame, at);
            final long src = Macs.read(frame, at + MAC_LENGTH);
            if (Macs.isGroup(src)) {
                // A group address cannot be a source; learning it would hijack multicast.
                dropped.increment();
                return false;
            }
            macs.learn(src, from, nowNanos);
            final var verdict = services.inspect(this, from, frame, nowNanos);
            if (verdict != FrameService.Verdict.PASS) {
                if (verdict == FrameService.Verdict.DROPPED) {
                    dropped.increment();
                }
                return verdict == FrameService.Verdict.CONSUMED;
            }
            if (answerNeighbors && answered(from, frame, Macs.isGroup(dst), nowNanos)) {
                return true;
            }
            final var current = filter;
            var scope = FrameFilter.ALL;
            if (current != null) {
                scope = current.admit(from, frame, Macs.isGroup(dst), nowNanos);
                if (scope == null) {
                    return false;
                }
            }
            final boolean fromNode = from.isRemote();
            if (!Macs.isGroup(dst)) {
                final var to = macs.lookup(dst, nowNanos);
                // A port that left since it was learned is no destination: the frame is unknown unicast again.
                if (to != null && members.contains(to)) {
                    if (fromNode && to.isRemote()) {
                        // Split horizon: the sending node reaches that node itself. Counted, as a learned entry
                        // pointing there means the tables disagree.
                        dropped.increment();
                    } else if (to != from) {
                        forwarded.increment();
                        forwardedOctets.add(frame.readableBytes());
                        send(to, frame, offload);
                    }
                    return true;
                }
                // Unknown unicast reaches every member like a broadcast, so it is held to the same rate: without
                // this, frames to made-up MACs would be a flood that storm control never sees.
                if (!from.mayFloodUnknown(nowNanos)) {
                    stormDropped.increment();
                    return false;
                }
            }
            if (scope == FrameFilter.ALL) {
                flooded.increment();
                floodedOctets.add(frame.readableBytes());
            } else {
                snooped.increment();
                snoopedOctets.add(frame.readableBytes());
            }
            for (var port : members) {
                if (port != from && !(fromNode && port.isRemote()) && scope.includes(port)) {
                    send(port, frame, offload);
                }
            }
            return true;
        } finally {
            frame.release();
        }
    }

    private void send(final SwitchPort to, final ByteBuf frame, final Offload offload) {
        if (!to.deliver(frame.retainedDuplicate(), offload)) {
            dropped.increment();
        }
    }

    /**
     * Sends a frame the switch itself makes (a multicast query, a router advertisement) to every member on this
     * node; consumes it.
     */
    public void emit(final ByteBuf frame) {
        try {
            for (var port : members) {
                if (!port.isRemote()) {
                    send(port, frame, null);
                }
            }
        } finally {
            frame.release();
        }
    }

    /**
     * The member that has an address, as far as the switch knows (address and MAC learned, port still a member),
     * or null.
     */
    public SwitchPort ownerOf(final IpAddress address, final long nowNanos) {
        final var binding = addresses.lookup(address, nowNanos);
        if (binding == null) {
            return null;
        }
        final var port = macs.lookup(binding.mac(), nowNanos);
        return port != null && members.contains(port) ? port : null;
    }

    /**
     * Records where a MAC is without a frame from it: a client that joined here with it, or another node saying
     * one of its clients did. Frames to it then go straight there, even to a client that moved between nodes and
     * has sent nothing yet.
     */
    public void learnAt(final long mac, final SwitchPort port, final long nowNanos) {
        if (Macs.isUnicast(mac) && members.contains(port)) {
            macs.learn(mac, port, nowNanos);
        }
    }

    /**
     * Learns from a neighbour packet and, if it is a question this switch can answer, answers it.
     *
     * @return true if the frame was answered and must not be forwarded
     */
    private boolean answered(final SwitchPort from, final ByteBuf frame, final boolean toGroup,
            final long nowNanos) {
        final var seen = NeighborPackets.inspect(frame);
        if (seen == null) {
            return false;
        }
        addresses.learn(seen, nowNanos);
        if (!seen.kind().isQuestion() || !toGroup) {
            // Only broadcast questions are answered: a unicast one is a host checking a binding it has, which the
            // owner should see.
            return false;
        }
        final var binding = addresses.lookup(seen.address(), nowNanos);
        if (binding == null) {
            return false;
        }
        final var owner = macs.lookup(binding.mac(), nowNanos);
        // A question from another node is answered only for an owner here: answering for an owner behind a third
        // node would make the asking node learn the owner's MAC at this node's port, where split horizon then drops
        // every frame to it. The owner's own node got the same question over the full mesh and answers it.
        if (owner == null || owner == from || !members.contains(owner) || from.isRemote() && owner.isRemote()) {
            return false;
        }
        answered.increment();
        from.deliver(NeighborPackets.answer(frame.alloc(), seen, binding.mac(), binding.router()));
        return true;
    }

    /**
     * The MAC that has an address in this VLAN, as the switch would answer for it, or -1 (RESOLVE).
     */
    public long resolve(final IpAddress address, final long nowNanos) {
        final var binding = addresses.lookup(address, nowNanos);
        return binding != null && macs.lookup(binding.mac(), nowNanos) != null ? binding.mac() : -1;
    }

    /**
     * Ages out idle MAC entries and address bindings; called periodically, not per frame.
     */
    /**
     * The IP addresses this switch has seen a MAC use (ARP, neighbour discovery), as far as they are not aged out.
     */
    public List<IpAddress> addressesOf(final long mac) {
        return addresses.addressesOf(mac);
    }

    public int expire(final long nowNanos) {
        addresses.expire(nowNanos);
        return macs.expire(nowNanos);
    }

    /**
     * Questions answered by the switch instead of flooded.
     */
    public long answeredQuestions() {
        return answered.sum();
    }

    /**
     * Unicast frames sent to the member that has the destination MAC.
     */
    public long forwardedFrames() {
        return forwarded.sum();
    }

    /**
     * Frames to a group address that went to some members only (the filter's scope), not to all.
     */
    public long snoopedFrames() {
        return snooped.sum();
    }

    public long floodedFrames() {
        return flooded.sum();
    }

    /**
     * Frames dropped for another reason than storm control: from a non-member or a group source, refused by the
     * VLAN's services (rogue guard), split horizon, or a destination that could not take them.
     */
    public long droppedFrames() {
        return dropped.sum();
    }

    /**
     * Frames storm control dropped: members' broadcast and multicast beyond the VLAN's flood rate, counted by
     * the sessions ({@link #stormDropped()}), and unknown unicast beyond it, counted here.
     */
    public long stormDroppedFrames() {
        return stormDropped.sum();
    }

    /**
     * Bytes (Ethernet frames) of the frames counted by {@link #forwardedFrames()}.
     */
    public long forwardedOctets() {
        return forwardedOctets.sum();
    }

    /**
     * Bytes of the frames counted by {@link #floodedFrames()}, each counted once however many members it went to.
     */
    public long floodedOctets() {
        return floodedOctets.sum();
    }

    /**
     * Bytes of the frames counted by {@link #snoopedFrames()}, each counted once.
     */
    public long snoopedOctets() {
        return snoopedOctets.sum();
    }

    public int learnedMacs() {
        return macs.size();
    }
}
