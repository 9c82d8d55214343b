/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.security;

import java.security.SecureRandom;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.serval.api.Credential;
import org.serval.dataplane.Bounds;
import org.serval.dataplane.protocol.Message;

/**
 * Tickets for sealed UDP sessions: handed out inside TLS to an authenticated client, redeemed by its first sealed
 * datagram. Bounded: a ticket not used within its lifetime is forgotten, no more than {@code capacity} wait at
 * once, and no more than {@link Bounds#TICKETS_PER_USER} for one user, so that one user's logins cannot fill the
 * book for the others. Session ids are random, non-zero, and unique among waiting tickets and live sessions.
 */
public final class TicketBook {
    /**
     * A ticket, whom it was issued to, the credential that got it (its session ends when that is revoked), and
     * until when (Unix seconds, 0 for not at all) its session may be given a resumption credential: the login's,
     * so that a resumed login cannot lengthen it by way of a ticket.
     */
    public record Issued(Message.Ticket ticket, String user, String clientId, long expiresNanos,
            Credential credential, long resumeUntil) {
    }

    private final SecureRandom random = new SecureRandom();
    private final int capacity;
    private final int lifetimeSeconds;
    private static final int PER_USER = Bounds.TICKETS_PER_USER;

    private final Map<Long, Issued> waiting = new HashMap<>();
    private final Map<String, Integer> waitingPerUser = new HashMap<>();
    private final Set<Long> live = new HashSet<>();

    public TicketBook(final int capacity, final int lifetimeSeconds) {
        this.capacity = capacity;
        this.lifetimeSeconds = lifetimeSeconds;
    }

    /**
     * Issues a ticket.
     *
     * @return the ticket, or empty when too many are waiting, in all or for this user
     */
    public Optional<Message.Ticket> issue(final String user, final String clientId) {
        return issue(user, clientId, null);
    }

    /**
     * Issues a ticket that remembers how its holder authenticated.
     *
     * @return the ticket, or empty when too many are waiting
     */
    public Optional<Message.Ticket> issue(final String user, final String clientId,
            final Credential credential) {
        return issue(user, clientId, credential, 0);
    }

    /**
     * Issues a ticket that remembers how its holder authenticated, and until when its session may resume.
     *
     * @param resumeUntil Unix seconds, 0 for no resumption credential
     * @return the ticket, or empty when too many are waiting
     */
    public synchronized Optional<Message.Ticket> issue(final String user, final String clientId,
            final Credential credential, final long resumeUntil) {
        final long now = System.nanoTime();
        waiting.values().removeIf(issued -> {
            if (now - issued.expiresNanos() > 0) {
                forget(issued);
                return true;
            }
            return false;
        });
        if (waiting.size() >= capacity || waitingPerUser.getOrDefault(user, 0) >= PER_USER) {
            return Optional.empty();
        }
        long session;
        do {
            session = random.nextInt() & 0xFFFFFFFFL;
        } while (session == 0 || waiting.containsKey(session) || live.contains(session));
        final var clientKey = new byte[Message.Ticket.KEY_BYTES];
        final var serverKey = new byte[Message.Ticket.KEY_BYTES];
        random.nextBytes(clientKey);
        random.nextBytes(serverKey);
        final var ticket = new Message.Ticket(session, lifetimeSeconds, clientKey, serverKey);
        waiting.put(session, new Issued(ticket, user, clientId,
            now + TimeUnit.SECONDS.toNanos(lifetimeSeconds), credential, resumeUntil));
        waitingPerUser.merge(user, 1, Integer::sum);
        return Optional.of(ticket);
    }

    private void forget(final Issued issued) {
        waitingPerUser.computeIfPresent(issued.user(), (name, count) -> count > 1 ? count - 1 : null);
    }

    /**
     * Looks up a waiting ticket without using it up (its first datagram might be forged).
     */
    public synchronized Optional<Issued> peek(final long session) {
        final var issued = waiting.get(session);
        if (issued == null || System.nanoTime() - issued.expiresNanos() > 0) {
            return Optional.empty();
        }
        return Optional.of(issued);
    }

    /**
     * Uses a ticket up: its session is live from now on, until {@link #ended}.
     */
    public synchronized boolean redeem(final long session) {
        final var issued = waiting.remove(session);
        if (issued == null) {
            return false;
        }
        forget(issued);
        live.add(session);
        return true;
    }

    public synchronized void ended(final long session) {
        live.remove(session);
    }
}
