/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.session;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.serval.api.Audit;
import org.serval.api.PasswordHash;
import org.serval.api.SecurityDirectory;
import org.serval.api.UserInfo;
import org.serval.dataplane.Bounds;
import org.serval.dataplane.protocol.Message.Error;
import org.serval.dataplane.security.Resumption;
import org.serval.dataplane.security.TicketBook;

/**
 * Decides who a client is. Password checks cost a slow hash each, so they run on a small pool of their own, never
 * on an event loop, fed by a fair queue: each source (an IPv4 address, an IPv6 /48) has a queue of its own and the
 * pool takes one check from each in turn, so one source's flood delays another's login by a check or two, not by
 * its whole backlog. A source (IPv4 address, IPv6 /64) may have {@value #PER_SOURCE} checks waiting or running, an
 * IPv6 /48 {@value #PER_SITE}, all sources {@value #QUEUE} waiting; past that a login is refused at once (LIMIT).
 * Failed logins are counted per source: after {@value #MAX_FAILURES} within {@value #WINDOW_SECONDS} s that source
 * is refused without a check until the window ends, and after {@value #MAX_SITE_FAILURES} from one IPv6 /48 so is
 * all of it, so that rotating /64s (or /56s) buys a few sources' worth. The table of failures is bounded, and a
 * source being refused is never forgotten to make room for a new one, so a spray of sources cannot flush it.
 */
public final class Gatekeeper implements AutoCloseable {
    static final int MAX_FAILURES = Bounds.LOGIN_MAX_FAILURES;
    static final int MAX_SITE_FAILURES = Bounds.LOGIN_MAX_FAILURES_SLASH48;
    static final int WINDOW_SECONDS = Bounds.LOGIN_WINDOW_SECONDS;
    static final int MAX_SOURCES = Bounds.LOGIN_MAX_SOURCES;
    static final int QUEUE = Bounds.LOGIN_QUEUE;
    static final int PER_SOURCE = Bounds.LOGIN_PER_SOURCE;
    static final int PER_SITE = Bounds.LOGIN_PER_SLASH48;
    private static final long WINDOW_NANOS = TimeUnit.SECONDS.toNanos(WINDOW_SECONDS);

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
        final int limit;
        long windowStart;
        int count;

        Failures(final int limit) {
            this.limit = limit;
        }

        boolean refusing(final long now) {
            return count >= limit && now - windowStart < WINDOW_NANOS;
        }
    }

    /**
     * Checks waiting, one queue per source, served in turn.
     */
    private static final class FairQueue {
        private final Map<String, ArrayDeque<Runnable>> waiting = new HashMap<>();
        private final ArrayDeque<String> turns = new ArrayDeque<>();
        // checks waiting or running per source and per site
        private final Map<String, Integer> held = new HashMap<>();
        private int queued;

        synchronized String offer(final InetAddress from, final Runnable check) {
            final var host = Sources.host(from);
            final var site = Sources.site(from);
            if (queued >= QUEUE) {
                return "the server is busy checking logins; try again";
            }
            if (held.getOrDefault(host, 0) >= PER_SOURCE
                    || site != null && held.getOrDefault(site, 0) >= PER_SITE) {
                return "too many logins being checked from " + (site != null ? site : host) + "; try again";
            }
            held.merge(host, 1, Integer::sum);
            if (site != null) {
                held.merge(site, 1, Integer::sum);
            }
            final var turn = Sources.widest(from);
            final var queue = waiting.computeIfAbsent(turn, key -> new ArrayDeque<>());
            if (queue.isEmpty()) {
                turns.addLast(turn);
            }
            queue.addLast(check);
            queued++;
            return null;
        }

        synchronized Runnable poll() {
            final var turn = turns.pollFirst();
            if (turn == null) {
                return null;
            }
            final var queue = waiting.get(turn);
            final var check = queue.pollFirst();
            if (queue.isEmpty()) {
                waiting.remove(turn);
            } else {
                // to the back of the line: every other source with a check waiting goes first
                turns.addLast(turn);
            }
            queued--;
            return check;
        }

        synchronized void done(final InetAddress from) {
            release(Sources.host(from));
            final var site = Sources.site(from);
            if (site != null) {
                release(site);
            }
        }

        private void release(final String key) {
            held.computeIfPresent(key, (name, count) -> count > 1 ? count - 1 : null);
        }
    }

    private final SecurityDirectory security;
    private final TicketBook tickets;
    private final Resumption resumption = new Resumption();
    private final ThreadPoolExecutor hashing;
    private final FairQueue queue = new FairQueue();
    private final long staleNanos;
    // least recently seen first; guarded by itself
    private final LinkedHashMap<String, Failures> failures = new LinkedHashMap<>(256, 0.75f, true);
    // Read by the metrics endpoint; a login's cost dwarfs an increment.
    private final LongAdder admittedLogins = new LongAdder();
    private final LongAdder refusedLogins = new LongAdder();
    private final LogTally failedLogins = new LogTally((count, prefix, seconds, last) ->
        Audit.loginsFailed(LogTally.count(count), prefix, seconds, last));

    /**
     * Starts the pool.
     *
     * @param threads password checks that may run at once
     */
    public Gatekeeper(final SecurityDirectory security, final TicketBook tickets, final int threads) {
        this(security, tickets, threads, TimeUnit.MILLISECONDS.toNanos(Bounds.PRELOGIN_DEADLINE_MILLIS));
    }

    /**
     * Starts the pool, with checks that waited longer than {@code staleNanos} refused unchecked (tests use less).
     */
    Gatekeeper(final SecurityDirectory security, final TicketBook tickets, final int threads,
            final long staleNanos) {
        this.staleNanos = staleNanos;
        this.security = requireNonNull(security);
        this.tickets = requireNonNull(tickets);
        // Each task the pool runs takes the next check from the fair queue, which bounds how many there are.
        hashing = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
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
     * The resumption credentials this node issues and accepts; the controller gives it the cluster's keys.
     */
    public Resumption resumption() {
        return resumption;
    }

    /**
     * Checks a resumption credential, on the caller's thread: an HMAC or two, so it needs no place in the check
     * pool, and a thousand clients failing over at once are let in as fast as their TLS handshakes. Failures count
     * against the source as a wrong password does, and a throttled source is refused before any check.
     *
     * @return the verdict; a refusal's {@link Resumption.Verdict#refusal} is for the audit log only
     */
    public Resumption.Verdict resume(final String user, final String clientId, final String credential,
            final InetAddress from) {
        final var blocked = blocked(from);
        if (blocked != null) {
            return new Resumption.Verdict(null, null, 0, blocked.errorCode(), blocked.error());
        }
        final var verdict = resumption.verify(credential, user, clientId, security.user(user).orElse(null));
        if (!verdict.ok()) {
            failed(from, verdict.refusal());
        }
        return verdict;
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
        final long queued = System.nanoTime();
        final var refused = queue.offer(from, () -> {
            try {
                // A check that waited past the login deadline is for a connection already closed: no hash for it.
                result.complete(System.nanoTime() - queued > staleNanos
                    ? Login.refused(Error.LIMIT, "the server is busy checking logins; try again")
                    : check(user, password, from));
            } finally {
                queue.done(from);
            }
        });
        if (refused != null) {
            result.complete(Login.refused(Error.LIMIT, refused));
            return result;
        }
        try {
            hashing.execute(() -> {
                final var next = queue.poll();
                if (next != null) {
                    next.run();
                }
            });
        } catch (RejectedExecutionException e) {
            // closed: the check stays queued and is never run; say so rather than leave the client waiting
            result.complete(Login.refused(Error.LIMIT, "the server is shutting down"));
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

    private Login blocked(final InetAddress from) {
        final long now = System.nanoTime();
        synchronized (failures) {
            for (var source : sources(from)) {
                final var entry = failures.get(source);
                if (entry != null && entry.refusing(now)) {
                    final long left = WINDOW_NANOS - (now - entry.windowStart);
                    return Login.refused(Error.LIMIT, "too many failed logins from " + source + "; try again in "
                        + Math.max(1, TimeUnit.NANOSECONDS.toSeconds(left)) + " s");
                }
            }
        }
        return null;
    }

    private static List<String> sources(final InetAddress from) {
        final var site = Sources.site(from);
        return site == null ? List.of(Sources.host(from)) : List.of(Sources.host(from), site);
    }

    private Login failed(final InetAddress from, final String why) {
        final long now = System.nanoTime();
        synchronized (failures) {
            for (var source : sources(from)) {
                var entry = failures.get(source);
                if (entry == null) {
                    entry = new Failures(source.equals(Sources.site(from)) ? MAX_SITE_FAILURES : MAX_FAILURES);
                    failures.put(source, entry);
                    if (failures.size() > MAX_SOURCES) {
                        forgetOne(source, now);
                    }
                }
                if (entry.count == 0 || now - entry.windowStart > WINDOW_NANOS) {
                    entry.windowStart = now;
                    entry.count = 0;
                }
                entry.count++;
            }
        }
        return Login.refused(Error.AUTH_FAILED, why);
    }

    /**
     * Makes room in the full table: forgets the least recently seen source that is not being refused. When every
     * one is, the newcomer is the one forgotten: a source with one failure is less dangerous than any of them.
     */
    private void forgetOne(final String newcomer, final long now) {
        final var it = failures.entrySet().iterator();
        while (it.hasNext()) {
            final var entry = it.next();
            if (!entry.getKey().equals(newcomer) && !entry.getValue().refusing(now)) {
                it.remove();
                return;
            }
        }
        failures.remove(newcomer);
    }

    /**
     * Writes a failed login to the audit log, summed up per source prefix when they come in a flood.
     */
    public void audit(final String user, final String clientId, final String why, final InetSocketAddress from) {
        refusedLogins.increment();
        final var address = from == null ? null : from.getAddress();
        if (failedLogins.record(address, "user=" + user + " client=" + clientId + ": " + why)) {
            Audit.loginFailed(user, clientId, why, from);
        }
    }

    /**
     * Counts a login that was let in (any method: password, certificate, resumption, ticket).
     */
    public void admitted() {
        admittedLogins.increment();
    }

    /**
     * Logins let in since the node started.
     */
    public long admittedLogins() {
        return admittedLogins.sum();
    }

    /**
     * Logins refused since the node started: every refusal that {@link #audit} recorded (wrong or revoked
     * credentials, disabled users, limits), each counted even when the audit log sums a flood up.
     */
    public long refusedLogins() {
        return refusedLogins.sum();
    }

    /**
     * Sources whose failures are remembered now.
     */
    int rememberedSources() {
        synchronized (failures) {
            return failures.size();
        }
    }

    @Override
    public void close() {
        hashing.shutdownNow();
    }
}
