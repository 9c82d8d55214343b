/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.client.control;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.AclEntry;
import java.nio.file.attribute.AclEntryPermission;
import java.nio.file.attribute.AclEntryType;
import java.nio.file.attribute.AclFileAttributeView;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control socket's permissions where files have ACLs instead of a mode (Windows, whose AF_UNIX sockets are
 * files too): the owner, the Administrators group and the group {@code serval} when it exists, nobody else; the
 * ACL replaces the one the socket inherited from its directory. Not yet run on a real Windows machine.
 */
final class SocketAcl {
    /** The local Administrators group (BUILTIN), by the name Windows resolves on English systems. */
    static final String ADMINISTRATORS = "Administrators";

    private static final Logger LOG = LoggerFactory.getLogger(SocketAcl.class);
    // What a member of the group needs to connect and talk: read and write the socket, see its attributes.
    private static final Set<AclEntryPermission> USE = EnumSet.of(AclEntryPermission.READ_DATA,
        AclEntryPermission.WRITE_DATA, AclEntryPermission.APPEND_DATA, AclEntryPermission.READ_ATTRIBUTES,
        AclEntryPermission.READ_NAMED_ATTRS, AclEntryPermission.READ_ACL, AclEntryPermission.SYNCHRONIZE);

    private SocketAcl() {
        // static only
    }

    /**
     * Replaces the socket's ACL.
     *
     * @throws IOException when the file system has no ACLs either, or refuses the change
     */
    static void restrict(final Path socket, final String group) throws IOException {
        final var view = Files.getFileAttributeView(socket, AclFileAttributeView.class);
        if (view == null) {
            throw new IOException("cannot restrict who may use " + socket + ": its file system has neither POSIX "
                + "permissions nor ACLs");
        }
        final var lookup = socket.getFileSystem().getUserPrincipalLookupService();
        final List<UserPrincipal> groups = new ArrayList<>();
        for (var name : List.of(ADMINISTRATORS, group)) {
            try {
                groups.add(lookup.lookupPrincipalByGroupName(name));
            } catch (UserPrincipalNotFoundException e) {
                LOG.debug("No group {}: not given access to the control socket", name);
            }
        }
        view.setAcl(entries(view.getOwner(), groups));
    }

    /**
     * The ACL: everything for the owner, use of the socket for each group.
     */
    static List<AclEntry> entries(final UserPrincipal owner, final List<UserPrincipal> groups) {
        final List<AclEntry> acl = new ArrayList<>();
        acl.add(AclEntry.newBuilder().setType(AclEntryType.ALLOW).setPrincipal(owner)
            .setPermissions(EnumSet.allOf(AclEntryPermission.class)).build());
        for (var group : groups) {
            acl.add(AclEntry.newBuilder().setType(AclEntryType.ALLOW).setPrincipal(group).setPermissions(USE).build());
        }
        return acl;
    }
}
