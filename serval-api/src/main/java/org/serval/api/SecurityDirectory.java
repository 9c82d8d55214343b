/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.api;

import java.util.Optional;

/**
 * Users and access control as this node sees them, read without blocking by the dataplane and the RPCs.
 */
public interface SecurityDirectory {

    Optional<UserInfo> user(String name);

    AccessPolicy policy();

    /**
     * Decides whether a user, by name, may perform an operation on a VLAN; a user that does not exist may not.
     *
     * @see AccessPolicy#decide
     */
    default AccessPolicy.Decision decide(final String user, final AccessPolicy.Operation operation, final String vlan,
            final boolean open, final String owner) {
        final var info = user(user);
        return info.isEmpty() ? new AccessPolicy.Decision(false, "no such user")
            : policy().decide(info.orElseThrow(), operation, vlan, open, owner);
    }
}
