/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.session;

import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.serval.dataplane.Bounds;

/**
 * One kind of log line that strangers can cause at will (a failed login, a failed TLS handshake, a refused
 * connection), summed up per source prefix so that a flood cannot roll the logs and bury the evidence. The first
 * event from a quiet prefix (an IPv4 address, an IPv6 /48) is logged in full by the caller; the ones after it are
 * counted and written as one summary line per prefix per window ("1,234 failed logins from 2001:db8::/48 in the
 * last 10 s"), until a window passes without any. At most {@value Bounds#LOG_PREFIXES} prefixes are summed up
 * apart; the others share one line, so a spray of sources costs a bounded number of lines as well.
 */
public final class LogTally {
    /**
     * Writes one summary line.
     */
    @FunctionalInterface
    public interface Summary {
        /**
         * Writes that {@code count} events came from {@code prefix} in the last {@code seconds}.
         *
         * @param last the details of the last of them
         */
        void write(long count, String prefix, long seconds, String last);
    }

    private static final String OTHERS = "other sources";

    private static final class Window {
        long start;
        long count;
        String last;
    }

    private final Summary summary;
    private final long windowNanos;
    private final int maxPrefixes;
    private final LongSupplier clock;
    private final boolean scheduled;
    private final Map<String, Window> windows = new HashMap<>();
    private boolean flushPending;

    /**
     * A tally with the dataplane's window and prefix bound, whose summaries are written by a timer.
     */
    public LogTally(final Summary summary) {
        this(summary, TimeUnit.SECONDS.toNanos(Bounds.LOG_WINDOW_SECONDS), Bounds.LOG_PREFIXES, System::nanoTime,
            true);
    }

    /**
     * A tally for tests: their own clock, and summaries written only when they call {@link #flush()}.
     */
    LogTally(final Summary summary, final long windowNanos, final int maxPrefixes, final LongSupplier clock,
            final boolean scheduled) {
        this.summary = summary;
        this.windowNanos = windowNanos;
        this.maxPrefixes = maxPrefixes;
        this.clock = clock;
        this.scheduled = scheduled;
    }

    /**
     * Counts one event from a source.
     *
     * @param last its details, for the summary
     * @return whether the caller should log this one in full now: the first from a quiet prefix
     */
    public boolean record(final InetAddress from, final String last) {
        final long now = clock.getAsLong();
        final var prefix = Sources.widest(from);
        final boolean first;
        synchronized (windows) {
            var window = windows.get(prefix);
            final boolean full = window == null && windows.size() >= maxPrefixes;
            if (full) {
                window = windows.get(OTHERS);
            }
            first = window == null;
            if (first) {
                window = new Window();
                window.start = now;
                windows.put(full ? OTHERS : prefix, window);
                scheduleFlush();
            } else {
                window.count++;
                window.last = full ? last + " (from " + prefix + ")" : last;
            }
        }
        return first;
    }

    /**
     * Writes the summaries of the windows that ended, and forgets the prefixes that were quiet through theirs.
     */
    public void flush() {
        final long now = clock.getAsLong();
        final var lines = new ArrayList<Runnable>();
        synchronized (windows) {
            final var it = windows.entrySet().iterator();
            while (it.hasNext()) {
                final var entry = it.next();
                final var window = entry.getValue();
                final long elapsed = now - window.start;
                if (elapsed < windowNanos) {
                    continue;
                }
                if (window.count == 0) {
                    it.remove();
                    continue;
                }
                final long count = window.count;
                final var last = window.last;
                final long seconds = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(elapsed));
                lines.add(() -> summary.write(count, entry.getKey(), seconds, last));
                // a flood that goes on gets one line per window, not a full line and a summary each time
                window.start = now;
                window.count = 0;
                window.last = null;
            }
        }
        lines.forEach(Runnable::run);
    }

    private void scheduleFlush() {
        if (!scheduled || flushPending) {
            return;
        }
        flushPending = true;
        GlobalEventExecutor.INSTANCE.schedule(this::scheduledFlush, windowNanos,
            TimeUnit.NANOSECONDS);
    }

    private void scheduledFlush() {
        flush();
        synchronized (windows) {
            flushPending = false;
            if (!windows.isEmpty()) {
                scheduleFlush();
            }
        }
    }

    /**
     * A count as a log line writes it, with thousands separated ("1,234").
     */
    public static String count(final long count) {
        return String.format(Locale.ROOT, "%,d", count);
    }
}
