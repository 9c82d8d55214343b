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
 * Storm control for one VLAN, the YANG flood-policy: what the switch does with broadcast and with multicast frames
 * from each member.
 *
 * @param ratePerSecond the per-member limit for {@link Action#RATE_LIMIT}, frames per second
 */
public record FloodPolicy(Action broadcast, Action multicast, int ratePerSecond) {
    /**
     * The model's defaults: both rate-limited to 1000 frames per second per member, far above what discovery
     * protocols send and far below what hurts the other members.
     */
    public static final FloodPolicy DEFAULT = new FloodPolicy(Action.RATE_LIMIT, Action.RATE_LIMIT, 1000);

    public enum Action {
        FORWARD, RATE_LIMIT, DROP
    }

    public FloodPolicy {
        requireNonNull(broadcast);
        requireNonNull(multicast);
        if (ratePerSecond < 1) {
            throw new IllegalArgumentException("a rate limit is at least 1 frame per second");
        }
    }
}
