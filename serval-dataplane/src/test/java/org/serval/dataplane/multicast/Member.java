/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.multicast;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
import org.serval.dataplane.switching.SwitchPort;

/**
 * A member of a test's switch that keeps what it is sent (copies) and releases the frames, as a session's write
 * would; {@code node} makes it another node's port.
 */
final class Member implements SwitchPort {
    final String name;
    final long mac;
    final int ip;
    final boolean node;
    final List<byte[]> received = new ArrayList<>();

    Member(final String name, final long mac, final int ip, final boolean node) {
        this.name = name;
        this.mac = mac;
        this.ip = ip;
        this.node = node;
    }

    @Override
    public boolean isRemote() {
        return node;
    }

    @Override
    public void deliver(final ByteBuf frame) {
        try {
            final var bytes = new byte[frame.readableBytes()];
            frame.getBytes(frame.readerIndex(), bytes);
            received.add(bytes);
        } finally {
            frame.release();
        }
    }

    @Override
    public String owner() {
        return name;
    }

    int count() {
        return received.size();
    }
}
