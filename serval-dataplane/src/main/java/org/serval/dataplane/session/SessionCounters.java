/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.session;

import java.util.concurrent.atomic.LongAdder;
import org.serval.api.ClientRegistry;

/**
 * One session's traffic counters: frames and octets into the switches and out to the client, and what was discarded
 * each way. Counted on the session's executor and on other clients' loops (frames delivered to it), read by the
 * periodic report from outside, hence adders.
 */
final class SessionCounters {
    private final LongAdder inFrames = new LongAdder();
    private final LongAdder inOctets = new LongAdder();
    private final LongAdder inDiscards = new LongAdder();
    private final LongAdder outFrames = new LongAdder();
    private final LongAdder outOctets = new LongAdder();
    private final LongAdder outDiscards = new LongAdder();
    // What the registry last heard; touched only by the periodic report.
    private ClientRegistry.TrafficCounters reported;

    void in(final int octets) {
        inFrames.increment();
        inOctets.add(octets);
    }

    void inDiscard() {
        inDiscards.increment();
    }

    void out(final int octets) {
        outFrames.increment();
        outOctets.add(octets);
    }

    void outDiscard() {
        outDiscards.increment();
    }

    /**
     * The traffic since the session began, read at once.
     */
    ClientRegistry.TrafficCounters now() {
        return new ClientRegistry.TrafficCounters(inFrames.sum(), inOctets.sum(), outFrames.sum(), outOctets.sum(),
            inDiscards.sum(), outDiscards.sum());
    }

    /**
     * The traffic now if it changed since the last report, else null; what it returns counts as reported.
     */
    ClientRegistry.TrafficCounters report() {
        final var now = now();
        if (now.equals(reported)) {
            return null;
        }
        reported = now;
        return now;
    }

    /**
     * For the log line of a session that ended.
     */
    String summary() {
        return inFrames.sum() + " frames in, " + outFrames.sum() + " out, " + inDiscards.sum() + " + "
            + outDiscards.sum() + " discarded";
    }
}
