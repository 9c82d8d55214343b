/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.concurrent.TimeUnit;
import org.serval.dataplane.resolution.AddressTable;
import org.serval.dataplane.resolution.NeighborPackets;

/**
 * The client's cache of who has which address in one VLAN, learned from the ARP and neighbour discovery the server
 * sends down. When the host behind the TAP asks for an address the cache knows, the client answers on the spot:
 * the question never leaves the machine. Kept short-lived (30 s), because unlike the switch the client cannot see
 * whether the owner is still there; the host's own cache re-checks by unicast, which the switch forwards.
 */
final class NeighborCache {
    private static final long AGING_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final AddressTable table = new AddressTable(1024, 16, AGING_NANOS);
    private final long ownMac;

    NeighborCache(final long ownMac) {
        this.ownMac = ownMac;
    }

    /**
     * Learns from a frame on its way from the server into the TAP.
     */
    void learn(final ByteBuf frame, final long nowNanos) {
        final var seen = NeighborPackets.inspect(frame);
        if (seen != null && seen.mac() != ownMac) {
            table.learn(seen, nowNanos);
        }
    }

    /**
     * Answers a question the host behind the TAP asked, if the cache knows the answer.
     *
     * @return the answer to write into the TAP, or null to send the question to the server
     */
    ByteBuf answer(final ByteBufAllocator alloc, final ByteBuf frame, final long nowNanos) {
        final var seen = NeighborPackets.inspect(frame);
        if (seen == null || !seen.kind().isQuestion() || (frame.getUnsignedByte(frame.readerIndex()) & 1) == 0) {
            return null;
        }
        final var binding = table.lookup(seen.address(), nowNanos);
        return binding == null ? null : NeighborPackets.answer(alloc, seen, binding.mac(), binding.router());
    }

    int size() {
        return table.size();
    }
}
