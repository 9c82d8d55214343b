/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.switching;

import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * One VLAN's MAC learning table: MAC to port, owned by the port (the table itself is per VLAN, so the key is
 * (VLAN, MAC)). Aging, limits and eviction are those of {@link LearningTable}: a port flooding MACs evicts its own
 * entries, never another member's.
 *
 * @param <P> the port type: whatever identifies a member's session
 */
public final class MacTable<P> {
    private final LearningTable<Long, P, P> table;

    public MacTable(final int maxEntries, final int maxPerPort, final long agingNanos) {
        table = new LearningTable<>(Function.identity(), maxEntries, maxPerPort, agingNanos);
    }

    /**
     * A table whose ports hold different shares.
     */
    public MacTable(final int maxEntries, final ToIntFunction<P> maxPerPort, final long agingNanos) {
        table = new LearningTable<>(Function.identity(), maxEntries, maxPerPort, agingNanos);
    }

    /**
     * Returns the port a MAC was last seen on, or null when it is unknown or has aged out.
     */
    public P lookup(final long mac, final long nowNanos) {
        return table.lookup(mac, nowNanos);
    }

    /**
     * Records that a frame with this source MAC came from a port.
     *
     * @return true if the table changed (a new address or a move), false for a refresh
     */
    public boolean learn(final long mac, final P port, final long nowNanos) {
        return table.learn(mac, port, nowNanos);
    }

    /**
     * Forgets everything learned from a port, for a member that left.
     */
    public void forgetPort(final P port) {
        table.forgetOwner(port);
    }

    public int expire(final long nowNanos) {
        return table.expire(nowNanos);
    }

    public int size() {
        return table.size();
    }

    public int sizeOf(final P port) {
        return table.sizeOf(port);
    }
}
