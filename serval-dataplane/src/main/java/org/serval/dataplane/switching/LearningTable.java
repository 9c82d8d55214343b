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
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * A table that learns from traffic, in the manner of Open vSwitch's MAC learning: idle aging, and a size limit
 * whose eviction a flood cannot turn against others. Each value belongs to an owner (the port that taught a MAC,
 * the MAC that announced an IP address), and owners are what the limits are about.
 *
 * <p>Bounds: at most {@code maxEntries} entries in all and at most {@code maxPerOwner} of one owner. An owner that
 * exceeds its share loses its own least recently seen entry. When the whole table is full, the victim is the least
 * recently seen entry of the owner that holds the most, so a flooding owner evicts itself before it can evict
 * anybody else.
 *
 * <p>Concurrency: {@link #lookup} and the refresh of an unchanged entry are lock-free, which is what almost every
 * frame needs. A new or changed entry takes the table's lock.
 *
 * @param <K> what is looked up
 * @param <V> what is learned for it
 * @param <O> the owner of a value
 */
public final class LearningTable<K, V, O> {
    private static final class Entry<K, V, O> {
        final K key;
        final V value;
        final O owner;
        volatile long lastSeenNanos;

        Entry(final K key, final V value, final O owner, final long now) {
            this.key = key;
            this.value = value;
            this.owner = owner;
            lastSeenNanos = now;
        }
    }

    private final ConcurrentHashMap<K, Entry<K, V, O>> entries = new ConcurrentHashMap<>();
    // Guarded by this: the entries of each owner, for eviction and for forgetting an owner.
    private final Map<O, LinkedHashMap<K, Entry<K, V, O>>> byOwner = new HashMap<>();
    private final Function<V, O> ownerOf;
    private final int maxEntries;
    private final ToIntFunction<O> maxPerOwner;
    private final long agingNanos;

    public LearningTable(final Function<V, O> ownerOf, final int maxEntries, final int maxPerOwner,
            final long agingNanos) {
        this(ownerOf, maxEntries, owner -> maxPerOwner, agingNanos);
        if (maxPerOwner < 1 || maxPerOwner > maxEntries) {
            throw new IllegalArgumentException("need 1 <= maxPerOwner <= maxEntries");
        }
    }

    /**
     * A table whose owners may hold different shares (a link to another node holds the MACs of all its clients).
     *
     * @param maxPerOwner each owner's share, at least 1; more than maxEntries means no share beyond the table's
     */
    public LearningTable(final Function<V, O> ownerOf, final int maxEntries, final ToIntFunction<O> maxPerOwner,
            final long agingNanos) {
        if (maxEntries < 1 || agingNanos < 1) {
            throw new IllegalArgumentException("need maxEntries >= 1 and a positive aging time");
        }
        this.ownerOf = requireNonNull(ownerOf);
        this.maxEntries = maxEntries;
        this.maxPerOwner = requireNonNull(maxPerOwner);
        this.agingNanos = agingNanos;
    }

    /**
     * Returns what was learned for a key, or null when nothing was or it has aged out.
     */
    public V lookup(final K key, final long nowNanos) {
        final var entry = entries.get(key);
        return entry == null || nowNanos - entry.lastSeenNanos > agingNanos ? null : entry.value;
    }

    /**
     * Records a value seen for a key; a different value replaces the old one (a MAC that moved, an address taken
     * over).
     *
     * @return true if the table changed, false for a refresh
     */
    public boolean learn(final K key, final V value, final long nowNanos) {
        requireNonNull(value);
        final var known = entries.get(key);
        if (known != null && known.value.equals(value)) {
            known.lastSeenNanos = nowNanos;
            return false;
        }
        synchronized (this) {
            final var current = entries.get(key);
            if (current != null) {
                if (current.value.equals(value)) {
                    current.lastSeenNanos = nowNanos;
                    return false;
                }
                remove(current);
            }
            final var owner = ownerOf.apply(value);
            var own = byOwner.get(owner);
            if (own != null && own.size() >= Math.max(1, maxPerOwner.applyAsInt(owner))) {
                remove(oldest(own));
            } else if (entries.size() >= maxEntries) {
                remove(oldest(largestOwner()));
            }
            own = byOwner.computeIfAbsent(owner, k -> new LinkedHashMap<>());
            final var entry = new Entry<>(key, value, owner, nowNanos);
            own.put(key, entry);
            entries.put(key, entry);
            return true;
        }
    }

    /**
     * Forgets everything an owner taught (a member that left).
     */
    public synchronized void forgetOwner(final O owner) {
        final var own = byOwner.remove(owner);
        if (own != null) {
            for (var entry : own.values()) {
                entries.remove(entry.key, entry);
            }
        }
    }

    /**
     * Removes the entries idle for longer than the aging time.
     *
     * @return how many were removed
     */
    public synchronized int expire(final long nowNanos) {
        final List<Entry<K, V, O>> idle = new ArrayList<>();
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

    /**
     * The keys an owner taught, in the order it taught them (LIST_MEMBERS: a member's addresses).
     */
    public synchronized List<K> keysOf(final O owner) {
        final var own = byOwner.get(owner);
        return own == null ? List.of() : List.copyOf(own.keySet());
    }

    public synchronized int sizeOf(final O owner) {
        final var own = byOwner.get(owner);
        return own == null ? 0 : own.size();
    }

    private void remove(final Entry<K, V, O> entry) {
        entries.remove(entry.key, entry);
        final var own = byOwner.get(entry.owner);
        if (own != null) {
            own.remove(entry.key);
            if (own.isEmpty()) {
                byOwner.remove(entry.owner);
            }
        }
    }

    private LinkedHashMap<K, Entry<K, V, O>> largestOwner() {
        LinkedHashMap<K, Entry<K, V, O>> largest = null;
        for (var own : byOwner.values()) {
            if (largest == null || own.size() > largest.size()) {
                largest = own;
            }
        }
        return largest;
    }

    // Bounded by maxPerOwner, and only run when something must go.
    private Entry<K, V, O> oldest(final LinkedHashMap<K, Entry<K, V, O>> own) {
        Entry<K, V, O> oldest = null;
        for (var entry : own.values()) {
            if (oldest == null || entry.lastSeenNanos - oldest.lastSeenNanos < 0) {
                oldest = entry;
            }
        }
        return oldest;
    }
}
