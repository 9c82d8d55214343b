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
}
