/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.session;

/**
 * A token bucket refilled at the rate given with each take, holding at most {@code burstSeconds} of it: storm
 * control's frames and a session's requests. Not thread-safe: a session uses its buckets on its own loop only.
 */
final class TokenBucket {
    private static final long SECOND = 1_000_000_000L;
    private final long capacity;
    private long credit;
    private long last = System.nanoTime();

    TokenBucket(final int burstSeconds) {
        capacity = burstSeconds * SECOND;
        credit = capacity;
    }

    boolean take(final long now, final int ratePerSecond) {
        credit = Math.min(capacity, credit + Math.max(0, now - last));
        last = now;
        final long cost = SECOND / ratePerSecond;
        if (credit < cost) {
            return false;
        }
        credit -= cost;
        return true;
    }
}
