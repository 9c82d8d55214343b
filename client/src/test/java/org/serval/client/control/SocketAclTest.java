/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.client.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.attribute.AclEntryPermission;
import java.nio.file.attribute.AclEntryType;
import java.nio.file.attribute.UserPrincipal;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The control socket's ACL on Windows: the owner may do anything, the groups only use the socket, nobody else is
 * in it.
 */
class SocketAclTest {
    private record Principal(String getName) implements UserPrincipal {
    }

    @Test
    void ownerAndGroupsOnly() {
        final var owner = new Principal("alice");
        final var admins = new Principal("Administrators");
        final var serval = new Principal("serval");
        final var acl = SocketAcl.entries(owner, List.of(admins, serval));
        assertEquals(3, acl.size());
        assertEquals(owner, acl.get(0).principal());
        assertEquals(EnumSet.allOf(AclEntryPermission.class), acl.get(0).permissions());
        for (var entry : acl) {
            assertEquals(AclEntryType.ALLOW, entry.type());
        }
        for (var entry : acl.subList(1, 3)) {
            assertTrue(entry.permissions().containsAll(EnumSet.of(AclEntryPermission.READ_DATA,
                AclEntryPermission.WRITE_DATA)), entry.toString());
            assertFalse(entry.permissions().contains(AclEntryPermission.WRITE_ACL), "a group cannot give others in");
            assertFalse(entry.permissions().contains(AclEntryPermission.DELETE), entry.toString());
        }
        assertEquals(List.of(admins, serval), acl.subList(1, 3).stream().map(e -> e.principal()).toList());
    }
}
