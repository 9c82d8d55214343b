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
 * Services a switch runs for its VLAN before it forwards a member's frame: they may answer the frame themselves
 * (a DHCP server, router advertisements) or drop it (another member's DHCP server). Defined here and implemented
 * elsewhere (org.serval.dataplane.addressing), so that switching depends on nothing that depends on it.
 */
public interface FrameService {
    /**
     * What becomes of the frame.
     */
    enum Verdict {
        /** Not the filter's: the switch forwards it. */
        PASS,
        /** Answered or absorbed by the filter: not forwarded, not a drop. */
        CONSUMED,
        /** Refused: not forwarded, counted as a drop. */
        DROPPED
    }

    FrameService NONE = (vlanSwitch, from, frame, nowNanos) -> Verdict.PASS;

    /**
     * Looks at a frame a member sent, after the switch learned its source. Never releases the frame (the switch
     * does); an answer goes to {@code from.deliver} with a buffer of its own. Runs on the member's event loop:
     * never blocks.
     */
    Verdict inspect(VlanSwitch vlanSwitch, SwitchPort from, ByteBuf frame, long nowNanos);

    /**
     * A port joined the switch: a service that announces itself (router advertisements) tells it now rather
     * than at its next period.
     */
    default void attached(final VlanSwitch vlanSwitch, final SwitchPort port) {
        // nothing to announce
    }
}
