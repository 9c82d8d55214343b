/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.api;

import static java.util.Objects.requireNonNull;

import java.util.Objects;

/**
 * What a client proved when it logged in, kept with its session (and with a ticket, whose session inherits it), so
 * that changing or removing that credential ends the session: a password session ends when the user's password
 * hash changes, a certificate session when the certificate's fingerprint leaves the user's list, any session when
 * the user is disabled or deleted.
 *
 * @param kind how the client authenticated
 * @param proof for a password, the password hash the user had when the password was checked (the password itself
 *     is never kept); for a certificate, its SHA-256 fingerprint
 */
public record Credential(Kind kind, String proof) {
    /**
     * How a client authenticated. A ticket is not a kind of its own: it carries the credential that got it.
     */
    public enum Kind {
        PASSWORD,
        CERTIFICATE
    }

    public Credential {
        requireNonNull(kind);
    }

    public static Credential password(final String hash) {
        return new Credential(Kind.PASSWORD, hash);
    }

    public static Credential certificate(final String fingerprint) {
        return new Credential(Kind.CERTIFICATE, fingerprint);
    }

    /**
     * Whether a session opened with this credential may stay open for the user as it is now.
     *
     * @param user the user's current entry, or null when the user is gone
     */
    public boolean holdsFor(final UserInfo user) {
        if (user == null || !user.enabled() || proof == null) {
            return false;
        }
        return switch (kind) {
            case PASSWORD -> Objects.equals(proof, user.passwordHash());
            case CERTIFICATE -> user.certificates().contains(proof);
        };
    }

    @Override
    public String toString() {
        // never the hash
        return kind == Kind.PASSWORD ? "password" : "certificate " + proof;
    }
}
