/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.addressing;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.util.ArrayList;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntPredicate;
import java.util.function.LongSupplier;
import org.serval.api.Addressing;
import org.serval.dataplane.Bounds;
import org.serval.dataplane.ethernet.Macs;
import org.serval.dataplane.resolution.IpAddress;
import org.serval.dataplane.switching.FrameService;
import org.serval.dataplane.switching.SwitchPort;
import org.serval.dataplane.switching.VlanSwitch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The addressing services of one node's switches (YANG {@code vlans/vlan/addressing}): a DHCPv4 server per VLAN
 * with an IPv4 pool, router advertisements per VLAN with an IPv6 prefix, and the rogue guard that drops DHCP
 * server messages and router advertisements from members. A VLAN without addressing is left alone: its members'
 * DHCP and router advertisements are forwarded as any frame.
 *
 * <p>Only frames from this node's own clients are looked at: a client's DHCP request is answered by the node it is
 * connected to, so a frame from another node is either already answered there or not for this node to judge.
 *
 * <p>The switch speaks from a MAC derived from the VLAN's name (the same on every node, so a client that moved
 * renews with the server it knew) and, for DHCP, from the subnet's highest address outside the pool and the gateway
 * ({@link Addressing.Ipv4#serverAddress}), for which it answers ARP.
 *
 * <p>Conflict checks: before it offers an address, the switch sends an ARP probe for it (RFC 5227, sender address
 * 0) to its members here and waits {@link Bounds#DHCP_PROBE_WAIT_MILLIS} on a {@link Timer}, never on the event
 * loop. A member that answers, or announces the address meanwhile, has it: the address is held as a declined one
 * and the next one is probed, up to {@link Bounds#DHCP_PROBE_ATTEMPTS} per DISCOVER. A DISCOVER repeated during
 * the wait starts no second probe.
 */
public final class AddressServices implements FrameService {
    /**
     * Where the leases this node gives out go (the OPERATIONAL datastore). Called on event loops: never blocks.
     */
    public interface LeaseListener {
        LeaseListener NONE = new LeaseListener() {
            @Override
            public void leased(final String vlan, final Lease lease) {
                // kept in memory only
            }

            @Override
            public void ended(final String vlan, final long mac) {
                // kept in memory only
            }
        };

        /**
         * A lease was given, renewed or released (then its expiry is now).
         */
        void leased(String vlan, Lease lease);

        /**
         * A MAC's lease is gone (declined, or its address given to another MAC).
         */
        void ended(String vlan, long mac);
    }

    /**
     * Runs a task later on some other thread: the probe's wait, so that the event loop that heard the DISCOVER
     * never waits.
     */
    @FunctionalInterface
    public interface Timer {
        /**
         * Netty's global executor: one shared thread, started while tasks are due.
         */
        Timer GLOBAL = (task, delayMillis) -> GlobalEventExecutor.INSTANCE.schedule(task, delayMillis,
            TimeUnit.MILLISECONDS);

        void schedule(Runnable task, long delayMillis);
    }

    private static final Logger LOG = LoggerFactory.getLogger(AddressServices.class);
    // Advertised prefix lifetimes (RFC 4861 defaults are 30 days valid, 7 days preferred); shorter, so that a
    // prefix an administrator removed leaves the hosts within a day.
    private static final int PREFIX_VALID_SECONDS = 86_400;
    private static final int PREFIX_PREFERRED_SECONDS = 14_400;
    private static final long SERVER_MAC_BASE = 0x0253_0000_0000L;

    private final ConcurrentHashMap<String, VlanAddresses> vlans = new ConcurrentHashMap<>();
    private final LongSupplier wallClock;
    private final Timer timer;
    private final LongAdder malformed = new LongAdder();
    private final LongAdder rogue = new LongAdder();
    private volatile LeaseListener listener = LeaseListener.NONE;

    public AddressServices(final LongSupplier wallClock) {
        this(wallClock, Timer.GLOBAL);
    }

    public AddressServices(final LongSupplier wallClock, final Timer timer) {
        this.wallClock = requireNonNull(wallClock);
        this.timer = requireNonNull(timer);
    }

    public void listener(final LeaseListener newListener) {
        listener = requireNonNull(newListener);
    }

    /**
     * A VLAN's addressing changed (null: it has none, or the VLAN is gone).
     */
    public void configure(final String vlan, final Addressing config) {
        if (config == null) {
            final var state = vlans.get(vlan);
            if (state != null) {
                state.configure(null);
            }
            return;
        }
        vlans.compute(vlan, (name, state) -> {
            if (state == null) {
                return new VlanAddresses(config);
            }
            state.configure(config);
            return state;
        });
    }

    /**
     * A VLAN was deleted: its leases go with it.
     */
    public void removeVlan(final String vlan) {
        vlans.remove(vlan);
    }

    /**
     * A lease stored in the datastore (by any node), for the local view.
     */
    public void leaseStored(final String vlan, final Lease lease) {
        if (vlans.size() >= Bounds.ADDRESSING_VLANS && !vlans.containsKey(vlan)) {
            return;
        }
        vlans.computeIfAbsent(vlan, name -> new VlanAddresses(null)).learn(lease);
    }

    public void leaseRemoved(final String vlan, final long mac) {
        final var state = vlans.get(vlan);
        if (state != null) {
            state.forget(mac);
        }
    }

    /**
     * The lease of a MAC in a VLAN as this node knows it, or null.
     */
    public Lease leaseOf(final String vlan, final long mac) {
        final var state = vlans.get(vlan);
        return state == null ? null : state.leaseOf(mac);
    }

    /**
     * The MAC the switch of a VLAN speaks from.
     */
    public static long serverMac(final String vlan) {
        return SERVER_MAC_BASE | vlan.hashCode() & 0xFFFF_FFFFL;
    }

    /**
     * ARP probes the switch of a VLAN sent before offering an address, and how many of them found the address in
     * use; 0 for a VLAN without addressing here.
     */
    public long probesSent(final String vlan) {
        final var state = vlans.get(vlan);
        return state == null ? 0 : state.probesSent();
    }

    public long conflictsFound(final String vlan) {
        final var state = vlans.get(vlan);
        return state == null ? 0 : state.conflictsFound();
    }

    public long malformedFrames() {
        return malformed.sum();
    }

    public long rogueFrames() {
        return rogue.sum();
    }

    @Override
    public Verdict inspect(final VlanSwitch vlanSwitch, final SwitchPort from, final ByteBuf frame,
            final long nowNanos) {
        if (from.isRemote()) {
            return Verdict.PASS;
        }
        final var state = vlans.get(vlanSwitch.vlan());
        final var config = state == null ? null : state.config();
        if (config == null) {
            return Verdict.PASS;
        }
        return switch (Packets.classify(frame)) {
            case DHCP_TO_SERVER -> config.servesV4() ? dhcp(state, vlanSwitch, from, frame, nowNanos) : Verdict.PASS;
            case DHCP_FROM_SERVER -> guard(config.servesV4() && config.rogueGuard());
            case ROUTER_ADVERTISEMENT -> guard(config.servesV6() && config.rogueGuard());
            case ROUTER_SOLICITATION -> {
                if (!config.servesV6()) {
                    yield Verdict.PASS;
                }
                from.deliver(advertisement(vlanSwitch, frame, config.ipv6()));
                yield Verdict.CONSUMED;
            }
            case ARP -> config.servesV4() ? arp(state, vlanSwitch, from, frame, nowNanos) : Verdict.PASS;
            default -> config.servesV4() && frame.readableBytes() >= Packets.ETH
                && Macs.read(frame, frame.readerIndex()) == serverMac(vlanSwitch.vlan())
                // Anything else for the server's own MAC (a ping of its address) ends here: flooding it as
                // unknown unicast would send it to every member.
                ? Verdict.CONSUMED : Verdict.PASS;
        };
    }

    private Verdict guard(final boolean on) {
        if (!on) {
            return Verdict.PASS;
        }
        rogue.increment();
        return Verdict.DROPPED;
    }

    private static ByteBuf advertisement(final VlanSwitch vlanSwitch, final ByteBuf frame,
            final Addressing.Ipv6 ipv6) {
        return Packets.routerAdvertisement(frame.alloc(), serverMac(vlanSwitch.vlan()), ipv6.prefix(),
            ipv6.prefixLength(), PREFIX_VALID_SECONDS, PREFIX_PREFERRED_SECONDS);
    }

    private Verdict arp(final VlanAddresses state, final VlanSwitch vlanSwitch, final SwitchPort from,
            final ByteBuf frame, final long nowNanos) {
        final String vlan = vlanSwitch.vlan();
        final var sender = Packets.arpSender(frame);
        if (sender != null && sender.ip() != 0) {
            final long nowMillis = wallClock.getAsLong();
            final var answered = state.probeAnswered(sender.ip(), sender.mac(), nowMillis);
            if (answered != null) {
                LOG.debug("VLAN {}: {} is in use by {}, not offered", vlan, Addressing.v4String(sender.ip()),
                    Long.toHexString(sender.mac()));
                nextProbe(state, vlanSwitch, answered, nowMillis, nowNanos);
            }
        }
        final var question = Packets.arpQuestion(frame);
        final int server = state.serverIp();
        if (question != null && server != 0 && question.target() == server) {
            // A client renewing its lease unicasts to the server's address, so it must be able to resolve it.
            from.deliver(Packets.arpReply(frame.alloc(), question, serverMac(vlan), server));
            return Verdict.CONSUMED;
        }
        // An answer to the switch's probe is the switch's: forwarded, it would flood as unknown unicast.
        return Macs.read(frame, frame.readerIndex()) == serverMac(vlan) ? Verdict.CONSUMED : Verdict.PASS;
    }

    // A member other than the switch is seen using this address now (the switch learned it from its ARP or ND):
    // a conflict the book does not know of, an address someone set by hand.
    private static IntPredicate inUse(final VlanAddresses state, final VlanSwitch vlanSwitch, final long mac,
            final long nowMillis, final long nowNanos) {
        return address -> {
            final long owner = vlanSwitch.resolve(IpAddress.v4(address), nowNanos);
            if (owner != -1 && owner != mac) {
                state.conflict(address, nowMillis);
                return true;
            }
            return false;
        };
    }

    private void discover(final VlanAddresses state, final VlanSwitch vlanSwitch, final SwitchPort from,
            final Packets.DhcpRequest request, final long nowMillis, final long nowNanos) {
        final long mac = request.chaddr();
        if (state.repeat(mac, from, request)) {
            // A client asking again while its address is probed: the coming OFFER answers it.
            return;
        }
        final int address = state.choose(mac, request.requested(), nowMillis,
            inUse(state, vlanSwitch, mac, nowMillis, nowNanos));
        if (address == 0) {
            LOG.trace("VLAN {}: no free address for {}", vlanSwitch.vlan(), Long.toHexString(mac));
            return;
        }
        probe(state, vlanSwitch, from, request, address, 1, nowMillis);
    }

    private void nextProbe(final VlanAddresses state, final VlanSwitch vlanSwitch, final VlanAddresses.Probe answered,
            final long nowMillis, final long nowNanos) {
        if (answered.attempt() >= Bounds.DHCP_PROBE_ATTEMPTS) {
            LOG.debug("VLAN {}: {} addresses in use in a row, {} gets no offer this time", vlanSwitch.vlan(),
                answered.attempt(), Long.toHexString(answered.mac()));
            return;
        }
        final int address = state.choose(answered.mac(), 0, nowMillis,
            inUse(state, vlanSwitch, answered.mac(), nowMillis, nowNanos));
        if (address != 0) {
            probe(state, vlanSwitch, answered.port(), answered.request(), address, answered.attempt() + 1,
                nowMillis);
        }
    }

    private void probe(final VlanAddresses state, final VlanSwitch vlanSwitch, final SwitchPort port,
            final Packets.DhcpRequest request, final int address, final int attempt, final long nowMillis) {
        final var probe = state.startProbe(request.chaddr(), address, attempt, port, request, nowMillis);
        if (probe == null) {
            LOG.trace("VLAN {}: too many DISCOVERs waiting, {} not probed", vlanSwitch.vlan(),
                Addressing.v4String(address));
            return;
        }
        vlanSwitch.emit(Packets.arpProbe(ByteBufAllocator.DEFAULT, serverMac(vlanSwitch.vlan()), address));
        timer.schedule(() -> probed(state, vlanSwitch.vlan(), probe), Bounds.DHCP_PROBE_WAIT_MILLIS);
    }

    // The probe's wait is over: unless it was answered meanwhile, its address is offered.
    private static void probed(final VlanAddresses state, final String vlan, final VlanAddresses.Probe probe) {
        final var done = state.finishProbe(probe.mac(), probe.token());
        final var config = state.config();
        final var ipv4 = config == null ? null : config.ipv4();
        if (done == null || ipv4 == null || !ipv4.inPool(done.address())) {
            return;
        }
        done.port().deliver(Packets.dhcpReply(ByteBufAllocator.DEFAULT, done.request(), Packets.OFFER,
            serverMac(vlan), state.serverIp(), offer(ipv4, done.address())));
    }

    private Verdict dhcp(final VlanAddresses state, final VlanSwitch vlanSwitch, final SwitchPort from,
            final ByteBuf frame, final long nowNanos) {
        final var request = Packets.parseDhcp(frame);
        if (request == null) {
            malformed.increment();
            return Verdict.DROPPED;
        }
        final var config = state.config();
        final var ipv4 = config == null ? null : config.ipv4();
        if (ipv4 == null) {
            return Verdict.DROPPED;
        }
        final long mac = request.chaddr();
        final long nowMillis = wallClock.getAsLong();
        final String vlan = vlanSwitch.vlan();
        final long serverMac = serverMac(vlan);
        final int serverIp = state.serverIp();
        final IntPredicate inUse = inUse(state, vlanSwitch, mac, nowMillis, nowNanos);
        switch (request.type()) {
            case Packets.DISCOVER -> discover(state, vlanSwitch, from, request, nowMillis, nowNanos);
            case Packets.REQUEST -> {
                if (request.server() != 0 && request.server() != serverIp) {
                    // The client took another server's offer.
                    return Verdict.CONSUMED;
                }
                final int address = request.requested() != 0 ? request.requested() : request.ciaddr();
                if (address != 0 && state.mayHave(mac, address, nowMillis, inUse)) {
                    final var displaced = new ArrayList<Long>();
                    final var lease = state.grant(mac, address, from.owner(), nowMillis, displaced);
                    final var sink = listener;
                    displaced.forEach(other -> sink.ended(vlan, other));
                    sink.leased(vlan, lease);
                    LOG.debug("VLAN {}: {} has {}", vlan, Long.toHexString(mac), Addressing.v4String(address));
                    from.deliver(Packets.dhcpReply(frame.alloc(), request, Packets.ACK, serverMac, serverIp,
                        offer(ipv4, address)));
                } else {
                    from.deliver(Packets.dhcpReply(frame.alloc(), request, Packets.NAK, serverMac, serverIp,
                        null));
                }
            }
            case Packets.DECLINE -> {
                if (state.decline(mac, request.requested(), nowMillis)) {
                    listener.ended(vlan, mac);
                }
            }
            case Packets.RELEASE -> {
                final var ended = state.release(mac, request.ciaddr(), nowMillis);
                if (ended != null) {
                    listener.leased(vlan, ended);
                }
            }
            default -> {
                // INFORM and server messages to port 67: nothing to give.
            }
        }
        return Verdict.CONSUMED;
    }

    private static Packets.Offer offer(final Addressing.Ipv4 ipv4, final int address) {
        return new Packets.Offer(address, ipv4.leaseSeconds(), ipv4.netmask(), ipv4.broadcast(), ipv4.gateway(),
            ipv4.dns(), ipv4.domain());
    }

    @Override
    public void attached(final VlanSwitch vlanSwitch, final SwitchPort port) {
        final var state = vlans.get(vlanSwitch.vlan());
        final var config = state == null ? null : state.config();
        if (config != null && config.servesV6() && !port.isRemote()) {
            port.deliver(Packets.routerAdvertisement(ByteBufAllocator.DEFAULT,
                serverMac(vlanSwitch.vlan()), config.ipv6().prefix(), config.ipv6().prefixLength(),
                PREFIX_VALID_SECONDS, PREFIX_PREFERRED_SECONDS));
        }
    }

    /**
     * Periodic work for one switch: unsolicited router advertisements, and ageing of offers, probes and conflicts.
     * Called from the dataplane's sweep, never per frame.
     */
    public void tick(final VlanSwitch vlanSwitch, final long nowNanos) {
        final var state = vlans.get(vlanSwitch.vlan());
        if (state == null) {
            return;
        }
        state.expire(wallClock.getAsLong());
        final var config = state.config();
        if (config != null && config.servesV6() && vlanSwitch.memberCount() > 0
                && state.advertisementDue(nowNanos)) {
            vlanSwitch.emit(Packets.routerAdvertisement(ByteBufAllocator.DEFAULT,
                serverMac(vlanSwitch.vlan()), config.ipv6().prefix(), config.ipv6().prefixLength(),
                PREFIX_VALID_SECONDS, PREFIX_PREFERRED_SECONDS));
        }
    }
}
