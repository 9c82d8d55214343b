/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.switching;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One VLAN's MAC learning table, in the manner of Open vSwitch: entries keyed by MAC address (the table itself
 * is per VLAN, so the key is (VLAN, MAC)), idle aging, and a size limit whose eviction a MAC flood cannot turn
 * against other ports.
 *
 * <p>Bounds: at most {@code maxEntries} entries in all and at most {@code maxPerPort} learned from one port. A port
 * that exceeds its own share loses its own least recently seen entry. When the whole table is full, the victim is
 * the least recently seen entry of the port that holds the most entries, so a flooding port evicts itself before
 * it can evict anybody else.
 *
 * <p>Concurrency: {@link #lookup} and the refresh of a known MAC on its known port are lock-free, which is what
 * almost every frame needs. Learning a new MAC or a move takes the table's lock.
 *
 * @param <P> the port type: whatever identifies a member's session
 */
public final class MacTable<P> {
    /**
     * A learned address.
     */
    private static final class Entry<P> {
        final long mac;
        final P port;
        volatile long lastSeenNanos;

        Entry(final long mac, final P port, final long now) {
            this.mac = mac;
            this.port = port;
            lastSeenNanos = now;
        }
    }

    private final ConcurrentHashMap<Long, Entry<P>> entries = new ConcurrentHashMap<>();
    // Guarded by this: the entries of each port, for eviction and for forgetting a port.
    private final Map<P, LinkedHashMap<Long, Entry<P>>> byPort = new HashMap<>();
    private final int maxEntries;
    private final int maxPerPort;
    private final long agingNanos;

    public MacTable(final int maxEntries, final int maxPerPort, final long agingNanos) {
        if (maxEntries < 1 || maxPerPort < 1 || maxPerPort > maxEntries || agingNanos < 1) {
            throw new IllegalArgumentException("need 1 <= maxPerPort <= maxEntries and a positive aging time");
        }
        this.maxEntries = maxEntries;
        this.maxPerPort = maxPerPort;
        this.agingNanos = agingNanos;
    }

    /**
     * Returns the port a MAC was last seen on, or null when it is unknown or has aged out.
     */
    public P lookup(final long mac, final long nowNanos) {
        final var entry = entries.get(mac);
        return entry == null || nowNanos - entry.lastSeenNanos > agingNanos ? null : entry.port;
    }

    /**
     * Records that a frame with this source MAC came from a port.
     *
     * @return true if the table changed (a new address or a move), false for a refresh
     */
    public boolean learn(final long mac, final P port, final long nowNanos) {
        requireNonNull(port);
        final var known = entries.get(mac);
        if (known != null && known.port.equals(port)) {
            known.lastSeenNanos = nowNanos;
            return false;
        }
        synchronized (this) {
            final var current = entries.get(mac);
            if (current != null) {
                if (current.port.equals(port)) {
                    current.lastSeenNanos = nowNanos;
                    return false;
                }
                remove(current);
            }
            var own = byPort.get(port);
            if (own != null && own.size() >= maxPerPort) {
                remove(oldest(own));
            } else if (entries.size() >= maxEntries) {
                remove(oldest(largestPort()));
            }
            own = byPort.computeIfAbsent(port, k -> new LinkedHashMap<>());
            final var entry = new Entry<>(mac, port, nowNanos);
            own.put(mac, entry);
            entries.put(mac, entry);
            return true;
        }
    }

    /**
     * Forgets everything learned from a port, for a member that left.
     */
    public synchronized void forgetPort(final P port) {
        final var own = byPort.remove(port);
        if (own != null) {
            for (var entry : own.values()) {
                entries.remove(entry.mac, entry);
            }
        }
    }

    /**
     * Removes the entries idle for longer than the aging time.
     *
     * @return how many were removed
     */
    public synchronized int expire(final long nowNanos) {
        final List<Entry<P>> idle = new ArrayList<>();
        for (var entry : entries.values()) {
            if (nowNanos - entry.lastSeenNanos > agingNanos) {
                idle.add(entry);
            }
        }
        idle.forEach(this::remove);
        return idle.size();
    }

    public int size() {
        return entries.size();
    }

    public synchronized int sizeOf(final P port) {
        final var own = byPort.get(port);
        return own == null ? 0 : own.size();
    }

    private void remove(final Entry<P> entry) {
        entries.remove(entry.mac, entry);
        final var own = byPort.get(entry.port);
        if (own != null) {
            own.remove(entry.mac);
            if (own.isEmpty()) {
                byPort.remove(entry.port);
            }
        }
    }

    private LinkedHashMap<Long, Entry<P>> largestPort() {
        LinkedHashMap<Long, Entry<P>> largest = null;
        for (var own : byPort.values()) {
            if (largest == null || own.size() > largest.size()) {
                largest = own;
            }
        }
        return largest;
    }

    // Bounded by maxPerPort, and only run when something must go.
    private Entry<P> oldest(final LinkedHashMap<Long, Entry<P>> own) {
        Entry<P> oldest = null;
        for (var entry : own.values()) {
            if (oldest == null || entry.lastSeenNanos - oldest.lastSeenNanos < 0) {
                oldest = entry;
            }
        }
        return oldest;
    }
}
