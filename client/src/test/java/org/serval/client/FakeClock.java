/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.client;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Time that passes only when someone sleeps (or a test says so), and remembers each sleep.
 */
final class FakeClock implements Backoff.Clock {
    private long now = 1_000_000_000L;
    final List<Long> sleeps = new ArrayList<>();

    @Override
    public long nanoTime() {
        return now;
    }

    @Override
    public void sleep(final long millis) {
        sleeps.add(millis);
        advance(millis);
    }

    void advance(final long millis) {
        now += TimeUnit.MILLISECONDS.toNanos(millis);
    }

    long in(final long millis) {
        return now + TimeUnit.MILLISECONDS.toNanos(millis);
    }

    long sleptMillis() {
        return sleeps.stream().mapToLong(Long::longValue).sum();
    }
}
