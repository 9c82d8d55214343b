/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.ethernet;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * Test frames with offloads.
 */
public final class SuperFrames {
    private SuperFrames() {
        // static only
    }

    /**
     * A TCP super-frame as a TAP with TSO hands it out: one IP header for all of the payload, the TCP checksum
     * field holding only the pseudo-header's sum.
     */
    public static ByteBuf tcp(final boolean v4, final byte[] payload, final int tcpFlags) {
        final var frame = Unpooled.buffer();
        frame.writeBytes(new byte[] {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1}).writeShort(v4 ? 0x0800 : 0x86DD);
        final int l3 = 14;
        final int tcpLength = 20 + payload.length;
        if (v4) {
            frame.writeByte(0x45).writeByte(0).writeShort(20 + tcpLength).writeShort(0x1234).writeShort(0x4000)
                .writeByte(64).writeByte(6).writeShort(0).writeInt(0x0AC90001).writeInt(0x0AC90002);
        } else {
            frame.writeInt(0x60000000).writeShort(tcpLength).writeByte(6).writeByte(64);
            frame.writeLong(0xFE80000000000000L).writeLong(1).writeLong(0xFE80000000000000L).writeLong(2);
        }
        final int l4 = frame.writerIndex();
        frame.writeShort(40000).writeShort(5201).writeInt(0xFFFFF000).writeInt(77).writeByte(5 << 4)
            .writeByte(tcpFlags).writeShort(512).writeShort(0).writeShort(0).writeBytes(payload);
        // the partial checksum: the pseudo-header's sum, folded, not complemented
        long pseudo = 6 + tcpLength;
        for (int at = v4 ? l3 + 12 : l3 + 8; at < l4; at += 2) {
            pseudo += frame.getUnsignedShort(at);
        }
        frame.setShort(l4 + 16, fold(pseudo));
        return frame;
    }

    static int fold(final long value) {
        long sum = value;
        while (sum >>> 16 != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) sum;
    }

}
