/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.api;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A node's copy of the users and the access-control policy, kept current by the datastore listeners and read by
 * event loops without locks.
 */
public final class LocalSecurityView implements SecurityDirectory {
    private final ConcurrentHashMap<String, UserInfo> users = new ConcurrentHashMap<>();
    private volatile AccessPolicy policy = AccessPolicy.DEFAULT;

    @Override
    public Optional<UserInfo> user(final String name) {
        return name == null ? Optional.empty() : Optional.ofNullable(users.get(name));
    }

    @Override
    public AccessPolicy policy() {
        return policy;
    }

    public void putUser(final UserInfo user) {
        users.put(user.name(), user);
    }

    public void removeUser(final String name) {
        users.remove(name);
    }

    public void setPolicy(final AccessPolicy newPolicy) {
        policy = requireNonNull(newPolicy);
    }
}
