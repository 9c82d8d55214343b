/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.cluster;

import io.netty.buffer.ByteBuf;
import org.serval.dataplane.ethernet.Offload;
import org.serval.dataplane.switching.SwitchPort;

/**
 * Another node's port in one VLAN's switch: what the switch sends it goes on that node's {@link NodeLink}, tagged
 * with this node's number for the VLAN. An offloaded super-frame goes whole (FRAME_OFFLOAD) to a node that takes
 * offloads, and is cut into segments only for one that does not (or for the rare super-frame longer than a node
 * link message can carry), as a client's port does.
 */
final class NodePort implements SwitchPort {
    private final NodeLink link;
    private final int vlanRef;

    /**
     * A port towards a link.
     *
     * @param vlanRef this node's number for the VLAN, which its INTEREST gave the other node
     */
    NodePort(final NodeLink link, final int vlanRef) {
        this.link = link;
        this.vlanRef = vlanRef;
    }

    @Override
    public void deliver(final ByteBuf frame) {
        link.sendFrame(vlanRef, frame, null);
    }

    @Override
    public boolean deliver(final ByteBuf frame, final Offload offload) {
        if (offload == null || link.takesOffloads() && frame.readableBytes() <= PeerCodec.MAX_OFFLOAD_FRAME) {
            link.sendFrame(vlanRef, frame, offload);
            return true;
        }
        return SwitchPort.super.deliver(frame, offload);
    }

    @Override
    public String owner() {
        return "node " + link.peerId();
    }

    @Override
    public boolean isRemote() {
        return true;
    }
}
