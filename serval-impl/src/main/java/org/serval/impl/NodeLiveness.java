/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.impl;

import static java.util.Objects.requireNonNull;
import static org.opendaylight.mdsal.common.api.LogicalDatastoreType.OPERATIONAL;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.opendaylight.mdsal.binding.api.DataBroker;
import org.opendaylight.mdsal.binding.api.DataObjectDeleted;
import org.opendaylight.mdsal.binding.api.DataObjectModification.WithDataAfter;
import org.opendaylight.mdsal.binding.api.DataTreeChangeListener;
import org.opendaylight.mdsal.binding.api.DataTreeModification;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.cluster.rev261130.Node1;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.nodes.Node;
import org.opendaylight.yangtools.concepts.Registration;
import org.opendaylight.yangtools.yang.common.Uint64;

/**
 * Tells when the cluster agrees that a node is gone: by the heartbeat every node writes into its own entry of the
 * operational node list (module serval-cluster), as this node's datastore delivers it. A node is overdue when its
 * heartbeat has not changed for the grace period, by this node's own clock (wall clocks need not agree), and
 * meanwhile at least half a grace period's worth of this node's own heartbeats arrived through the datastore: while
 * the datastore delivers nothing (electing a leader after a member died) nobody becomes overdue, and once it
 * delivers again every live node's next heartbeat arrives long before that many of this node's own. The links
 * between nodes play no part: a link that blips only stops frames.
 */
final class NodeLiveness implements AutoCloseable {
    /**
     * How often a node beats and how long a silent one is given.
     *
     * @param beatMillis how often this node writes its heartbeat
     * @param graceMillis how long another node's heartbeat may stand still before that node is gone; well above a
     *     node link's blips and a datastore's leader election (about 10 s after a member dies)
     */
    record Timing(long beatMillis, long graceMillis) {
        static final Timing DEFAULT = new Timing(1000, 15_000);

        Timing {
            if (beatMillis <= 0 || graceMillis < 2 * beatMillis) {
                throw new IllegalArgumentException("beat > 0 and grace >= two beats");
            }
        }
    }

    /**
     * A node's heartbeat as last seen, when it changed (this node's clock, and how many of this node's own
     * heartbeats had arrived then), and when it was last reported overdue (null: not since).
     */
    private record Seen(Uint64 beat, long changedNanos, long selfBeatsThen, Long reportedNanos) {
    }

    private final String self;
    private final long graceNanos;
    private final long graceBeats;
    private final Registration registration;
    private final ConcurrentHashMap<String, Seen> seen = new ConcurrentHashMap<>();
    // When this node's own heartbeat last arrived through the datastore: the clock that others are judged by.
    private volatile long selfSeenNanos;
    // How many changes of this node's own heartbeat arrived: a count that stands still while the datastore does.
    private final AtomicLong selfBeats = new AtomicLong();

    NodeLiveness(final DataBroker broker, final String self, final Timing timing) {
        this.self = requireNonNull(self);
        graceNanos = TimeUnit.MILLISECONDS.toNanos(timing.graceMillis());
        graceBeats = Math.max(1, timing.graceMillis() / timing.beatMillis() / 2);
        registration = broker.registerTreeChangeListener(OPERATIONAL, NodeViewUpdater.ALL_NODES,
            (DataTreeChangeListener<Node>) this::onNodesChanged);
    }

    static Uint64 heartbeatOf(final Node node) {
        final var beat = node.augmentation(Node1.class);
        return beat == null ? null : beat.getHeartbeat();
    }

    private void onNodesChanged(final List<DataTreeModification<Node>> changes) {
        final long now = System.nanoTime();
        for (var change : changes) {
            switch (change.getRootNode()) {
                case DataObjectDeleted<Node> deleted -> seen.remove(deleted.dataBefore().getId().getValue());
                case WithDataAfter<Node> present -> {
                    final var node = present.dataAfter();
                    final var id = node.getId().getValue();
                    final var beat = heartbeatOf(node);
                    final var before = seen.get(id);
                    // A node first seen gets the whole grace period from now, whatever its heartbeat says.
                    final boolean changed = before == null || beat == null || !beat.equals(before.beat());
                    if (id.equals(self) && changed) {
                        selfSeenNanos = now;
                        selfBeats.incrementAndGet();
                    }
                    if (changed) {
                        seen.put(id, new Seen(beat, now, selfBeats.get(), null));
                    }
                }
            }
        }
    }

    /**
     * The other nodes whose heartbeat stood still for the grace period while this node's own kept arriving. Each is
     * reported again only after another grace period, so that a removal that failed is tried again later.
     */
    List<String> overdue() {
        final var gone = new ArrayList<String>();
        final long reference = selfSeenNanos;
        for (var entry : seen.entrySet()) {
            final var id = entry.getKey();
            final var last = entry.getValue();
            if (!id.equals(self) && silent(last)
                    && (last.reportedNanos() == null || reference - last.reportedNanos() > graceNanos)
                    && seen.replace(id, last, new Seen(last.beat(), last.changedNanos(), last.selfBeatsThen(),
                        reference))) {
                gone.add(id);
            }
        }
        return gone;
    }

    private boolean silent(final Seen last) {
        return selfBeats.get() - last.selfBeatsThen() >= graceBeats && selfSeenNanos - last.changedNanos() > graceNanos;
    }

    /**
     * Whether a node's heartbeat changed within the grace period (by this node's reference), so that it is alive.
     */
    boolean isAlive(final String id) {
        final var last = seen.get(id);
        return last != null && !silent(last);
    }

    @Override
    public void close() {
        registration.close();
    }
}
