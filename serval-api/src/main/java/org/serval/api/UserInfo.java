/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.api;

import static java.util.Objects.requireNonNull;

import java.util.Set;

/**
 * One SERVAL user as the dataplane and the RPCs see it.
 *
 * @param name the user's name
 * @param passwordHash a {@link PasswordHash}, or null when the user has no password
 * @param enabled false refuses every login (a revoked user)
 * @param groups the groups the user belongs to
 * @param maxClients the most clients the user may have connected at once
 * @param maxVlans the most VLANs the user may own
 * @param certificates SHA-256 fingerprints of client certificates that log in as this user (lower-case hex)
 */
public record UserInfo(String name, String passwordHash, boolean enabled, Set<String> groups, int maxClients,
        int maxVlans, Set<String> certificates) {
    public static final int DEFAULT_MAX_CLIENTS = 8;
    public static final int DEFAULT_MAX_VLANS = 16;

    public UserInfo {
        requireNonNull(name);
        groups = Set.copyOf(groups);
        certificates = Set.copyOf(certificates);
    }

    @Override
    public String toString() {
        // never the hash, not even in a debug log
        return "UserInfo[" + name + (enabled ? "" : ", disabled") + ", groups " + groups + "]";
    }
}
