/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.session;

import org.serval.api.FloodPolicy;

/**
 * Storm control for one member of one VLAN, by the VLAN's flood policy: the frames the switch floods to every other
 * member (broadcast, multicast, and unicast to a MAC the VLAN's table does not know) are held to the policy's rate,
 * each kind by a token bucket of its own, so that a member that floods is held to its own rate and the others keep
 * their bandwidth. Unknown unicast has no action of its own in the model: it is rate-limited unless the policy
 * forwards broadcast freely (storm control off), and never dropped outright, since a frame to a host not yet
 * learned must still reach it.
 *
 * <p>On the member's session executor only (a bridged interface's: its reader thread).
 */
public final class StormControl {
    private final TokenBucket broadcasts = new TokenBucket(1);
    private final TokenBucket multicasts = new TokenBucket(1);
    private final TokenBucket unknownUnicasts = new TokenBucket(1);

    /**
     * Whether a frame to a group address may go on.
     */
    public boolean allowGroup(final FloodPolicy policy, final boolean broadcast, final long now) {
        final var action = broadcast ? policy.broadcast() : policy.multicast();
        return switch (action) {
            case FORWARD -> true;
            case DROP -> false;
            case RATE_LIMIT -> (broadcast ? broadcasts : multicasts).take(now, policy.ratePerSecond());
        };
    }

    /**
     * Whether a unicast frame to a MAC the switch does not know may be flooded.
     */
    public boolean allowUnknownUnicast(final FloodPolicy policy, final long now) {
        return policy.broadcast() == FloodPolicy.Action.FORWARD
            || unknownUnicasts.take(now, policy.ratePerSecond());
    }
}
