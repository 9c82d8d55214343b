/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.bridge;

import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;

/**
 * Where a node finds its interfaces: whether one is there and up, and a way to open it.
 */
public interface Wires {
    /**
     * What a node sees of an interface.
     *
     * @param index its ifindex, which changes when it is deleted and made again (0 when missing)
     */
    record Presence(boolean exists, boolean up, int index) {
        public static final Presence MISSING = new Presence(false, false, 0);
    }

    Presence presence(String iface);

    /**
     * Opens an interface for frames of every protocol, as they come from the wire (not what the node itself sends
     * on it).
     */
    Wire open(String iface, ByteBufAllocator alloc) throws IOException;
}
