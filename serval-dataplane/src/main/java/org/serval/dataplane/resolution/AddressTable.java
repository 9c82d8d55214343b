/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.resolution;

import java.util.List;
import org.serval.dataplane.switching.LearningTable;

/**
 * Which MAC has which IP address in one VLAN, learned from the ARP and neighbour discovery that passes by: the
 * switch answers questions from it instead of flooding them, and the client keeps one as its cache.
 *
 * <p>Bindings are owned by their MAC, so the limits of {@link LearningTable} apply per MAC: a host has a handful
 * of addresses, and a client announcing thousands evicts only its own. A different MAC announcing an address takes
 * it over, as a host's own neighbour cache would let it.
 */
public final class AddressTable {
    /**
     * A binding.
     *
     * @param mac who has the address
     * @param router for IPv6, whether the owner announced itself a router
     */
    public record Binding(long mac, boolean router) {
    }

    private final LearningTable<IpAddress, Binding, Long> table;

    public AddressTable(final int maxEntries, final int maxPerMac, final long agingNanos) {
        table = new LearningTable<>(Binding::mac, maxEntries, maxPerMac, agingNanos);
    }

    /**
     * The binding of an address, or null when unknown or idle beyond the aging time.
     */
    public Binding lookup(final IpAddress address, final long nowNanos) {
        return table.lookup(address, nowNanos);
    }

    public void learn(final IpAddress address, final Binding binding, final long nowNanos) {
        table.learn(address, binding, nowNanos);
    }

    /**
     * Learns what a neighbour packet tells: an answer or announcement binds its address to its MAC, an ARP
     * question binds the asker's. A neighbour solicitation teaches nothing, since it does not say whether the
     * asker is a router.
     */
    public void learn(final NeighborPackets.Observation seen, final long nowNanos) {
        switch (seen.kind()) {
            case ARP_ANNOUNCE, ND_ANSWER -> learn(seen.address(), new Binding(seen.mac(), seen.router()), nowNanos);
            case ARP_QUESTION -> learn(seen.askerAddress(), new Binding(seen.mac(), false), nowNanos);
            case ND_QUESTION -> {
                // nothing to learn
            }
            default -> throw new IllegalStateException("unknown kind " + seen.kind());
        }
    }

    /**
     * The addresses bound to a MAC now (at most the table's share per MAC).
     */
    public List<IpAddress> addressesOf(final long mac) {
        return table.keysOf(mac);
    }

    /**
     * Forgets the bindings of a MAC that is gone.
     */
    public void forgetMac(final long mac) {
        table.forgetOwner(mac);
    }

    public int expire(final long nowNanos) {
        return table.expire(nowNanos);
    }

    public int size() {
        return table.size();
    }
}
