/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.impl.metrics;

import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.snapshots.Unit;

/**
 * How long this node's writes of its clients and VLAN counters to OPERATIONAL take, from commit to its success:
 * the datastore's write latency as the node sees it (a histogram, serval_datastore_write_seconds). Observed once
 * per write, which the registry makes per client event and counter report, never per frame.
 */
public final class CommitTimes {
    private final Histogram histogram = Histogram.builder()
        .name("serval_datastore_write_seconds")
        .help("Time from commit to success of this node's writes to the operational datastore (clients, their "
            + "counters, VLAN counters)")
        .unit(Unit.SECONDS)
        // a local commit takes about a millisecond; a cluster's, a round trip to the shard leader; an election,
        // seconds
        .classicUpperBounds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
        .classicOnly()
        .withoutExemplars()
        .build();

    /**
     * Records one write that took so many nanoseconds.
     */
    public void observe(final long nanos) {
        histogram.observe(Unit.nanosToSeconds(nanos));
    }

    Histogram histogram() {
        return histogram;
    }
}
