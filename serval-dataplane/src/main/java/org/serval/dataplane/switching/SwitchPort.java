/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.switching;

import io.netty.buffer.ByteBuf;
import org.serval.dataplane.ethernet.Offload;
import org.serval.dataplane.ethernet.Segmenter;

/**
 * A member's attachment to one VLAN: where the switch sends the frames for it. Implemented by a client session
 * (one port per joined VLAN) and by the link to another node that has members of the VLAN.
 */
public interface SwitchPort {
    /**
     * Takes one reference to a frame and sends it, or drops it and counts the drop when the member cannot keep up
     * (its channel is not writable). Either way the reference is consumed: released now or by the write.
     */
    void deliver(ByteBuf frame);

    /**
     * Delivers a frame with its offload header (null for none). A port that cannot pass the header on gets the
     * plain frames it stands for, cut and checksummed in software; a frame that is not what its header says is
     * dropped.
     *
     * @return false when the frame was dropped as malformed
     */
    default boolean deliver(final ByteBuf frame, final Offload offload) {
        if (offload == null) {
            deliver(frame);
            return true;
        }
        return Segmenter.resolve(frame.alloc(), frame, offload, this::deliver);
    }

    /**
     * The client this port belongs to, for logs and counters.
     */
    String owner();

    /**
     * Storm control for unknown unicast: asked by the switch before it floods a unicast frame from this port whose
     * destination it has not learned. A client's port holds it to the VLAN's flood rate; a link to another node
     * says yes, since the node the frame came from has held its client to that rate already.
     *
     * @return false to drop the frame instead
     */
    default boolean mayFloodUnknown(final long nowNanos) {
        return true;
    }

    /**
     * Whether this port leads to another node rather than a client. The nodes of a cluster are fully meshed, so a
     * frame that came from another node goes to local members only (split horizon): never on to a third node, and
     * never back.
     */
    default boolean isRemote() {
        return false;
    }
}
