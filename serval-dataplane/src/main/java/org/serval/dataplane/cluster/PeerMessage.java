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

/**
 * One message on a link between two nodes (docs/protocol.md, "Node links"). VLANs are numbered per sender: an
 * INTEREST names a VLAN and gives its number, which the sender's LEARN and FRAME messages then carry.
 */
public sealed interface PeerMessage permits PeerMessage.Hello, PeerMessage.Interest, PeerMessage.Learn,
        PeerMessage.Frame, PeerMessage.Ping {
    int VERSION = 1;

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
     * An Ethernet frame in a VLAN, from one of the sender's clients.
     */
    final class Frame extends DefaultByteBufHolder implements PeerMessage {
        private final int vlanRef;

        public Frame(final int vlanRef, final ByteBuf frame) {
            super(frame);
            this.vlanRef = vlanRef;
        }

        public int vlanRef() {
            return vlanRef;
        }

        @Override
        public int type() {
            return 4;
        }

        @Override
        public Frame replace(final ByteBuf content) {
            return new Frame(vlanRef, content);
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
