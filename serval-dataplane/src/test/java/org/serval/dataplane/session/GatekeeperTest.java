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
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.serval.api.AccessPolicy;
import org.serval.api.LocalSecurityView;
import org.serval.api.PasswordHash;
import org.serval.api.SecurityDirectory;
import org.serval.api.UserInfo;
import org.serval.dataplane.protocol.Message.Error;
import org.serval.dataplane.security.TicketBook;

/**
 * The login checks under a flood: one source cannot starve another's login, rotating IPv6 /64s inside a /48 is
 * throttled as one site, and a spray of sources cannot flush a throttled one from the table.
 */
class GatekeeperTest {
    /**
     * A directory whose every lookup takes as long as a slow hash would, and is counted.
     */
    private static final class SlowDirectory implements SecurityDirectory {
        final LocalSecurityView view = TestUsers.view();
        final AtomicInteger lookups = new AtomicInteger();
        final long millis;

        SlowDirectory(final long millis) {
            this.millis = millis;
        }

        @Override
        public Optional<UserInfo> user(final String name) {
            lookups.incrementAndGet();
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return view.user(name);
        }

        @Override
        public AccessPolicy policy() {
            return view.policy();
        }
    }

    private static InetAddress address(final String text) {
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Gatekeeper.Login login(final CompletionStage<Gatekeeper.Login> stage) throws Exception {
        return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    /**
     * Floods from {@code flooder(i)} with 1,000 good logins, then logs in once from elsewhere.
     *
     * @return how many of the flood's checks finished before the other source's one
     */
    private static int checksAheadOfAnother(final IntFunction<InetAddress> flooder)
            throws Exception {
        final var order = Collections.synchronizedList(new ArrayList<String>());
        final var refusedAtOnce = new AtomicInteger();
        try (var gatekeeper = new Gatekeeper(new SlowDirectory(20), new TicketBook(64, 30), 2)) {
            final List<CompletionStage<Gatekeeper.Login>> flood = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                final var stage = gatekeeper.password(TestUsers.USER, TestUsers.PASSWORD, flooder.apply(i));
                if (stage.toCompletableFuture().isDone()) {
                    refusedAtOnce.incrementAndGet();
                }
                flood.add(stage.thenApply(login -> {
                    if (login.ok()) {
                        order.add("flood");
                    }
                    return login;
                }));
            }
            final var honest = login(gatekeeper.password(TestUsers.USER, TestUsers.PASSWORD,
                address("198.51.100.7")).thenApply(login -> {
                    order.add("honest");
                    return login;
                }));
            assertTrue(honest.ok(), "the other source's login: " + honest.error());
            for (var stage : flood) {
                login(stage);
            }
        }
        assertTrue(refusedAtOnce.get() >= 1000 - Gatekeeper.PER_SITE, "a flood beyond its share is refused at "
            + "once, not queued: " + refusedAtOnce);
        return order.indexOf("honest");
    }

    @Test
    void oneSourceCannotStarveAnothersLogin() throws Exception {
        final var flooder = address("192.0.2.1");
        final int ahead = checksAheadOfAnother(i -> flooder);
        // two threads: what they were running, and one more taken in turn before the other source's
        assertTrue(ahead <= Gatekeeper.PER_SOURCE, ahead + " of the flood's checks went first");
    }

    @Test
    void oneSiteRotatingSlash64sCannotStarveAnothersLogin() throws Exception {
        final int ahead = checksAheadOfAnother(i -> address("2001:db8:0:" + Integer.toHexString(i) + "::1"));
        assertTrue(ahead <= Gatekeeper.PER_SOURCE, ahead + " of the flood's checks went first");
    }

    /**
     * A login as a user that does not exist runs a full production-cost hash, so that timing does not tell which
     * user names exist (PasswordHashTest checks that this is what a wrong password costs).
     */
    @Test
    void anUnknownUserCostsAFullHash() throws Exception {
        try (var gatekeeper = new Gatekeeper(new SlowDirectory(0), new TicketBook(64, 30), 1)) {
            final long before = PasswordHash.iterationsSpent();
            final var login = login(gatekeeper.password("nobody-here", "guess", address("192.0.2.7")));
            assertEquals(Error.AUTH_FAILED, login.errorCode(), login.error());
            assertTrue(PasswordHash.iterationsSpent() - before >= PasswordHash.DEFAULT_ITERATIONS,
                "an unknown user was refused without a full hash");
        }
    }

    @Test
    void rotatingSlash64sInsideOneSlash48IsThrottled() throws Exception {
        final var directory = new SlowDirectory(0);
        try (var gatekeeper = new Gatekeeper(directory, new TicketBook(64, 30), 2)) {
            for (int i = 0; i < Gatekeeper.MAX_SITE_FAILURES; i++) {
                final var login = login(gatekeeper.password(TestUsers.USER, "wrong",
                    address("2001:db8:0:" + Integer.toHexString(i) + "::1")));
                assertEquals(Error.AUTH_FAILED, login.errorCode(), "attempt " + i + ": " + login.error());
            }
            final int checked = directory.lookups.get();
            final var next = login(gatekeeper.password(TestUsers.USER, TestUsers.PASSWORD,
                address("2001:db8:0:ffff::1")));
            assertEquals(Error.LIMIT, next.errorCode(), "a fresh /64 of the same /48: " + next.error());
            assertEquals(checked, directory.lookups.get(), "refused without a check");
            assertTrue(login(gatekeeper.password(TestUsers.USER, TestUsers.PASSWORD, address("2001:db8:1::1")))
                .ok(), "another /48 is another site");
        }
    }

    @Test
    void aSprayOfSourcesCannotFlushAThrottledOne() throws Exception {
        try (var gatekeeper = new Gatekeeper(new SlowDirectory(0), new TicketBook(64, 30), 2)) {
            final var attacker = address("192.0.2.1");
            for (int i = 0; i < Gatekeeper.MAX_FAILURES; i++) {
                assertEquals(Error.AUTH_FAILED, gatekeeper.certificate(TestUsers.USER, null, attacker).errorCode());
            }
            assertEquals(Error.LIMIT, gatekeeper.certificate(TestUsers.USER, null, attacker).errorCode());
            // one failure each from more sources than the table holds
            for (int i = 0; i < Gatekeeper.MAX_SOURCES + 2000; i++) {
                final var source = InetAddress.getByAddress(new byte[] {10, (byte) (i >> 16), (byte) (i >> 8),
                    (byte) i});
                gatekeeper.certificate(TestUsers.USER, null, source);
            }
            assertTrue(gatekeeper.rememberedSources() <= Gatekeeper.MAX_SOURCES, "the table stays bounded");
            assertEquals(Error.LIMIT, gatekeeper.certificate(TestUsers.USER, null, attacker).errorCode(),
                "the throttled source is still refused");
        }
    }

    @Test
    void aCheckThatWaitedPastTheDeadlineCostsNoHash() throws Exception {
        final var directory = new SlowDirectory(50);
        // one thread, checks of 50 ms, stale after 120 ms: of eight sources' checks the last few are not run
        try (var gatekeeper = new Gatekeeper(directory, new TicketBook(64, 30), 1,
                TimeUnit.MILLISECONDS.toNanos(120))) {
            final List<CompletionStage<Gatekeeper.Login>> logins = new ArrayList<>();
            for (int i = 1; i <= 8; i++) {
                logins.add(gatekeeper.password(TestUsers.USER, TestUsers.PASSWORD, address("192.0.2." + i)));
            }
            int stale = 0;
            for (var stage : logins) {
                final var login = login(stage);
                if (!login.ok()) {
                    assertEquals(Error.LIMIT, login.errorCode());
                    stale++;
                }
            }
            assertTrue(stale > 0, "some waited too long");
            assertEquals(8 - stale, directory.lookups.get(), "and cost no check");
        }
    }
}
