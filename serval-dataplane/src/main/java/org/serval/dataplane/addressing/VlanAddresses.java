/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.addressing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;
import org.serval.api.Addressing;
import org.serval.dataplane.Bounds;
import org.serval.dataplane.switching.SwitchPort;

/**
 * The DHCPv4 lease book of one VLAN and the choice of addresses from its pool. Every node keeps one per VLAN with
 * addressing, fed by its own switch's answers and by the leases other nodes wrote (the OPERATIONAL datastore), so a
 * client that moves between nodes, or asks again after its node restarted, gets the address it had.
 *
 * <p>Same address for the same MAC: a MAC keeps its lease after it expires until its address is needed for
 * someone else, and a MAC without one starts looking at a place in the pool derived from the MAC, so even a node
 * that has heard of no lease picks what another would have picked.
 *
 * <p>Conflict checks: an address is offered only after an ARP probe of it went unanswered; while the probe waits,
 * the DISCOVER is kept here ({@link Probe}, one per MAC) and its address is held as an offer is.
 *
 * <p>Bounded: a lease per pool address at most (an address leased again drops its old lease), offers
 * ({@link Bounds#DHCP_OFFERS_PER_VLAN}), probes ({@link Bounds#DHCP_PROBES_PER_VLAN}) and declined addresses (by
 * the pool's size) expire. Synchronized: DHCP is a
 * handful of messages per client per lease time, from several event loops and the datastore's listener.
 */
final class VlanAddresses {
    private record Offered(int address, long untilMillis) {
    }

    /**
     * A DISCOVER waiting for the probe of the address it is to be offered.
     *
     * @param attempt which address for this DISCOVER, from 1 (an answered probe moves on to the next)
     * @param token tells this probe from a later one of the same MAC, whose wait ends later
     * @param port where the OFFER goes
     * @param request the DISCOVER as last heard (a repeated one replaces it, so the OFFER carries its xid)
     */
    record Probe(long mac, int address, int attempt, long token, SwitchPort port, Packets.DhcpRequest request,
            long untilMillis) {
    }

    private volatile Addressing config;
    private int serverIp;
    private final Map<Long, Lease> byMac = new HashMap<>();
    private final Map<Integer, Lease> byAddress = new HashMap<>();
    private final Map<Long, Offered> offers = new HashMap<>();
    private final Map<Integer, Long> offeredTo = new HashMap<>();
    private final Map<Integer, Long> declined = new HashMap<>();
    private final Map<Long, Probe> probes = new HashMap<>();
    private final Map<Integer, Long> probedBy = new HashMap<>();
    private long probeTokens;
    private long probesSent;
    private long conflictsFound;
    // Router advertisements: when the last unsolicited one went out (nanoTime), and whether one ever did.
    private long lastAdvertisement;
    private boolean advertised;

    VlanAddresses(final Addressing config) {
        configure(config);
    }

    synchronized void configure(final Addressing newConfig) {
        config = newConfig;
        serverIp = newConfig != null && newConfig.ipv4() != null ? newConfig.ipv4().serverAddress() : 0;
        final var ipv4 = newConfig == null ? null : newConfig.ipv4();
        if (ipv4 != null) {
            // Leases outside a changed pool are no longer the switch's to give.
            byMac.values().removeIf(lease -> !ipv4.inPool(lease.address()));
            byAddress.values().removeIf(lease -> !ipv4.inPool(lease.address()));
        }
        offers.clear();
        offeredTo.clear();
        // A DISCOVER waiting for its probe gets no offer from a changed pool: the client asks again.
        probes.clear();
        probedBy.clear();
    }

    Addressing config() {
        return config;
    }

    synchronized int serverIp() {
        return serverIp;
    }

    /**
     * The address to offer a MAC, or 0 when the pool has none free.
     *
     * @param requested the address the client asked for (option 50), or 0
     * @param inUse whether a member other than this MAC is seen using an address now (the switch's address table)
     */
    synchronized int choose(final long mac, final int requested, final long nowMillis, final IntPredicate inUse) {
        final var ipv4 = config == null ? null : config.ipv4();
        if (ipv4 == null) {
            return 0;
        }
        final var own = byMac.get(mac);
        if (own != null && free(ipv4, own.address(), mac, nowMillis, false, inUse)) {
            return own.address();
        }
        if (requested != 0 && free(ipv4, requested, mac, nowMillis, false, inUse)) {
            return requested;
        }
        final int size = ipv4.poolSize();
        final int start = Math.floorMod(Long.hashCode(mix(mac)), size);
        // First an address no one holds, then one whose holder's lease ran out (the holder's claim is kept until
        // the pool has nothing else).
        for (int pass = 0; pass < 2; pass++) {
            for (int i = 0; i < size; i++) {
                final int candidate = ipv4.poolAddress((start + i) % size);
                if (free(ipv4, candidate, mac, nowMillis, pass == 1, inUse)) {
                    return candidate;
                }
            }
        }
        return 0;
    }

    private static long mix(final long mac) {
        // A MAC's low bits differ little between interfaces of one vendor; spread them over the pool.
        final long spread = mac * 0x9E37_79B9_7F4A_7C15L;
        return spread ^ spread >>> 29;
    }

    private boolean free(final Addressing.Ipv4 ipv4, final int address, final long mac, final long nowMillis,
            final boolean takeExpired, final IntPredicate inUse) {
        if (!ipv4.inPool(address) || address == serverIp || address == ipv4.gateway()) {
            return false;
        }
        final var until = declined.get(address);
        if (until != null) {
            if (until > nowMillis) {
                return false;
            }
            declined.remove(address);
        }
        final var holder = byAddress.get(address);
        if (holder != null && holder.mac() != mac && (holder.isActive(nowMillis) || !takeExpired)) {
            return false;
        }
        final var offered = offerOf(address, nowMillis);
        if (offered != null && offered != mac) {
            return false;
        }
        return !inUse.test(address);
    }

    private Long offerOf(final int address, final long nowMillis) {
        final var mac = offeredTo.get(address);
        final var offered = mac == null ? null : offers.get(mac);
        return offered != null && offered.address() == address && offered.untilMillis() > nowMillis ? mac : null;
    }

    private void dropOffer(final long mac) {
        final var offered = offers.remove(mac);
        if (offered != null) {
            offeredTo.remove(offered.address(), mac);
        }
    }

    private void dropExpiredOffers(final long nowMillis) {
        offers.values().removeIf(offered -> offered.untilMillis() <= nowMillis);
        offeredTo.values().removeIf(mac -> !offers.containsKey(mac));
    }

    /**
     * Holds an address for a MAC between OFFER and REQUEST, so that another client's DISCOVER does not get it.
     *
     * @return false when too many offers are pending (the DISCOVER goes unanswered; the client asks again)
     */
    synchronized boolean offer(final long mac, final int address, final long nowMillis) {
        if (offers.size() >= Bounds.DHCP_OFFERS_PER_VLAN && !offers.containsKey(mac)) {
            dropExpiredOffers(nowMillis);
            if (offers.size() >= Bounds.DHCP_OFFERS_PER_VLAN) {
                return false;
            }
        }
        dropOffer(mac);
        offers.put(mac, new Offered(address, nowMillis + Bounds.DHCP_OFFER_HOLD_MILLIS));
        offeredTo.put(address, mac);
        return true;
    }

    /**
     * A DISCOVER from a MAC whose address is being probed: it replaces the one kept (the OFFER answers the latest),
     * and no second probe starts.
     *
     * @return whether the MAC had a probe waiting
     */
    synchronized boolean repeat(final long mac, final SwitchPort port, final Packets.DhcpRequest request) {
        final var probe = probes.get(mac);
        if (probe == null) {
            return false;
        }
        probes.put(mac, new Probe(mac, probe.address(), probe.attempt(), probe.token(), port, request,
            probe.untilMillis()));
        return true;
    }

    /**
     * Starts the probe of an address for a MAC's DISCOVER (replacing its earlier probe, if any) and holds the
     * address for it as an offer.
     *
     * @return the probe, or null when too many DISCOVERs are waiting or offers are full (it goes unanswered)
     */
    synchronized Probe startProbe(final long mac, final int address, final int attempt, final SwitchPort port,
            final Packets.DhcpRequest request, final long nowMillis) {
        final var earlier = probes.get(mac);
        if (earlier == null && probes.size() >= Bounds.DHCP_PROBES_PER_VLAN) {
            dropExpiredProbes(nowMillis);
            if (probes.size() >= Bounds.DHCP_PROBES_PER_VLAN) {
                return null;
            }
        }
        if (!offer(mac, address, nowMillis)) {
            return null;
        }
        if (earlier != null) {
            probedBy.remove(earlier.address(), mac);
        }
        final var probe = new Probe(mac, address, attempt, ++probeTokens, port, request,
            nowMillis + Bounds.DHCP_OFFER_HOLD_MILLIS);
        probes.put(mac, probe);
        probedBy.put(address, mac);
        probesSent++;
        return probe;
    }

    /**
     * A probe's wait is over.
     *
     * @return the probe as last updated, to be offered; null when it was answered or replaced meanwhile
     */
    synchronized Probe finishProbe(final long mac, final long token) {
        final var probe = probes.get(mac);
        if (probe == null || probe.token() != token) {
            return null;
        }
        probes.remove(mac);
        probedBy.remove(probe.address(), mac);
        return probe;
    }

    /**
     * A member other than the prober says it has an address (it answered the probe, or announced it): when that
     * address is being probed, it is in conflict, held like a declined one, and the probe ends.
     *
     * @return the probe that ended, or null when the address was not being probed
     */
    synchronized Probe probeAnswered(final int address, final long senderMac, final long nowMillis) {
        final var mac = probedBy.get(address);
        if (mac == null || mac == senderMac) {
            return null;
        }
        final var probe = probes.remove(mac);
        probedBy.remove(address);
        conflict(address, nowMillis);
        dropOffer(mac);
        conflictsFound++;
        return probe;
    }

    private void dropExpiredProbes(final long nowMillis) {
        probes.values().removeIf(probe -> probe.untilMillis() <= nowMillis);
        probedBy.values().removeIf(mac -> !probes.containsKey(mac));
    }

    synchronized int probeCount() {
        return probes.size();
    }

    /**
     * ARP probes sent, since the book was made.
     */
    synchronized long probesSent() {
        return probesSent;
    }

    /**
     * Probes answered: addresses found in use by a member the book did not know of.
     */
    synchronized long conflictsFound() {
        return conflictsFound;
    }

    /**
     * Whether a MAC may have an address it asked for in a REQUEST.
     */
    synchronized boolean mayHave(final long mac, final int address, final long nowMillis, final IntPredicate inUse) {
        final var ipv4 = config == null ? null : config.ipv4();
        return ipv4 != null && free(ipv4, address, mac, nowMillis, true, inUse);
    }

    /**
     * Gives a MAC a lease (ACK), replacing its earlier one and any expired one on the same address.
     *
     * @return the lease, and the MAC whose lease it replaced on that address (or -1), for the datastore
     */
    synchronized Lease grant(final long mac, final int address, final String clientId, final long nowMillis,
            final List<Long> displaced) {
        final var ipv4 = config.ipv4();
        final var lease = new Lease(mac, address, nowMillis + ipv4.leaseSeconds() * 1000L, clientId);
        dropOffer(mac);
        put(lease, displaced);
        return lease;
    }

    private void put(final Lease lease, final List<Long> displaced) {
        final var old = byMac.put(lease.mac(), lease);
        if (old != null && old.address() != lease.address()) {
            byAddress.remove(old.address(), old);
        }
        final var previous = byAddress.put(lease.address(), lease);
        if (previous != null && previous.mac() != lease.mac()) {
            byMac.remove(previous.mac(), previous);
            displaced.add(previous.mac());
        }
    }

    /**
     * A lease another node (or an earlier run of this one) wrote: the view learns it, unless it is for an address
     * outside the pool or the book is full.
     */
    synchronized void learn(final Lease lease) {
        final var ipv4 = config == null ? null : config.ipv4();
        if (ipv4 != null && !ipv4.inPool(lease.address())
                || byMac.size() >= Addressing.MAX_POOL_ADDRESSES && !byMac.containsKey(lease.mac())) {
            return;
        }
        put(lease, new ArrayList<>());
    }

    synchronized void forget(final long mac) {
        final var old = byMac.remove(mac);
        if (old != null) {
            byAddress.remove(old.address(), old);
        }
    }

    /**
     * RELEASE: the lease ends now, but the MAC keeps its claim on the address until someone else needs it.
     *
     * @return the ended lease, or null when the MAC had no lease on that address
     */
    synchronized Lease release(final long mac, final int address, final long nowMillis) {
        final var own = byMac.get(mac);
        if (own == null || own.address() != address) {
            return null;
        }
        final var ended = new Lease(mac, address, Math.min(own.expiresMillis(), nowMillis), own.clientId());
        byMac.put(mac, ended);
        byAddress.put(address, ended);
        return ended;
    }

    /**
     * DECLINE: the client found the address taken (its ARP probe was answered); no one gets it for a while.
     *
     * @return whether the MAC had a lease or an offer on it, which is then gone
     */
    synchronized boolean decline(final long mac, final int address, final long nowMillis) {
        final var own = byMac.get(mac);
        final var offered = offers.get(mac);
        final boolean held = own != null && own.address() == address
            || offered != null && offered.address() == address;
        if (!held) {
            return false;
        }
        conflict(address, nowMillis);
        dropOffer(mac);
        if (own != null && own.address() == address) {
            forget(mac);
        }
        return true;
    }

    /**
     * Marks an address as taken by someone the book does not know (DECLINE, or a live owner seen by the switch).
     */
    synchronized void conflict(final int address, final long nowMillis) {
        if (declined.size() >= Addressing.MAX_POOL_ADDRESSES) {
            declined.values().removeIf(until -> until <= nowMillis);
        }
        if (declined.size() < Addressing.MAX_POOL_ADDRESSES) {
            declined.put(address, nowMillis + Bounds.DHCP_DECLINE_HOLD_MILLIS);
        }
    }

    synchronized Lease leaseOf(final long mac) {
        return byMac.get(mac);
    }

    synchronized int leaseCount() {
        return byMac.size();
    }

    /**
     * Drops expired offers, probes and conflicts (leases stay: they are the memory of who had which address).
     */
    synchronized void expire(final long nowMillis) {
        dropExpiredOffers(nowMillis);
        // A probe whose timer never ran (the executor shut down) would hold its MAC forever.
        dropExpiredProbes(nowMillis);
        declined.values().removeIf(until -> until <= nowMillis);
    }

    /**
     * Whether an unsolicited router advertisement is due (and if so, records that it is sent now).
     */
    synchronized boolean advertisementDue(final long nowNanos) {
        if (advertised && nowNanos - lastAdvertisement < Bounds.RA_INTERVAL_NANOS) {
            return false;
        }
        advertised = true;
        lastAdvertisement = nowNanos;
        return true;
    }
}
