/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A node-local, read-only view of the VLANs and of which clients are members of them.
 *
 * <p>The dataplane consults it on every frame, so every method answers from memory without touching the datastore
 * and without blocking. It is kept current by datastore change listeners and may trail a committed change by the
 * time the listener needs to run.
 */
public interface VlanDirectory {
    /**
     * What an administrator decided about a client and a VLAN (YANG membership-decision).
     */
    enum Decision {
        /** join-vlan: the client's node assigns it the VLAN after every login. */
        MEMBER,
        /** leave-vlan: the client's JOIN of the VLAN is refused until an administrator makes it a member again. */
        REMOVED
    }

    Optional<VlanInfo> vlan(String name);

    /**
     * Returns the VLAN that has a vid, if any.
     */
    Optional<VlanInfo> vlanByVid(int vid);

    /**
     * Returns the VLANs whose names start with a prefix, in name order.
     *
     * @param prefix the prefix; empty for all VLANs
     * @param limit the most VLANs to return
     */
    List<VlanInfo> vlans(String prefix, int limit);

    /**
     * Returns the VLANs whose names start with a prefix and come after a name, in name order: the next page of a
     * listing whose last page ended with {@code after}.
     *
     * @param after the last name seen, or null to start at the beginning
     */
    default List<VlanInfo> vlans(final String prefix, final String after, final int limit) {
        final var page = new ArrayList<VlanInfo>();
        for (var vlan : vlans(prefix, Integer.MAX_VALUE)) {
            if (page.size() >= limit) {
                break;
            }
            if (after == null || vlan.name().compareTo(after) > 0) {
                page.add(vlan);
            }
        }
        return page;
    }

    int vlanCount();

    /**
     * Returns how many clients are members of a VLAN; 0 for a VLAN that does not exist.
     */
    int memberCount(String vlan);

    /**
     * Returns whether a client is a member of a VLAN that exists.
     */
    boolean isMember(String clientId, String vlan);

    /**
     * Returns the clients that are members of an existing VLAN.
     */
    Set<String> members(String vlan);

    /**
     * Returns the members of an existing VLAN whose client ids come after a cursor, in client id order: a page of
     * LIST_MEMBERS.
     *
     * @param after the last client id of the page before, or "" for the first page
     * @param limit the most to return
     */
    default List<String> members(final String vlan, final String after, final int limit) {
        return members(vlan).stream().filter(id -> id.compareTo(after) > 0).sorted().limit(limit).toList();
    }

    /**
     * Returns the existing VLANs a client is a member of.
     */
    Set<String> vlansOf(String clientId);

    /**
     * Returns whether a client is in the registry of connected clients.
     */
    boolean isKnownClient(String clientId);

    /**
     * Returns whether a connected client is connected to a node.
     */
    boolean isOnNode(String clientId, String nodeId);

    /**
     * Returns the user a connected client authenticated as, if known.
     */
    Optional<String> userOf(String clientId);

    /**
     * Returns the connected clients of a user, on every node.
     */
    Set<String> clientsOf(String user);

    /**
     * Returns how many VLANs a user owns.
     */
    int vlansOwnedBy(String user);

    /**
     * Returns the node a connected client is connected to, if known.
     */
    default Optional<String> nodeOf(final String clientId) {
        return Optional.empty();
    }

    /**
     * Returns the MAC of a client's interface in a VLAN it is a member of, or -1 when not known.
     */
    default long macOf(final String clientId, final String vlan) {
        return -1;
    }

    /**
     * Returns whether a connected client follows the server's changes to its memberships (HELLO flag managed).
     */
    default boolean isManaged(final String clientId) {
        return false;
    }

    /**
     * Returns what an administrator decided about a client and an existing VLAN, or null when nothing.
     */
    default Decision decision(final String clientId, final String vlan) {
        return null;
    }

    /**
     * Returns a client's decisions in existing VLANs, by VLAN name.
     */
    default Map<String, Decision> decisionsOf(final String clientId) {
        return Map.of();
    }
}
