/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BackoffTest {
    private static Backoff seeded(final long seed, final FakeClock clock) {
        return new Backoff(Backoff.FIRST_MILLIS, Backoff.CEILING_MILLIS, new Random(seed), clock);
    }

    @Test
    void boundsDoubleFromAQuarterSecondToHalfAMinute() {
        final var backoff = seeded(1, new FakeClock());
        final List<Long> bounds = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            bounds.add(backoff.bound());
            final long wait = backoff.next();
            assertTrue(wait >= 0 && wait <= bounds.get(i), "wait " + i + " is " + wait + ", bound " + bounds.get(i));
        }
        assertEquals(List.of(250L, 500L, 1_000L, 2_000L, 4_000L, 8_000L, 16_000L, 30_000L, 30_000L),
            bounds.subList(0, 9));
        assertTrue(bounds.subList(7, 40).stream().allMatch(b -> b == 30_000L), "the ceiling holds: " + bounds);
    }

    @Test
    void fullJitterSpreadsTheWholeRange() {
        // Clients that lost the same node must not come back in step: each wait is anywhere from 0 to its bound,
        // not the bound itself, nor only its upper half.
        final var backoff = seeded(7, new FakeClock());
        for (int i = 0; i < 10; i++) {
            backoff.next();
        }
        long min = Long.MAX_VALUE;
        long max = 0;
        for (int i = 0; i < 200; i++) {
            final long wait = backoff.next();
            min = Math.min(min, wait);
            max = Math.max(max, wait);
        }
        assertTrue(min < Backoff.CEILING_MILLIS / 10, "lowest wait " + min);
        assertTrue(max > Backoff.CEILING_MILLIS * 9 / 10, "highest wait " + max);
    }

    @Test
    void theSameSeedGivesTheSameScheduleAndResetStartsOver() {
        final var one = seeded(42, new FakeClock());
        final var two = seeded(42, new FakeClock());
        final List<Long> first = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            final long wait = one.next();
            first.add(wait);
            assertEquals(wait, two.next());
        }
        one.reset();
        assertEquals(Backoff.FIRST_MILLIS, one.bound());
        assertTrue(one.next() <= Backoff.FIRST_MILLIS);
    }

    @Test
    void pausesNeverSleepPastTheDeadline() throws InterruptedException {
        final var clock = new FakeClock();
        final var backoff = seeded(3, clock);
        final long deadline = clock.in(120_000);
        int pauses = 0;
        while (backoff.pause(deadline)) {
            pauses++;
        }
        assertTrue(clock.nanoTime() - deadline >= 0, "paused until the deadline");
        assertTrue(clock.sleptMillis() <= 120_001, "slept " + clock.sleptMillis() + " ms in a 120 s budget");
        assertTrue(clock.sleeps.stream().allMatch(s -> s <= Backoff.CEILING_MILLIS), "no wait above the ceiling");
        // 250 ms doubling: about 7 waits to reach the ceiling, then a few of at most 30 s each.
        assertTrue(pauses >= 8, pauses + " pauses");
        assertFalse(backoff.pause(deadline), "nothing left to wait for");
        assertEquals(pauses, clock.sleeps.size(), "no sleep once the deadline has passed");
    }
}
