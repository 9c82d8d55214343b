/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.multicast;

/**
 * The switch's querier for one address family, and what the switch knows from queries: a snooping switch only
 * learns the groups hosts report, and hosts report when asked. Once a member has reported a group (so the VLAN has
 * multicast listeners of this family; a VLAN without any is not queried), the switch asks (general queries, a few
 * at a shorter interval at first) unless another querier was heard lately; and its group table is complete enough
 * to stop flooding unknown groups only once a query was out for a response interval and queries keep coming.
 *
 * <p>Heard on senders' executors, ticked by the node's housekeeping: synchronised; {@link #isComplete} reads
 * volatiles only, as it is asked per frame.
 */
final class Querier {
    private final long startupInterval;
    private final long interval;
    private final int startupQueries;
    private final long responseTime;
    private final long otherQuerierTime;
    private final long membershipTime;

    private boolean listeners;
    private int sent;
    private long lastSent;
    private long otherUntil;
    private boolean otherHeard;
    private volatile boolean queried;
    private volatile long firstQuery;
    private volatile long lastQuery;

    /**
     * A querier; all times in nanoseconds.
     */
    Querier(final long startupInterval, final long interval, final int startupQueries, final long responseTime,
            final long otherQuerierTime, final long membershipTime) {
        this.startupInterval = startupInterval;
        this.interval = interval;
        this.startupQueries = startupQueries;
        this.responseTime = responseTime;
        this.otherQuerierTime = otherQuerierTime;
        this.membershipTime = membershipTime;
    }

    /**
     * Another querier (a member's multicast router, another switch) asked; this one stays quiet for a while.
     */
    synchronized void heard(final long nowNanos) {
        otherHeard = true;
        otherUntil = nowNanos + otherQuerierTime;
        noteQuery(nowNanos);
    }

    /**
     * A member reported a group: the VLAN has listeners to ask.
     */
    synchronized void listenerHeard() {
        listeners = true;
    }

    /**
     * Whether this querier should send a general query now; if so, it counts it as sent.
     */
    synchronized boolean due(final long nowNanos) {
        if (!listeners || otherHeard && nowNanos - otherUntil < 0) {
            return false;
        }
        otherHeard = false;
        final long wait = sent < startupQueries ? startupInterval : interval;
        if (sent > 0 && nowNanos - lastSent < wait) {
            return false;
        }
        sent++;
        lastSent = nowNanos;
        noteQuery(nowNanos);
        return true;
    }

    private void noteQuery(final long nowNanos) {
        if (!queried || nowNanos - lastQuery >= membershipTime) {
            // the first query, or the first after a silence long enough that every membership may have aged out
            firstQuery = nowNanos;
        }
        lastQuery = nowNanos;
        queried = true;
    }

    /**
     * Whether every member that listens to a group has had the time to report it since a query, and queries go on,
     * so that a group nobody reported has no listener.
     */
    boolean isComplete(final long nowNanos) {
        return queried && nowNanos - firstQuery >= responseTime && nowNanos - lastQuery < membershipTime;
    }
}
