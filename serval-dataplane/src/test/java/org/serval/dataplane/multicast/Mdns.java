/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.multicast;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.serval.dataplane.resolution.IpAddress;

/**
 * mDNS messages as hosts send them, for tests: a builder of DNS messages (names written whole or as a pointer to
 * where they were written before, as avahi and mDNSResponder compress them) and their frames.
 */
public final class Mdns {
    public static final int PTR = 12;
    public static final int TXT = 16;
    public static final int SRV = 33;
    public static final int A = 1;
    public static final int ANY = 255;
    public static final int MDNS4 = 0xE00000FB;
    public static final IpAddress MDNS6 = new IpAddress(0xFF02_0000_0000_0000L, 0xFB);

    private final ByteBuf out = Unpooled.buffer();
    private int questions;
    private int answers;
    private int authorities;
    private int additionals;

    private Mdns(final int flags) {
        out.writeShort(0).writeShort(flags).writeZero(8);
    }

    public static Mdns query() {
        return new Mdns(0);
    }

    public static Mdns response() {
        return new Mdns(0x8400);
    }

    /**
     * Writes a dotted name whole; returns where it starts, for pointers to it.
     */
    public int name(final String dotted) {
        final int at = out.writerIndex();
        for (var label : dotted.split("\\.")) {
            final var bytes = label.getBytes(StandardCharsets.UTF_8);
            out.writeByte(bytes.length).writeBytes(bytes);
        }
        out.writeByte(0);
        return at;
    }

    /**
     * Writes one label and then a pointer to an earlier name (a name sharing that name's suffix).
     */
    public int labelThenPointer(final String label, final int target) {
        final int at = out.writerIndex();
        final var bytes = label.getBytes(StandardCharsets.UTF_8);
        out.writeByte(bytes.length).writeBytes(bytes).writeShort(0xC000 | target);
        return at;
    }

    public Mdns question(final String name, final int type, final boolean unicast) {
        name(name);
        out.writeShort(type).writeShort(1 | (unicast ? 0x8000 : 0));
        questions++;
        return this;
    }

    /**
     * A PTR record (a service type to an instance) in the answers, the instance name compressed against the type.
     */
    public Mdns ptr(final String type, final String instanceLabel, final long ttl) {
        final int owner = name(type);
        out.writeShort(PTR).writeShort(1).writeInt((int) ttl);
        final int length = out.writerIndex();
        out.writeShort(0);
        labelThenPointer(instanceLabel, owner);
        out.setShort(length, out.writerIndex() - length - 2);
        answers++;
        return this;
    }

    /**
     * A record with raw data in the answers, with or without the cache-flush bit.
     */
    public Mdns record(final String name, final int type, final boolean flush, final long ttl, final byte[] data) {
        name(name);
        out.writeShort(type).writeShort(1 | (flush ? 0x8000 : 0)).writeInt((int) ttl).writeShort(data.length)
            .writeBytes(data);
        answers++;
        return this;
    }

    /**
     * An authority record (a probe's proposed record).
     */
    public Mdns authority(final String name) {
        name(name);
        out.writeShort(A).writeShort(1).writeInt(120).writeShort(4).writeInt(0x0A000001);
        authorities++;
        return this;
    }

    /**
     * The message's bytes so far (counts filled in); the builder may go on.
     */
    public byte[] bytes() {
        out.setShort(4, questions).setShort(6, answers).setShort(8, authorities).setShort(10, additionals);
        final var bytes = new byte[out.readableBytes()];
        out.getBytes(0, bytes);
        return bytes;
    }

    public ByteBuf buffer() {
        return Unpooled.wrappedBuffer(bytes());
    }

    /**
     * The message in a frame to 224.0.0.251 from a source port.
     */
    public static ByteBuf frame4(final long mac, final int ip, final int sourcePort, final byte[] dns) {
        final var frame = Packets.udp4(mac, Packets.groupMac(MDNS4), ip, MDNS4, sourcePort, 5353, dns.length);
        frame.setBytes(14 + 20 + 8, dns);
        return frame;
    }

    /**
     * The message in a frame to ff02::fb from port 5353.
     */
    public static ByteBuf frame6(final long mac, final IpAddress ip, final byte[] dns) {
        final var frame = Packets.udp6(mac, ip, MDNS6, 5353, 5353, dns.length);
        frame.setBytes(14 + 40 + 8, dns);
        return frame;
    }
}
