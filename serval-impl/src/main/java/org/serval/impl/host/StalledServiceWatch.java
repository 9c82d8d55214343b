/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.impl.host;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Restarts a component of the host OpenDaylight that is active but has not brought its service back.
 *
 * <p>Installing SERVAL into a running OpenDaylight adds YANG modules, and mdsal then restarts every component that
 * uses the binding data broker. One of them, AAA 0.22.3's encryption-service configurator, registers its datastore
 * listener before it records the registration; when the datastore answers first (the configuration is in memory,
 * so it often does), the listener takes itself for shut down and drops the configuration. The component stays active
 * without its service, and AAA's certificate manager, web environment and so RESTCONF wait for it for ever
 * (docs/kar.md). Restarting the component runs the race again, which it nearly always wins.
 *
 * <p>The watch is asked at a fixed period. It restarts only a provider that has been active without its service for
 * a whole grace period (the provider needs well under a second when it works), waits the same again before another
 * try, and gives up after a few; a service that comes back ends the stall, and the next one has all its tries again.
 */
public final class StalledServiceWatch {
    /** What the watch sees of the host and the one thing it may do. */
    public interface Host {
        /** Whether the component that should provide the service is up. */
        boolean providerActive();

        /** Whether the service is registered. */
        boolean servicePresent();

        /** Restarts the provider, without waiting for it. */
        void restartProvider();
    }

    private static final Logger LOG = LoggerFactory.getLogger(StalledServiceWatch.class);
    private static final long IDLE = Long.MIN_VALUE;

    private final Host host;
    private final String what;
    private final long graceNanos;
    private final int maxRestarts;

    private long stalledSince = IDLE;
    private long lastRestart = IDLE;
    private int restarts;
    private boolean gaveUp;

    /**
     * A watch over {@code what} (for the log) that restarts its provider after {@code grace} without the service, at
     * most {@code maxRestarts} times.
     */
    public StalledServiceWatch(final Host host, final String what, final Duration grace, final int maxRestarts) {
        this.host = requireNonNull(host);
        this.what = requireNonNull(what);
        graceNanos = grace.toNanos();
        this.maxRestarts = maxRestarts;
    }

    /**
     * Looks at the host once, at {@code now} (nanoseconds, monotonic), and returns whether it restarted the provider.
     */
    public synchronized boolean check(final long now) {
        if (host.servicePresent()) {
            if (restarts > 0) {
                // repaired: a later stall gets the whole budget again
                restarts = 0;
                gaveUp = false;
                LOG.info("{} is back", what);
            }
            stalledSince = IDLE;
            return false;
        }
        if (!host.providerActive()) {
            // waiting for its own references, or restarting: nothing stalled yet
            stalledSince = IDLE;
            return false;
        }
        if (stalledSince == IDLE) {
            stalledSince = now;
        }
        if (now - stalledSince < graceNanos || lastRestart != IDLE && now - lastRestart < graceNanos) {
            return false;
        }
        if (restarts >= maxRestarts) {
            if (!gaveUp) {
                gaveUp = true;
                LOG.error("{} is still missing after {} restarts of its provider; restart OpenDaylight (docs/kar.md)",
                    what, restarts);
            }
            return false;
        }
        restarts++;
        lastRestart = now;
        LOG.warn("{} has been missing for {} s while its provider is active (OpenDaylight AAA's race after new YANG "
            + "modules, or a setting it cannot use; docs/kar.md): restarting the provider, try {} of {}", what,
            Duration.ofNanos(now - stalledSince).toSeconds(), restarts, maxRestarts);
        host.restartProvider();
        return true;
    }

    /** How many times the watch restarted the provider in the current stall. */
    public synchronized int restarts() {
        return restarts;
    }
}
