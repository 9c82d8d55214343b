/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.multicast;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.serval.api.ChatterPolicy;
import org.serval.api.ChatterPolicy.Protocol;
import org.serval.api.ClientRegistry;
import org.serval.api.FloodPolicy;
import org.serval.dataplane.Bounds;
import org.serval.dataplane.ethernet.Macs;
import org.serval.dataplane.resolution.IpAddress;
import org.serval.dataplane.switching.FrameFilter;
import org.serval.dataplane.switching.SwitchPort;
import org.serval.dataplane.switching.VlanSwitch;

/**
 * The chatter policy and multicast snooping of one VLAN's switch ({@link FrameFilter}).
 *
 * <p>Policy: each frame a member sends is classified ({@link ChattyProtocols}); a chatty one is forwarded, dropped,
 * or held to the policy's rate per member and protocol. Frames from another node were held by that node already.
 *
 * <p>Snooping: IGMP and MLD reports tell which member is in which group ({@link GroupTable}); a frame to an IP
 * multicast group goes to those members only, and to every link to another node. Link-local control groups
 * (224.0.0.0/24, all-nodes, all-routers) and non-IP multicast are flooded. A neighbour solicitation to a
 * solicited-node group goes to the member that has the address when the switch knows it. Queries are flooded;
 * reports go to the members that query (multicast routers) and to other nodes, not to every host, as snooping
 * bridges do (and so that IGMPv2 hosts do not suppress their reports for one another). A group no member reported
 * is flooded until the switch's table is complete ({@link Querier#isComplete}) and then goes to other nodes only.
 * Malformed IGMP or MLD is dropped.
 *
 * <p>mDNS: while the VLAN's mDNS rule is rate-limit (the default), an answer cache ({@link MdnsCache}) learns the
 * members' multicast responses and answers a member's query it fully answers itself, to that member only; the
 * query then goes no further. With the rule forward, mDNS is flooded as it is; with drop, it is dropped.
 */
public final class VlanChatter implements FrameFilter {
    private static final FrameFilter.Scope REMOTE_ONLY = SwitchPort::isRemote;
    // A frame the switch answered itself: it goes to no one.
    private static final FrameFilter.Scope NOBODY = port -> false;
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final long ALL_NODES_OR_ROUTERS_LOW_MAX = 2;
    private static final long SOLICITED_NODE_HIGH = 0xFF02_0000_0000_0000L;
    private static final long SOLICITED_NODE_LOW = 0x0000_0001_FF00_0000L;
    private static final long SOLICITED_NODE_MASK = 0xFFFF_FFFF_FF00_0000L;
    private static final int NEIGHBOR_SOLICITATION = 135;

    /**
     * One member's chatter credit per protocol (a token bucket each). Used only on that member's executor.
     */
    private static final class Limits {
        private final long[] credit = new long[Protocol.values().length];
        private final long[] last = new long[Protocol.values().length];

        Limits(final long nowNanos) {
            Arrays.fill(credit, Bounds.CHATTER_BURST_SECONDS * SECOND);
            Arrays.fill(last, nowNanos);
        }

        boolean take(final Protocol protocol, final long nowNanos, final int ratePerSecond) {
            final int i = protocol.ordinal();
            credit[i] = Math.min(Bounds.CHATTER_BURST_SECONDS * SECOND, credit[i] + Math.max(0, nowNanos - last[i]));
            last[i] = nowNanos;
            final long cost = SECOND / ratePerSecond;
            if (credit[i] < cost) {
                return false;
            }
            credit[i] -= cost;
            return true;
        }
    }

    private final VlanSwitch vlanSwitch;
    private final Supplier<ChatterPolicy> policy;
    private final long switchMac;
    private final GroupTable groups;
    private final Querier igmpQuerier;
    private final Querier mldQuerier;
    private final Map<SwitchPort, Limits> limits = new ConcurrentHashMap<>();
    // Members that sent a query lately (multicast routers), until when: reports go to them.
    private final Map<SwitchPort, Long> routers = new ConcurrentHashMap<>();
    private final Scope reportScope = port -> port.isRemote() || routers.containsKey(port);
    private final LongAdder[] frames = adders();
    private final LongAdder[] rateLimited = adders();
    private final LongAdder[] dropped = adders();
    private final LongAdder malformed = new LongAdder();
    private final MdnsCache mdns = new MdnsCache();

    /**
     * The filter of one switch, which it does not set itself (the caller does, {@link VlanSwitch#filterWith}).
     *
     * @param policy the VLAN's policy now; asked for each chatty frame
     */
    public VlanChatter(final VlanSwitch vlanSwitch, final Supplier<ChatterPolicy> policy) {
        this.vlanSwitch = vlanSwitch;
        this.policy = policy;
        // locally administered, from the VLAN's name: the same on every node, and not a member's
        switchMac = 0x0253_0000_0000L | vlanSwitch.vlan().hashCode() & 0xFFFF_FFFFL;
        groups = new GroupTable(Bounds.MULTICAST_GROUPS_PER_VLAN, Bounds.MULTICAST_GROUPS_PER_MEMBER,
            TimeUnit.SECONDS.toNanos(Bounds.MULTICAST_MEMBERSHIP_SECONDS));
        igmpQuerier = querier();
        mldQuerier = querier();
    }

    private static Querier querier() {
        return new Querier(TimeUnit.SECONDS.toNanos(Bounds.MULTICAST_STARTUP_QUERY_INTERVAL_SECONDS),
            TimeUnit.SECONDS.toNanos(Bounds.MULTICAST_QUERY_INTERVAL_SECONDS), Bounds.MULTICAST_STARTUP_QUERIES,
            TimeUnit.SECONDS.toNanos(Bounds.MULTICAST_RESPONSE_SECONDS),
            TimeUnit.SECONDS.toNanos(Bounds.MULTICAST_OTHER_QUERIER_SECONDS),
            TimeUnit.SECONDS.toNanos(Bounds.MULTICAST_MEMBERSHIP_SECONDS));
    }

    private static LongAdder[] adders() {
        final var all = new LongAdder[Protocol.values().length];
        for (int i = 0; i < all.length; i++) {
            all[i] = new LongAdder();
        }
        return all;
    }

    @Override
    public Scope admit(final SwitchPort from, final ByteBuf frame, final boolean toGroup, final long nowNanos) {
        final var protocol = ChattyProtocols.classify(frame);
        if (!from.isRemote() && !allowed(from, protocol, nowNanos)) {
            return null;
        }
        if (!toGroup) {
            return ALL;
        }
        if (protocol == Protocol.MDNS && policy.get().rule(Protocol.MDNS).action() == FloodPolicy.Action.RATE_LIMIT
                && mdns.inspect(from, frame, nowNanos) == MdnsCache.Verdict.ANSWERED) {
            return NOBODY;
        }
        final long dst = Macs.read(frame, frame.readerIndex());
        if (dst >>> 24 == 0x01005E) {
            return ipv4Scope(from, frame, nowNanos);
        }
        if (dst >>> 32 == 0x3333) {
            return ipv6Scope(from, frame, nowNanos);
        }
        return ALL;
    }

    private boolean allowed(final SwitchPort from, final Protocol protocol, final long nowNanos) {
        if (protocol == null) {
            return true;
        }
        final int i = protocol.ordinal();
        frames[i].increment();
        final var rule = policy.get().rule(protocol);
        return switch (rule.action()) {
            case FORWARD -> true;
            case DROP -> {
                dropped[i].increment();
                yield false;
            }
            case RATE_LIMIT -> {
                if (limits.computeIfAbsent(from, port -> new Limits(nowNanos))
                        .take(protocol, nowNanos, rule.ratePerSecond())) {
                    yield true;
                }
                rateLimited[i].increment();
                yield false;
            }
        };
    }

    private Scope ipv4Scope(final SwitchPort from, final ByteBuf frame, final long nowNanos) {
        final int l3 = ChattyProtocols.networkOffset(frame);
        if (l3 < 0 || ChattyProtocols.etherType(frame) != ChattyProtocols.ETHERTYPE_IPV4) {
            return ALL;
        }
        final long transport = ChattyProtocols.ipv4Transport(frame, l3);
        if (transport < 0) {
            return ALL;
        }
        if (transport >>> 32 == ChattyProtocols.IGMP) {
            return control(from, GroupMessages.igmp(frame, (int) transport, ChattyProtocols.ipv4End(frame, l3)),
                nowNanos);
        }
        final var group = GroupMessages.v4(frame, l3 + 16);
        if ((group.v4Bits() & 0xFFFFFF00) == 0xE0000000 || !GroupMessages.isGroup(group)) {
            return ALL;
        }
        return groupScope(group, igmpQuerier, nowNanos);
    }

    private Scope ipv6Scope(final SwitchPort from, final ByteBuf frame, final long nowNanos) {
        final int l3 = ChattyProtocols.networkOffset(frame);
        if (l3 < 0 || ChattyProtocols.etherType(frame) != ChattyProtocols.ETHERTYPE_IPV6) {
            return ALL;
        }
        final long transport = ChattyProtocols.ipv6Transport(frame, l3);
        if (transport < 0) {
            return ALL;
        }
        final int l4 = (int) transport;
        final int end = ChattyProtocols.ipv6End(frame, l3);
        final boolean icmp = transport >>> 32 == ChattyProtocols.ICMPV6 && end > l4;
        if (icmp && GroupMessages.isMld(frame.getUnsignedByte(l4))) {
            return control(from, GroupMessages.mld(frame, l3, l4, end), nowNanos);
        }
        final var group = GroupMessages.v6(frame, l3 + 24);
        final int scope = (int) (group.high() >>> 48 & 0x0F);
        if (!GroupMessages.isGroup(group) || scope <= 2 && (group.high() & 0xFFFF_FFFF_FFFFL) == 0
                && group.low() <= ALL_NODES_OR_ROUTERS_LOW_MAX) {
            // all-nodes and all-routers, and reserved
            return ALL;
        }
        if (icmp && group.high() == SOLICITED_NODE_HIGH && (group.low() & SOLICITED_NODE_MASK) == SOLICITED_NODE_LOW
                && frame.getUnsignedByte(l4) == NEIGHBOR_SOLICITATION && end - l4 >= 24) {
            final var owner = vlanSwitch.ownerOf(GroupMessages.v6(frame, l4 + 8), nowNanos);
            if (owner != null) {
                return port -> port == owner || port.isRemote();
            }
        }
        return groupScope(group, mldQuerier, nowNanos);
    }

    private Scope groupScope(final IpAddress address, final Querier querier, final long nowNanos) {
        final var group = groups.lookup(address);
        if (group != null) {
            return group;
        }
        return querier.isComplete(nowNanos) && !groups.isFull() ? REMOTE_ONLY : ALL;
    }

    private Scope control(final SwitchPort from, final GroupMessages.Message message, final long nowNanos) {
        switch (message.kind()) {
            case NONE:
                return ALL;
            case MALFORMED:
                malformed.increment();
                return null;
            case QUERY:
                (message.v6() ? mldQuerier : igmpQuerier).heard(nowNanos);
                if (!from.isRemote()) {
                    routers.put(from, nowNanos + TimeUnit.SECONDS.toNanos(Bounds.MULTICAST_OTHER_QUERIER_SECONDS));
                }
                return ALL;
            default:
                (message.v6() ? mldQuerier : igmpQuerier).listenerHeard();
                if (!from.isRemote()) {
                    message.joins().forEach(group -> groups.join(group, from, nowNanos));
                    message.leaves().forEach(group -> groups.leave(group, from));
                }
                return reportScope;
        }
    }

    @Override
    public void detached(final SwitchPort port) {
        limits.remove(port);
        routers.remove(port);
        groups.forget(port);
        mdns.forget(port);
    }

    /**
     * Periodic work, from the node's housekeeping: ages memberships and routers, and sends the queries that are
     * due when the switch has members here.
     */
    public void tick(final long nowNanos) {
        groups.expire(nowNanos);
        mdns.expire(nowNanos);
        routers.values().removeIf(until -> nowNanos - until >= 0);
        if (vlanSwitch.memberCount() == 0) {
            return;
        }
        if (igmpQuerier.due(nowNanos)) {
            vlanSwitch.emit(Queries.igmp(ByteBufAllocator.DEFAULT, switchMac));
        }
        if (mldQuerier.due(nowNanos)) {
            vlanSwitch.emit(Queries.mld(ByteBufAllocator.DEFAULT, switchMac));
        }
    }

    /**
     * This VLAN's counters: the switch's and this filter's.
     */
    public ClientRegistry.VlanCounters counters() {
        final var protocols = new TreeMap<String, ClientRegistry.ProtocolCounters>();
        long limited = 0;
        long filtered = malformed.sum();
        for (var protocol : Protocol.values()) {
            final int i = protocol.ordinal();
            final long protocolLimited = rateLimited[i].sum();
            final long protocolDropped = dropped[i].sum();
            limited += protocolLimited;
            filtered += protocolDropped;
            protocols.put(protocol.yangName(), new ClientRegistry.ProtocolCounters(frames[i].sum(), protocolLimited,
                protocolDropped));
        }
        // mDNS queries the cache answered are the switch's answers, as ARP and ND ones are
        return new ClientRegistry.VlanCounters(vlanSwitch.forwardedFrames(), vlanSwitch.floodedFrames(),
            vlanSwitch.snoopedFrames(), vlanSwitch.answeredQuestions() + mdns.answered(), filtered, limited,
            groups.size(), protocols);
    }

    /**
     * Groups with at least one member (for tests and counters).
     */
    int groupCount() {
        return groups.size();
    }

    /**
     * mDNS queries the switch answered from its cache, and records cached (for tests and benchmarks).
     */
    public long mdnsAnswered() {
        return mdns.answered();
    }

    public int mdnsCached() {
        return mdns.size();
    }
}
