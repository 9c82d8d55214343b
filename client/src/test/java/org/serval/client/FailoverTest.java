/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.serval.dataplane.protocol.Message;

/**
 * Which nodes the client tries, in what order, and when it gives up, against a fake of the connection.
 */
class FailoverTest {
    private static final Endpoint SERVER = new Endpoint("server.example", 4000);
    private static final Endpoint N1 = new Endpoint("10.0.0.1", 4000);
    private static final Endpoint N2 = new Endpoint("10.0.0.2", 4000);
    private static final Endpoint N3 = new Endpoint("10.0.0.3", 4000);

    private final FakeClock clock = new FakeClock();
    private final Backoff backoff = new Backoff(Backoff.FIRST_MILLIS, Backoff.CEILING_MILLIS, new Random(5), clock);
    private final Failover failover = new Failover(SERVER, false, null);

    /**
     * A connection whose every node answers as a test says: with success (null) or a failure.
     */
    private static final class FakeConnection implements Failover.Attempt {
        final Map<Endpoint, Supplier<ClientFailure>> answers = new HashMap<>();
        final List<Endpoint> tried = new ArrayList<>();
        String movedTo;

        @Override
        public void connect(final Endpoint to) throws ClientFailure {
            tried.add(to);
            final var failure = answers.getOrDefault(to, FakeConnection::unreachable).get();
            if (failure != null) {
                throw failure;
            }
        }

        String takeMovedTo() {
            final var moved = movedTo;
            movedTo = null;
            return moved;
        }

        static ClientFailure unreachable() {
            return new ClientFailure(ClientFailure.SERVER, "cannot reach the server");
        }

        static ClientFailure refused() {
            return new ClientFailure(ClientFailure.AUTH, "the server refused the login: wrong password",
                Message.Error.AUTH_FAILED);
        }

        static ClientFailure busy() {
            return new ClientFailure(ClientFailure.SERVER, "the server refused: busy", Message.Error.LIMIT);
        }
    }

    /**
     * n1 the lightest, n3 the lost node, each with a TCP and a UDP entry.
     */
    private List<Message.NodeEntry> listOfThree() {
        final List<Message.NodeEntry> entries = new ArrayList<>();
        for (var node : List.of(new Object[] {"n3", N3, 0L}, new Object[] {"n2", N2, 5L}, new Object[] {"n1", N1,
            1L})) {
            final var at = (Endpoint) node[1];
            entries.add(new Message.NodeEntry((String) node[0], Message.NodeEntry.TCP, at.host(), at.port(),
                (Long) node[2], 0, ""));
            entries.add(new Message.NodeEntry((String) node[0], Message.NodeEntry.UDP, at.host(), at.port() + 1,
                (Long) node[2], 0, ""));
        }
        failover.received(new Message.Nodes(entries));
        return entries;
    }

    @Test
    void candidatesAreLightestFirstTheLostNodeLastThenTheServer() {
        final var entries = listOfThree();
        assertEquals(List.of(N1, N2, SERVER), failover.candidates("n3", false));
        assertEquals(List.of(N1, N2, N3, SERVER), failover.candidates("n3", true));
        final var udp = new Failover(SERVER, true, null);
        udp.received(new Message.Nodes(entries));
        assertEquals(List.of(new Endpoint("10.0.0.1", 4001), new Endpoint("10.0.0.2", 4001), SERVER),
            udp.candidates("n3", false));
        assertEquals(N2, failover.find("n2"));
    }

    @Test
    void aRefusedLoginAtOneNodeTriesTheOthers() throws Exception {
        listOfThree();
        final var connection = new FakeConnection();
        connection.answers.put(N1, FakeConnection::refused);
        connection.answers.put(N2, () -> null);
        assertEquals(N2, failover.reconnect("n3", clock.in(300_000), () -> false, connection, backoff));
        assertEquals(List.of(N1, N2), connection.tried);
    }

    @Test
    void everyNodeRefusingEndsItAfterEachWasAskedOnce() throws Exception {
        listOfThree();
        final var connection = new FakeConnection();
        for (var node : List.of(N1, N2, N3, SERVER)) {
            connection.answers.put(node, FakeConnection::refused);
        }
        final var e = assertThrows(ClientFailure.class,
            () -> failover.reconnect("n3", clock.in(300_000), () -> false, connection, backoff));
        assertEquals(ClientFailure.AUTH, e.exitCode());
        // the lost node only in the second round, and nobody asked twice for the same password
        assertEquals(List.of(N1, N2, SERVER, N3), connection.tried);
        assertEquals(1, clock.sleeps.size(), "one pause between the two rounds");
    }

    @Test
    void unreachableAndBusyNodesAreTriedAgainWithBackoffUntilTheDeadline() throws Exception {
        listOfThree();
        final var connection = new FakeConnection();
        connection.answers.put(N2, FakeConnection::busy);
        final long deadline = clock.in(300_000);
        assertNull(failover.reconnect("n3", deadline, () -> false, connection, backoff));
        assertTrue(clock.nanoTime() - deadline >= 0, "tried until the deadline");
        assertTrue(clock.sleptMillis() <= 300_001, "slept " + clock.sleptMillis());
        final int rounds = clock.sleeps.size();
        assertTrue(rounds >= 10, rounds + " rounds");
        assertTrue(rounds < 60, "backed off, not 500 ms apart: " + rounds + " rounds in 300 s");
        assertEquals(new HashSet<>(List.of(N1, N2, N3, SERVER)), new HashSet<>(connection.tried));
        // the waits grow: none of the first two above 500 ms, some later one above 4 s
        assertTrue(clock.sleeps.get(0) <= 250 && clock.sleeps.get(1) <= 500, clock.sleeps.toString());
        assertTrue(clock.sleeps.stream().anyMatch(s -> s > 4_000), clock.sleeps.toString());
    }

    @Test
    void aStoppingClientStopsTrying() throws Exception {
        listOfThree();
        final var connection = new FakeConnection();
        final boolean[] stopped = {false};
        connection.answers.put(N1, () -> {
            stopped[0] = true;
            return FakeConnection.unreachable();
        });
        assertNull(failover.reconnect("n3", clock.in(300_000), () -> stopped[0], connection, backoff));
        assertEquals(List.of(N1), connection.tried);
    }

    @Test
    void aBusyServerAtStartIsAskedAgainEvenWithoutRetry() throws Exception {
        final var connection = new FakeConnection();
        final int[] busy = {3};
        connection.answers.put(SERVER, () -> busy[0]-- > 0 ? FakeConnection.busy() : null);
        // --retry 0: the unreachable deadline is now; the busy one a minute on
        assertEquals(SERVER, failover.start(clock.nanoTime(), clock.in(60_000), connection,
            connection::takeMovedTo, backoff));
        assertEquals(4, connection.tried.size());
        assertEquals(3, clock.sleeps.size(), "a pause before each new try");
    }

    @Test
    void aBusyServerIsGivenUpAfterItsDeadline() {
        final var connection = new FakeConnection();
        connection.answers.put(SERVER, FakeConnection::busy);
        final var e = assertThrows(ClientFailure.class, () -> failover.start(clock.nanoTime(), clock.in(60_000),
            connection, connection::takeMovedTo, backoff));
        assertEquals(Message.Error.LIMIT, e.serverError());
        assertTrue(clock.sleptMillis() <= 60_001 && clock.sleptMillis() >= 59_000, "" + clock.sleptMillis());
    }

    @Test
    void atStartAnUnreachableServerWithoutRetryAndARefusedLoginEndAtOnce() {
        final var connection = new FakeConnection();
        final var unreachable = assertThrows(ClientFailure.class, () -> failover.start(clock.nanoTime(),
            clock.in(60_000), connection, connection::takeMovedTo, backoff));
        assertEquals(ClientFailure.SERVER, unreachable.exitCode());
        connection.answers.put(SERVER, FakeConnection::refused);
        final var refused = assertThrows(ClientFailure.class, () -> failover.start(clock.in(600_000),
            clock.in(600_000), connection, connection::takeMovedTo, backoff));
        assertEquals(ClientFailure.AUTH, refused.exitCode());
        assertEquals(2, connection.tried.size());
        assertTrue(clock.sleeps.isEmpty());
    }

    @Test
    void aFullNodesPointerIsFollowedAtOnce() throws Exception {
        listOfThree();
        final var connection = new FakeConnection();
        connection.answers.put(SERVER, () -> {
            connection.movedTo = "n2";
            return new ClientFailure(ClientFailure.SERVER, "full", Message.Error.MOVED);
        });
        connection.answers.put(N2, () -> null);
        assertEquals(N2, failover.start(clock.nanoTime(), clock.nanoTime(), connection, connection::takeMovedTo,
            backoff));
        assertEquals(List.of(SERVER, N2), connection.tried);
        assertTrue(clock.sleeps.isEmpty());
    }
}
