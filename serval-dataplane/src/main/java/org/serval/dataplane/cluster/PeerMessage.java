/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.cluster;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;
import org.serval.dataplane.ethernet.Offload;

/**
 * One message on a link between two nodes (docs/protocol.md, "Node links"). VLANs are numbered per sender: an
 * INTEREST names a VLAN and gives its number, which the sender's LEARN and FRAME messages then carry.
 */
public sealed interface PeerMessage permits PeerMessage.Hello, PeerMessage.Interest, PeerMessage.Learn,
        PeerMessage.Frame, PeerMessage.Ping {
    /**
     * The node link version this node speaks: 2 added FRAME_OFFLOAD, which goes only to a node whose HELLO says 2
     * or more; a node of version 1 gets the segments of an offloaded super-frame instead.
     */
    int VERSION = 2;
    /**
     * The first version whose nodes take FRAME_OFFLOAD.
     */
    int OFFLOAD_VERSION = 2;

    int type();

    /**
     * The first message each way: who the sender is. Over TLS its certificate must be the one the node list
     * gives for that id.
     */
    record Hello(int version, String nodeId) implements PeerMessage {
        public Hello {
            requireNonNull(nodeId);
        }

        @Override
        public int type() {
            return 1;
        }
    }

    /**
     * The sender has members of a VLAN (on) or no longer has (off): only interested nodes get its frames.
     */
    record Interest(int vlanRef, boolean on, String vlan) implements PeerMessage {
        public Interest {
            requireNonNull(vlan);
        }

        @Override
        public int type() {
            return 2;
        }
    }

    /**
     * A client of the sender's joined a VLAN with this MAC: frames to it go to the sender from now on.
     */
    record Learn(int vlanRef, long mac) implements PeerMessage {
        @Override
        public int type() {
            return 3;
        }
    }

    /**
     * An Ethernet frame in a VLAN, from one of the sender's clients (FRAME), or with its offload header a TCP
     * super-frame or a frame whose checksum is still to be completed (FRAME_OFFLOAD, version 2).
     */
    final class Frame extends DefaultByteBufHolder implements PeerMessage {
        private final int vlanRef;
        private final Offload offload;

        public Frame(final int vlanRef, final ByteBuf frame) {
            this(vlanRef, frame, null);
        }

        /**
         * A frame with its offload header, or none (null).
         */
        public Frame(final int vlanRef, final ByteBuf frame, final Offload offload) {
            super(frame);
            this.vlanRef = vlanRef;
            this.offload = offload;
        }

        public int vlanRef() {
            return vlanRef;
        }

        /**
         * The offload header, or null for a plain frame.
         */
        public Offload offload() {
            return offload;
        }

        @Override
        public int type() {
            return offload == null ? 4 : 6;
        }

        @Override
        public Frame replace(final ByteBuf content) {
            return new Frame(vlanRef, content, offload);
        }

        @Override
        public String toString() {
            return "Frame[vlanRef=" + vlanRef + ", " + content().readableBytes() + " bytes"
                + (offload == null ? "" : ", " + offload) + "]";
        }
    }

    /**
     * Sent when a link has been quiet for a while, so that silence means the other node is gone.
     */
    record Ping() implements PeerMessage {
        @Override
        public int type() {
            return 5;
        }
    }
}
