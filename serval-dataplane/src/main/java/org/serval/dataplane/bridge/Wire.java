/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.bridge;

import io.netty.buffer.ByteBuf;
import java.io.Closeable;
import java.io.IOException;
import java.util.Set;
import org.serval.dataplane.ethernet.Offload;

/**
 * An open interface: Ethernet frames in and out ({@link PacketSocket} on Linux; a queue in tests). Reads on one
 * thread, writes on another.
 */
public interface Wire extends Closeable {
    /**
     * A frame read from the interface.
     *
     * @param frame the frame, or null when it did not fit ({@code truncated})
     * @param tci the 802.1Q tag control information the kernel took off the frame, or -1 when it came untagged (a
     *     tag may then still be in the frame itself)
     * @param offload what the kernel left undone (checksum, segmentation), or null
     * @param truncated whether the frame was longer than the read buffer
     */
    record Received(ByteBuf frame, int tci, Offload offload, boolean truncated) {
        public static final int NO_TAG = -1;
    }

    /**
     * Reads one frame, waiting a short while ({@link org.serval.dataplane.Bounds#BRIDGE_WAKE_MILLIS}) at most.
     *
     * @return the frame, or null when nothing came meanwhile
     * @throws IOException when the interface cannot be read any more (it went away)
     */
    Received receive() throws IOException;

    /**
     * Writes one frame, inserting an 802.1Q tag with {@code vid} after its MACs when {@code vid} is positive. The
     * caller keeps its reference.
     *
     * @return false when the kernel refused the frame (too long for the interface, no buffer space, link down)
     */
    boolean send(ByteBuf frame, int vid) throws IOException;

    /**
     * Tells the interface which frames its ports take, so that it may leave the others in the kernel: the vids
     * carried, 0 standing for untagged frames. Frames outside the set may still come; the caller sorts them.
     */
    default void carry(final Set<Integer> vids) {
        // nothing to narrow by default
    }

    @Override
    void close();
}
