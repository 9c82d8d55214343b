/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.ethernet;

import io.netty.buffer.ByteBuf;

/**
 * Ethernet MAC addresses as the low 48 bits of a long, the form the switch, address resolution and the sessions
 * share.
 */
public final class Macs {
    public static final long BROADCAST = 0xFFFFFFFFFFFFL;

    private Macs() {
        // static only
    }

    /**
     * Reads the address at an absolute index, leaving the buffer's indexes alone.
     */
    public static long read(final ByteBuf frame, final int index) {
        return (long) frame.getUnsignedShort(index) << 32 | frame.getUnsignedInt(index + 2);
    }

    /**
     * The I/G bit, the least significant bit of the first octet: broadcast and multicast addresses.
     */
    public static boolean isGroup(final long mac) {
        return (mac >>> 40 & 1) != 0;
    }

    /**
     * An address one interface may own: not a group address, not all zeros.
     */
    public static boolean isUnicast(final long mac) {
        return mac != 0 && !isGroup(mac);
    }
}
