/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.serval.dataplane.Bounds;

/**
 * A flood of failures costs a bounded number of log lines, and none of them goes uncounted.
 */
class LogTallyTest {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final long WINDOW = Bounds.LOG_WINDOW_SECONDS * SECOND;

    private final AtomicLong clock = new AtomicLong(1_000 * SECOND);
    private final List<String> summaries = new ArrayList<>();
    private long summed;
    private final LogTally tally = new LogTally((count, prefix, seconds, last) -> {
        summaries.add(LogTally.count(count) + " failed logins from " + prefix + " in the last " + seconds + " s");
        summed += count;
    }, WINDOW, Bounds.LOG_PREFIXES, clock::get, false);

    /**
     * 10,000 events over 60 s, the tally flushed every second as its timer would.
     *
     * @return the lines written: full ones and summaries
     */
    private int flood(final IntFunction<InetAddress> source) {
        int full = 0;
        for (int i = 0; i < 10_000; i++) {
            if (tally.record(source.apply(i), "user=u client=c: wrong password")) {
                full++;
            }
            final long before = clock.get();
            clock.addAndGet(6 * SECOND / 1000);
            if (clock.get() / SECOND != before / SECOND) {
                tally.flush();
            }
        }
        // the timer's last rounds, after the flood
        for (int i = 0; i < 2 * Bounds.LOG_WINDOW_SECONDS + 1; i++) {
            clock.addAndGet(SECOND);
            tally.flush();
        }
        assertEquals(10_000, full + summed, "every event is in a line");
        return full + summaries.size();
    }

    private static InetAddress address(final String text) {
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void oneSiteRotatingSlash64sIsOneLinePerWindow() {
        final int lines = flood(i -> address("2001:db8:0:" + Integer.toHexString(i) + "::1"));
        // one full line, then one summary per 10 s of the 60 s flood
        assertTrue(lines <= 1 + 60 / Bounds.LOG_WINDOW_SECONDS + 1, lines + " lines: " + summaries);
        assertTrue(summaries.get(0).matches("[0-9,]+ failed logins from 2001:db8::/48 in the last 1[0-9] s"),
            summaries.get(0));
    }

    @Test
    void aSprayOfSourcesIsBoundedToo() {
        final int lines = flood(i -> address("10.0." + (i >> 8) + "." + (i & 0xff)));
        // per window: a full line and a summary for each prefix summed up apart, and for the others together
        final int bound = 2 * (Bounds.LOG_PREFIXES + 1) * (60 / Bounds.LOG_WINDOW_SECONDS + 2);
        assertTrue(lines <= bound, lines + " lines for 10,000 failures, more than " + bound);
    }
}
