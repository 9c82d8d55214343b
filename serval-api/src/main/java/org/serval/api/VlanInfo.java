/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.api;

import static java.util.Objects.requireNonNull;

/**
 * The configuration of one VLAN as the dataplane and get-vlans see it.
 *
 * @param name the VLAN's name, its key
 * @param vid the 802.1Q VLAN id, or {@link #NO_VID} when the VLAN is not bridged
 * @param description free text, never null
 * @param maxMembers the most clients that may be members at once
 * @param open whether every authenticated user may join
 * @param owner the user that created it, or null
 * @param flood its storm control
 * @param chatter what its switch does with the chatty protocols (mDNS, SSDP, ...)
 */
public record VlanInfo(String name, int vid, String description, int maxMembers, boolean open, String owner,
        FloodPolicy flood, ChatterPolicy chatter) {
    public static final int NO_VID = 0;
    public static final int MIN_VID = 1;
    public static final int MAX_VID = 4094;
    public static final int DEFAULT_MAX_MEMBERS = 256;

    public VlanInfo {
        requireNonNull(name);
        requireNonNull(description);
        requireNonNull(flood);
        requireNonNull(chatter);
        if (vid != NO_VID && (vid < MIN_VID || vid > MAX_VID)) {
            throw new IllegalArgumentException("vid " + vid + " is outside " + MIN_VID + ".." + MAX_VID);
        }
        if (maxMembers < 1) {
            throw new IllegalArgumentException("max-members must be at least 1, not " + maxMembers);
        }
    }

    /**
     * A VLAN with the default chatter policy.
     */
    public VlanInfo(final String name, final int vid, final String description, final int maxMembers,
            final boolean open, final String owner, final FloodPolicy flood) {
        this(name, vid, description, maxMembers, open, owner, flood, ChatterPolicy.DEFAULT);
    }

    /**
     * A VLAN with the default storm control.
     */
    public VlanInfo(final String name, final int vid, final String description, final int maxMembers,
            final boolean open, final String owner) {
        this(name, vid, description, maxMembers, open, owner, FloodPolicy.DEFAULT);
    }

    public boolean hasVid() {
        return vid != NO_VID;
    }
}
