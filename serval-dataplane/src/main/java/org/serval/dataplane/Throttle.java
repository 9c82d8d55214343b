/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * One kind of warning that strangers or a path can cause at will: logged at most once a second, with how many were
 * not. Every layer of the dataplane logs such warnings through one of these.
 */
public final class Throttle {
    private static final long INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
    private final String what;
    private final AtomicLong last = new AtomicLong(System.nanoTime() - INTERVAL_NANOS);
    private final AtomicLong skipped = new AtomicLong();

    /**
     * A throttle for one kind of event.
     *
     * @param what the event, followed in the log by the peer and the details
     */
    public Throttle(final String what) {
        this.what = what;
    }

    public void log(final Logger log, final Object peer, final String details) {
        final long now = System.nanoTime();
        final long before = last.get();
        if (now - before < INTERVAL_NANOS || !last.compareAndSet(before, now)) {
            skipped.incrementAndGet();
            return;
        }
        final long count = skipped.getAndSet(0);
        log.warn("{} from {}: {}{}", what, peer, details,
            count == 0 ? "" : " (and " + count + " more since the last report)");
    }
}
