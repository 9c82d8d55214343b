/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.client;

import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;

/**
 * How long to wait before trying the server again: exponential backoff with full jitter. The n-th wait is drawn
 * uniformly from 0 to min(ceiling, first x 2^n), so that clients that lost the same node do not come back in step,
 * and a server that stays away is asked ever less often. Never past a deadline.
 */
final class Backoff {
    /**
     * The time and the sleeping, apart so that a test can run the schedule without waiting.
     */
    interface Clock {
        long nanoTime();

        void sleep(long millis) throws InterruptedException;
    }

    static final Clock SYSTEM = new Clock() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public void sleep(final long millis) throws InterruptedException {
            Thread.sleep(millis);
        }
    };

    // The first wait's bound: about a round trip and a login, so that a blip costs little.
    static final long FIRST_MILLIS = 250;
    // The longest wait: a server back after an outage is found within half a minute.
    static final long CEILING_MILLIS = 30_000;

    private final long firstMillis;
    private final long ceilingMillis;
    private final RandomGenerator random;
    private final Clock clock;
    private int attempts;

    Backoff(final long firstMillis, final long ceilingMillis, final RandomGenerator random, final Clock clock) {
        if (firstMillis < 1 || ceilingMillis < firstMillis) {
            throw new IllegalArgumentException("need 1 <= first <= ceiling, not " + firstMillis + ", "
                + ceilingMillis);
        }
        this.firstMillis = firstMillis;
        this.ceilingMillis = ceilingMillis;
        this.random = random;
        this.clock = clock;
    }

    /**
     * The client's schedule: 250 ms doubling to 30 s, on the real clock.
     */
    static Backoff standard() {
        return new Backoff(FIRST_MILLIS, CEILING_MILLIS, RandomGenerator.getDefault(), SYSTEM);
    }

    Clock clock() {
        return clock;
    }

    /**
     * The bound of the next wait: first x 2^attempts, at most the ceiling.
     */
    long bound() {
        // past 2^20 the ceiling has long been reached; the shift stays far from overflow
        return Math.min(ceilingMillis, firstMillis << Math.min(attempts, 20));
    }

    /**
     * The next wait, in milliseconds, uniform in [0, bound()]; the bound doubles for the one after.
     */
    long next() {
        final long wait = random.nextLong(bound() + 1);
        attempts++;
        return wait;
    }

    /**
     * Starts the schedule over, after a success.
     */
    void reset() {
        attempts = 0;
    }

    /**
     * Waits the next wait, but not past the deadline.
     *
     * @param deadline a {@link Clock#nanoTime()} value
     * @return false, without waiting, when the deadline has passed
     */
    boolean pause(final long deadline) throws InterruptedException {
        final long left = deadline - clock.nanoTime();
        if (left <= 0) {
            return false;
        }
        clock.sleep(Math.min(next(), TimeUnit.NANOSECONDS.toMillis(left) + 1));
        return true;
    }
}
