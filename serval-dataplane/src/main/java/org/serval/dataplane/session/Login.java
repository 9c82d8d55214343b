/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.session;

import org.serval.api.Audit;
import org.serval.api.Checks;
import org.serval.api.Credential;
import org.serval.api.UserInfo;
import org.serval.dataplane.protocol.Message;
import org.serval.dataplane.protocol.Message.Error;
import org.serval.dataplane.protocol.MessageCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A session's HELLO: who the client is (its ticket, password, certificate or resumption credential, checked by the
 * {@link Gatekeeper}) and whether it may come in (its client id, its user's client limit, this node's soft limit),
 * ending in a ticket for sealed UDP, a refusal, or {@link ClientSession#open} (WELCOME, then RESUME). On the
 * session's executor, like the session.
 */
final class Login {
    private static final Logger LOG = LoggerFactory.getLogger(Login.class);

    private final ClientSession session;
    private final Dataplane dataplane;
    private final Link link;
    // A HELLO is being checked (a password hash takes a while); a repeated one (UDP) is not a second check.
    private String authenticating;
    // The resumption credential the session sends after WELCOME (and NODES), or null.
    private Message.Resume resume;

    Login(final ClientSession session, final Dataplane dataplane, final Link link) {
        this.session = session;
        this.dataplane = dataplane;
        this.link = link;
    }

    void hello(final Message.Hello hello) {
        final var clientId = session.clientId();
        if (clientId != null || authenticating != null) {
            if (!hello.clientId().equals(clientId != null ? clientId : authenticating)) {
                session.refuse(0, Error.MALFORMED, "HELLO was sent twice");
            } else if (session.isWelcomed()) {
                // The WELCOME was lost (UDP); say it again.
                session.welcome();
            }
            return;
        }
        if (hello.maxVersion() < MessageCodec.VERSION) {
            session.refuse(0, Error.UNSUPPORTED_VERSION, "this server speaks version " + MessageCodec.VERSION);
            return;
        }
        final String id;
        try {
            id = Checks.clientId(hello.clientId());
        } catch (IllegalArgumentException e) {
            session.refuse(0, Error.MALFORMED, e.getMessage());
            return;
        }
        final var gatekeeper = dataplane.gatekeeper();
        final var ticket = link.ticket();
        if (ticket != null) {
            if (!ticket.clientId().equals(id)) {
                session.refuse(0, Error.AUTH_FAILED, "the ticket was issued to client " + ticket.clientId());
                return;
            }
            final var holder = gatekeeper.security().user(ticket.user());
            if (holder.isEmpty() || !holder.orElseThrow().enabled()) {
                deny(ticket.user(), id, Error.AUTH_FAILED, "user " + ticket.user() + " is gone or disabled");
                return;
            }
            admit(id, holder.orElseThrow(), "ticket", hello, ticket.credential(), ticket.resumeUntil());
            return;
        }
        if ((hello.flags() & Message.Hello.TICKET) != 0 && !link.secure()) {
            session.refuse(0, Error.AUTH_FAILED, "tickets for sealed UDP are handed out over TLS only");
            return;
        }
        final var from = link.remote() == null ? null : link.remote().getAddress();
        switch (hello.authMethod()) {
            case Message.Hello.AUTH_PASSWORD -> {
                authenticating = id;
                gatekeeper.password(hello.user(), hello.authData(), from).whenComplete((login, failure) ->
                    link.executor().execute(() -> {
                        authenticating = null;
                        if (session.isEnded()) {
                            return;
                        }
                        if (failure != null) {
                            LOG.warn("Checking the login of client {} failed", id, failure);
                            session.refuse(0, Error.INTERNAL, "the server could not check the login");
                        } else if (login.ok()) {
                            admit(id, login.user(), "password", hello,
                                Credential.password(login.user().passwordHash()),
                                gatekeeper.resumption().expiryFromNow());
                        } else {
                            deny(hello.user(), id, login.errorCode(), login.error());
                        }
                    }));
            }
            case Message.Hello.AUTH_CERTIFICATE -> {
                final var login = gatekeeper.certificate(hello.user(), link.clientCertificate(), from);
                if (login.ok()) {
                    admit(id, login.user(), "certificate", hello, Credential.certificate(link.clientCertificate()),
                        gatekeeper.resumption().expiryFromNow());
                } else {
                    deny(hello.user(), id, login.errorCode(), login.error());
                }
            }
            case Message.Hello.AUTH_RESUME -> {
                // An HMAC, not a slow hash: checked here, never queued for the check pool.
                final var verdict = gatekeeper.resume(hello.user(), id, hello.authData(), from);
                if (verdict.ok()) {
                    admit(id, verdict.user(), "resume", hello, verdict.credential(), verdict.expiry());
                } else if (verdict.errorCode() == Error.AUTH_FAILED) {
                    // The client hears what a wrong password hears; the audit log says which check failed.
                    dataplane.gatekeeper().audit(hello.user(), id, verdict.refusal(), link.remote());
                    session.refuse(0, Error.AUTH_FAILED, "unknown user or wrong password");
                } else {
                    deny(hello.user(), id, verdict.errorCode(), verdict.refusal());
                }
            }
            default -> deny(hello.user(), id, Error.AUTH_FAILED,
                "this server requires a user name and password, a client certificate or a resumption credential");
        }
    }

    private void deny(final String name, final String id, final int code, final String why) {
        dataplane.gatekeeper().audit(name, id, why, link.remote());
        session.refuse(0, code, why);
    }

    /**
     * The resumption credential to send after WELCOME (and NODES), or null (no cluster key yet).
     */
    Message.Resume resume() {
        return resume;
    }

    /**
     * Lets an authenticated client in, within its user's limits: a ticket if it asked for one, else a session
     * with a resumption credential.
     *
     * @param credential what the client proved (a ticket passes on the one that got it; a resumption credential
     *     stands on the user's current one), for the dataplane to end the session when it is revoked
     * @param resumeUntil Unix seconds until which the client may resume: a day after its password or certificate
     *     login, however often it resumed since
     */
    private void admit(final String id, final UserInfo login, final String method, final Message.Hello hello,
            final Credential credential, final long resumeUntil) {
        final var directory = dataplane.directory();
        final var holder = directory.userOf(id);
        if (holder.isPresent() && !holder.orElseThrow().equals(login.name())) {
            deny(login.name(), id, Error.DENIED, "client id " + id + " is in use by another user");
            return;
        }
        final var clients = directory.clientsOf(login.name());
        final int others = clients.size() - (clients.contains(id) ? 1 : 0);
        if (others >= login.maxClients()) {
            deny(login.name(), id, Error.LIMIT, "user " + login.name() + " has " + others
                + " clients connected, the most it may have");
            return;
        }
        if (!dataplane.hasSession(id)) {
            final var lighter = dataplane.lighterNode();
            if (lighter.isPresent()) {
                // Full: tell the client where to go instead (it has not logged in here, so it may), with a
                // credential to log in there with: the password goes to the node the user configured only.
                dataplane.nodes().forEach(link::send);
                final var onward = dataplane.gatekeeper().resumption().issue(login.name(), id, credential,
                    resumeUntil);
                if (onward != null) {
                    link.send(onward);
                }
                session.refuse(0, Error.MOVED, lighter.orElseThrow());
                return;
            }
        }
        Audit.login(login.name(), id, method, link.transport(), link.remote());
        dataplane.gatekeeper().admitted();
        if ((hello.flags() & Message.Hello.TICKET) != 0) {
            final var ticket = dataplane.gatekeeper().tickets().issue(login.name(), id, credential, resumeUntil);
            if (ticket.isEmpty()) {
                session.refuse(0, Error.LIMIT, "too many tickets are waiting, for user " + login.name()
                    + " or on this server; try again");
            } else {
                link.sendAndClose(ticket.orElseThrow());
            }
            return;
        }
        resume = resumeUntil == 0 ? null
            : dataplane.gatekeeper().resumption().issue(login.name(), id, credential, resumeUntil);
        session.open(id, login.name(), (hello.flags() & Message.Hello.OFFLOAD) != 0 && link.carriesOffload(),
            credential);
    }
}
