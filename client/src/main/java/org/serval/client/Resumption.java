/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.client;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.function.LongSupplier;
import org.serval.dataplane.protocol.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which login goes where (docs/protocol.md, "Resumption"; docs/cluster.md, "Failover"): the configured login
 * (password or certificate) at --server only; at a node the client learned from a node list, the last resumption
 * credential a node gave it (RESUME), kept in memory only. The password never goes to a node the user did not
 * configure, however the node list was filled. Without a credential (none yet, or expired) a learned node gets a
 * certificate login when the client has a certificate, which shows the node nothing secret (the TLS handshake has
 * already shown it the certificate, and proved the key by a signature it cannot replay), and nothing at all with a
 * password: the node counts as having refused the login, and failover goes on to the others and to --server.
 */
final class Resumption {
    private static final Logger LOG = LoggerFactory.getLogger(Resumption.class);
    // A credential is not used in its last minute: the nodes' clocks and this one need not agree to the second.
    private static final long MARGIN_NANOS = TimeUnit.SECONDS.toNanos(60);

    private final Endpoint configured;
    private final String clientId;
    private final String user;
    private final boolean certificate;
    private final LongSupplier clock;
    private volatile Message.Resume last;
    private volatile long expiresNanos;

    /**
     * The resumption of a client.
     *
     * @param configured --server, the one endpoint that gets the configured login
     * @param certificate whether the client logs in with a client certificate (else with a password)
     * @param clock nanoseconds, as {@link System#nanoTime()}
     */
    Resumption(final Endpoint configured, final String clientId, final String user, final boolean certificate,
            final LongSupplier clock) {
        this.configured = requireNonNull(configured);
        this.clientId = requireNonNull(clientId);
        this.user = requireNonNull(user);
        this.certificate = certificate;
        this.clock = requireNonNull(clock);
    }

    /**
     * A RESUME from the node this client is connected to (or is being sent on by): it replaces the one before.
     */
    void received(final Message.Resume resume) {
        expiresNanos = clock.getAsLong() + TimeUnit.SECONDS.toNanos(resume.lifetimeSeconds()) - MARGIN_NANOS;
        last = resume;
    }

    /**
     * The credential to resume with, or null when there is none or it has expired.
     */
    String credential() {
        final var resume = last;
        return resume == null || clock.getAsLong() - expiresNanos >= 0 ? null : resume.credential();
    }

    /**
     * The HELLO that logs in at an endpoint, once its TLS handshake has passed (so that a node the client does not
     * trust is refused as such, whatever the client holds).
     *
     * @param configuredLogin the HELLO of the configured login, with these flags
     * @throws ClientFailure (a login refusal, so that failover tries the others) when the client has nothing it
     *     may give that node: a learned node, no credential, and a password
     */
    Message.Hello hello(final Endpoint to, final int flags, final IntFunction<Message.Hello> configuredLogin)
            throws ClientFailure {
        if (to.equals(configured)) {
            return configuredLogin.apply(flags);
        }
        final var credential = credential();
        if (credential != null) {
            LOG.debug("Logging in at {} with the resumption credential", to);
            return new Message.Hello(1, clientId, flags, user, Message.Hello.AUTH_RESUME, credential);
        }
        if (!certificate) {
            throw new ClientFailure(ClientFailure.AUTH, "no resumption credential for node " + to
                + "; the password goes to --server " + configured + " only", Message.Error.AUTH_FAILED);
        }
        // a certificate: the handshake has shown it already
        return configuredLogin.apply(flags);
    }
}
