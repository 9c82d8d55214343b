/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.session;

import static java.util.Objects.requireNonNull;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.serval.api.PasswordHash;
import org.serval.api.SecurityDirectory;
import org.serval.api.UserInfo;
import org.serval.dataplane.Bounds;
import org.serval.dataplane.protocol.Message.Error;
import org.serval.dataplane.security.TicketBook;

/**
 * Decides who a client is. Password checks cost a slow hash each, so they run on a small bounded pool of their
 * own, never on an event loop, and a full pool refuses at once instead of queueing without end. Failed logins
 * are counted per source (an IPv4 address, an IPv6 /64): after {@value #MAX_FAILURES} within
 * {@value #WINDOW_SECONDS} s that source is refused without a check until the window ends.
 */
public final class Gatekeeper implements AutoCloseable {
    static final int MAX_FAILURES = Bounds.LOGIN_MAX_FAILURES;
    static final int WINDOW_SECONDS = Bounds.LOGIN_WINDOW_SECONDS;
    private static final int MAX_SOURCES = Bounds.LOGIN_MAX_SOURCES;
    private static final int QUEUE = Bounds.LOGIN_QUEUE;

    /**
     * The outcome of a login: a user, or an error code and message for the client.
     */
    public record Login(UserInfo user, int errorCode, String error) {
        static Login refused(final int code, final String why) {
            return new Login(null, code, why);
        }

        boolean ok() {
            return user != null;
        }
    }

    private static final class Failures {
        long windowStart;
        int count;
    }

    private final SecurityDirectory security;
    private final TicketBook tickets;
    private final ThreadPoolExecutor hashing;
    private final Map<String, Failures> failures = new LinkedHashMap<>(256, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(final Map.Entry<String, Failures> eldest) {
            // Bounded: a spray of sources forgets the least recently failing, which are the least dangerous.
            return size() > MAX_SOURCES;
        }
    };

    /**
     * Starts the pool.
     *
     * @param threads password checks that may run at once
     */
    public Gatekeeper(final SecurityDirectory security, final TicketBook tickets, final int threads) {
        this.security = requireNonNull(security);
        this.tickets = requireNonNull(tickets);
        hashing = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE),
            runnable -> {
                final var thread = new Thread(runnable, "serval-login");
                thread.setDaemon(true);
                return thread;
            });
        hashing.allowCoreThreadTimeOut(true);
    }

    public SecurityDirectory security() {
        return security;
    }

    public TicketBook tickets() {
        return tickets;
    }

    /**
     * Checks a user name and password, off the caller's thread.
     */
    public CompletionStage<Login> password(final String user, final String password, final InetAddress from) {
        final var blocked = blocked(from);
        if (blocked != null) {
            return CompletableFuture.completedFuture(blocked);
        }
        final var result = new CompletableFuture<Login>();
        try {
            hashing.execute(() -> result.complete(check(user, password, from)));
        } catch (RejectedExecutionException e) {
            result.complete(Login.refused(Error.LIMIT, "the server is busy checking logins; try again"));
        }
        return result;
    }

    private Login check(final String name, final String password, final InetAddress from) {
        final var chars = password.toCharArray();
        try {
            final var user = security.user(name);
            if (user.isEmpty()) {
                // as slow as a wrong password, so that timing does not tell which user names exist
                PasswordHash.burn(chars);
                return failed(from, "unknown user or wrong password");
            }
            if (!PasswordHash.verify(chars, user.orElseThrow().passwordHash())) {
                return failed(from, "unknown user or wrong password");
            }
            return enabled(user.orElseThrow());
        } finally {
            Arrays.fill(chars, '\0');
        }
    }

    /**
     * Checks a client certificate's fingerprint against the user's.
     */
    public Login certificate(final String name, final String fingerprint, final InetAddress from) {
        final var blocked = blocked(from);
        if (blocked != null) {
            return blocked;
        }
        final var user = security.user(name);
        if (fingerprint == null || user.isEmpty() || !user.orElseThrow().certificates().contains(fingerprint)) {
            return failed(from, "the client certificate does not belong to user " + name);
        }
        return enabled(user.orElseThrow());
    }

    private static Login enabled(final UserInfo user) {
        return user.enabled() ? new Login(user, 0, null)
            : Login.refused(Error.AUTH_FAILED, "user " + user.name() + " is disabled");
    }

    private static String source(final InetAddress from) {
        if (from instanceof Inet6Address) {
            // One host owns a whole /64; counting its addresses one by one would let it try 2^64 times.
            return HexFormat.of().formatHex(from.getAddress(), 0, 8) + "::/64";
        }
        return from == null ? "unknown" : from.getHostAddress();
    }

    private Login blocked(final InetAddress from) {
        final long now = System.nanoTime();
        synchronized (failures) {
            final var entry = failures.get(source(from));
            if (entry != null && entry.count >= MAX_FAILURES) {
                final long left = TimeUnit.SECONDS.toNanos(WINDOW_SECONDS) - (now - entry.windowStart);
                if (left > 0) {
                    return Login.refused(Error.LIMIT, "too many failed logins from " + from + "; try again in "
                        + Math.max(1, TimeUnit.NANOSECONDS.toSeconds(left)) + " s");
                }
            }
        }
        return null;
    }

    private Login failed(final InetAddress from, final String why) {
        final long now = System.nanoTime();
        synchronized (failures) {
            final var entry = failures.computeIfAbsent(source(from), key -> new Failures());
            if (entry.count == 0 || now - entry.windowStart > TimeUnit.SECONDS.toNanos(WINDOW_SECONDS)) {
                entry.windowStart = now;
                entry.count = 0;
            }
            entry.count++;
        }
        return Login.refused(Error.AUTH_FAILED, why);
    }

    @Override
    public void close() {
        hashing.shutdownNow();
    }
}
