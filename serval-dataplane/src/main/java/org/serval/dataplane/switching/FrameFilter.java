/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.switching;

import io.netty.buffer.ByteBuf;

/**
 * What a {@link VlanSwitch} asks about each frame a member sends, beyond its MAC table: whether the frame may go on
 * at all (the VLAN's chatter policy) and, for a frame to a group address, which members it goes to (multicast
 * snooping). Implemented outside this package ({@code org.serval.dataplane.multicast}), so that the switch knows
 * nothing of IGMP, MLD or the chatty protocols.
 *
 * <p>Called on the sending member's executor, so concurrently for different senders.
 */
public interface FrameFilter {
    /**
     * The frame goes wherever the switch would send it without a filter.
     */
    Scope ALL = port -> true;

    /**
     * Decides about one frame, after the switch learned its source and before it forwards it. Does not take the
     * frame's reference and does not move its indices.
     *
     * @param toGroup whether the destination MAC is a group address (broadcast or multicast)
     * @return null to drop the frame (the filter counts why), {@link #ALL}, or for a frame to a group address the
     *     members it may reach (the switch still leaves out the sender and applies split horizon)
     */
    Scope admit(SwitchPort from, ByteBuf frame, boolean toGroup, long nowNanos);

    /**
     * A member left the switch; whatever the filter holds for it goes.
     */
    void detached(SwitchPort port);

    /**
     * The members one frame may reach.
     */
    @FunctionalInterface
    interface Scope {
        boolean includes(SwitchPort port);
    }
}
