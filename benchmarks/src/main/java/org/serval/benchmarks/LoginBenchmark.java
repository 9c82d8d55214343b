/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.benchmarks;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.serval.api.Credential;
import org.serval.api.LocalSecurityView;
import org.serval.api.PasswordHash;
import org.serval.api.UserInfo;
import org.serval.dataplane.security.TicketBook;
import org.serval.dataplane.session.Gatekeeper;

/**
 * What a node spends authenticating one login, by password (PBKDF2 at the production cost, through the check
 * pool, one at a time) and by resumption credential (checked and the next one issued, on the caller's thread): the
 * part of a login that differs between the two. Logins per second per thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class LoginBenchmark {
    private static final String PASSWORD = "correct horse battery staple";

    private Gatekeeper gatekeeper;
    private InetAddress from;
    private String credential;

    @Setup
    public void setUp() throws Exception {
        final var view = new LocalSecurityView();
        view.putUser(new UserInfo("alice", PasswordHash.hash(PASSWORD.toCharArray()), true, Set.of(), 8, 16,
            Set.of()));
        gatekeeper = new Gatekeeper(view, new TicketBook(64, 30), 2);
        final var key = new byte[32];
        Arrays.fill(key, (byte) 7);
        gatekeeper.resumption().replaceKeys(Map.of(1, key));
        from = InetAddress.getLoopbackAddress();
        final var alice = view.user("alice").orElseThrow();
        credential = gatekeeper.resumption().issue("alice", "c1", Credential.password(alice.passwordHash()),
            gatekeeper.resumption().expiryFromNow()).credential();
    }

    @TearDown
    public void tearDown() {
        gatekeeper.close();
    }

    @Benchmark
    public Object password() throws Exception {
        final var login = gatekeeper.password("alice", PASSWORD, from).toCompletableFuture().get();
        if (login.user() == null) {
            throw new IllegalStateException(login.error());
        }
        return login;
    }

    @Benchmark
    public Object resume() {
        final var verdict = gatekeeper.resume("alice", "c1", credential, from);
        if (!verdict.ok()) {
            throw new IllegalStateException(verdict.refusal());
        }
        return gatekeeper.resumption().issue("alice", "c1", verdict.credential(), verdict.expiry());
    }
}
