/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.multicast;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.serval.dataplane.Bounds;

/**
 * Reads and writes the DNS messages of multicast DNS (RFC 1035 4.1, RFC 6762 18) as far as the switch's answer cache
 * needs them. A read checks every length and count against the message before it looks, follows a name's
 * compression pointers only backwards and at most {@link Bounds#DNS_NAME_POINTERS} of them, keeps names within 255
 * bytes, and answers null for anything it does not fully understand: a malformed message is never half-read.
 *
 * <p>Names are kept uncompressed (wire form, with the final zero byte), also inside the data of the record types
 * that carry names (PTR, CNAME, NS, SRV, MX, NSEC), so that a record can be written into another message. Records
 * of the older types whose data may hold compressed names the switch does not expand (SOA, MINFO, RP, ...) are read
 * but marked not cacheable.
 */
final class MdnsMessages {
    static final int TYPE_A = 1;
    static final int TYPE_PTR = 12;
    static final int TYPE_TXT = 16;
    static final int TYPE_AAAA = 28;
    static final int TYPE_SRV = 33;
    static final int TYPE_ANY = 255;
    static final int CLASS_IN = 1;
    static final int HEADER = 12;

    private static final int TYPE_NS = 2;
    private static final int TYPE_CNAME = 5;
    private static final int TYPE_MX = 15;
    private static final int TYPE_NSEC = 47;
    // RFC 3597 4: types whose data may hold compressed names and that this reader does not expand.
    private static final int[] OPAQUE_NAME_TYPES = {3, 4, 6, 7, 8, 9, 14, 17, 18, 21, 26, 30, 36};
    private static final int FLAG_RESPONSE = 0x8000;
    private static final int FLAG_TRUNCATED = 0x0200;
    private static final int OPCODE_MASK = 0x7800;
    private static final int MAX_NAME = 255;
    private static final int MAX_LABEL = 63;
    // What readData answers for data that does not fill its length exactly (compared by identity).
    private static final byte[] REFUSED = new byte[0];

    private MdnsMessages() {
        // static only
    }

    /**
     * A domain name in wire form, compared without regard to ASCII case (RFC 6762 16).
     *
     * @param wire labels with their lengths and the final 0, no pointers
     * @param key the wire form with ASCII letters in lower case, for comparing
     */
    record Name(byte[] wire, String key) {
        static Name of(final byte[] wire) {
            final var lower = wire.clone();
            for (int i = 0; i < lower.length; i++) {
                if (lower[i] >= 'A' && lower[i] <= 'Z') {
                    lower[i] = (byte) (lower[i] + ('a' - 'A'));
                }
            }
            return new Name(wire, new String(lower, StandardCharsets.ISO_8859_1));
        }

        /**
         * A name from its dotted text form (labels without dots, for tests and benchmarks).
         */
        static Name parse(final String dotted) {
            final var out = new byte[dotted.length() + 2];
            int at = 0;
            for (var label : dotted.split("\\.")) {
                final var bytes = label.getBytes(StandardCharsets.UTF_8);
                out[at++] = (byte) bytes.length;
                System.arraycopy(bytes, 0, out, at, bytes.length);
                at += bytes.length;
            }
            out[at++] = 0;
            return of(Arrays.copyOf(out, at));
        }

        @Override
        public boolean equals(final Object obj) {
            return obj instanceof Name other && key.equals(other.key);
        }

        @Override
        public int hashCode() {
            return key.hashCode();
        }

        @Override
        public String toString() {
            final var text = new StringBuilder();
            for (int at = 0; wire[at] != 0; at += 1 + wire[at]) {
                text.append(new String(wire, at + 1, wire[at], StandardCharsets.UTF_8)).append('.');
            }
            return text.toString();
        }
    }

    /**
     * A question.
     *
     * @param unicast the QU bit (RFC 6762 5.4): the querier accepts a unicast response
     */
    record Question(Name name, int type, int qclass, boolean unicast) {
    }

    /**
     * A resource record.
     *
     * @param rclass its class without the cache-flush bit
     * @param flush the cache-flush bit (RFC 6762 10.2): the record replaces the others of its name, type and class
     * @param ttl seconds, unsigned
     * @param data its data, names expanded
     * @param cacheable false for a type whose data may hold compressed names this reader leaves as they are
     */
    record Record(Name name, int type, int rclass, boolean flush, long ttl, byte[] data, boolean cacheable) {
        boolean sameData(final Record other) {
            return type == other.type && rclass == other.rclass && name.equals(other.name)
                && Arrays.equals(data, other.data);
        }

        /**
         * The bytes it takes in a message, written by {@link #writeRecord}.
         */
        int size() {
            return name.wire().length + 10 + data.length;
        }
    }

    /**
     * A message.
     *
     * @param authorities how many authority records it has (a probe has some, RFC 6762 8.2)
     * @param answers its answers: a response's records, or a query's known answers (RFC 6762 7.1)
     */
    record Message(int id, int flags, List<Question> questions, List<Record> answers, int authorities,
            List<Record> additionals) {
        boolean isResponse() {
            return (flags & FLAG_RESPONSE) != 0;
        }

        boolean isTruncated() {
            return (flags & FLAG_TRUNCATED) != 0;
        }

        /**
         * A standard query or response (opcode 0, RFC 6762 18.3) with response code 0.
         */
        boolean isStandard() {
            return (flags & OPCODE_MASK) == 0 && (flags & 0x000F) == 0;
        }
    }

    /**
     * Parses the DNS message in {@code [from, end)} of a buffer, or returns null when it is malformed or larger than
     * the bounds ({@link Bounds#MDNS_RECORDS_PER_MESSAGE}).
     */
    static Message parse(final ByteBuf buf, final int from, final int end) {
        if (from < 0 || end > buf.writerIndex() || end - from < HEADER) {
            return null;
        }
        final int id = buf.getUnsignedShort(from);
        final int flags = buf.getUnsignedShort(from + 2);
        final int qdCount = buf.getUnsignedShort(from + 4);
        final int anCount = buf.getUnsignedShort(from + 6);
        final int nsCount = buf.getUnsignedShort(from + 8);
        final int arCount = buf.getUnsignedShort(from + 10);
        if (qdCount + anCount + nsCount + arCount > Bounds.MDNS_RECORDS_PER_MESSAGE) {
            return null;
        }
        final int[] at = {from + HEADER};
        final var questions = new ArrayList<Question>(qdCount);
        for (int i = 0; i < qdCount; i++) {
            final var name = readName(buf, at, from, end);
            if (name == null || at[0] + 4 > end) {
                return null;
            }
            final int qclass = buf.getUnsignedShort(at[0] + 2);
            questions.add(new Question(name, buf.getUnsignedShort(at[0]), qclass & 0x7FFF, (qclass & 0x8000) != 0));
            at[0] += 4;
        }
        final var answers = readRecords(buf, at, from, end, anCount);
        final var authorities = answers == null ? null : readRecords(buf, at, from, end, nsCount);
        final var additionals = authorities == null ? null : readRecords(buf, at, from, end, arCount);
        if (additionals == null) {
            return null;
        }
        return new Message(id, flags, questions, answers, nsCount, additionals);
    }

    private static List<Record> readRecords(final ByteBuf buf, final int[] at, final int from, final int end,
            final int count) {
        final var records = new ArrayList<Record>(count);
        for (int i = 0; i < count; i++) {
            final var name = readName(buf, at, from, end);
            if (name == null || at[0] + 10 > end) {
                return null;
            }
            final int type = buf.getUnsignedShort(at[0]);
            final int rclass = buf.getUnsignedShort(at[0] + 2);
            final long ttl = buf.getUnsignedInt(at[0] + 4);
            final int length = buf.getUnsignedShort(at[0] + 8);
            final int data = at[0] + 10;
            if (data + length > end) {
                return null;
            }
            final var expanded = readData(buf, type, data, length, from, end);
            if (expanded == REFUSED) {
                return null;
            }
            final boolean cacheable = Arrays.stream(OPAQUE_NAME_TYPES).noneMatch(opaque -> opaque == type);
            records.add(new Record(name, type, rclass & 0x7FFF, (rclass & 0x8000) != 0, ttl, expanded, cacheable));
            at[0] = data + length;
        }
        return records;
    }

    // A record's data with the names in it expanded, or REFUSED when it does not fill its length exactly.
    private static byte[] readData(final ByteBuf buf, final int type, final int data, final int length,
            final int from, final int end) {
        final int prefix = switch (type) {
            case TYPE_PTR, TYPE_CNAME, TYPE_NS, TYPE_NSEC -> 0;
            case TYPE_MX -> 2;
            case TYPE_SRV -> 6;
            default -> -1;
        };
        if (prefix < 0) {
            final var raw = new byte[length];
            buf.getBytes(data, raw);
            return raw;
        }
        if (length < prefix + 1) {
            return REFUSED;
        }
        final int[] at = {data + prefix};
        final var name = readName(buf, at, from, data + length);
        if (name == null || type != TYPE_NSEC && at[0] != data + length) {
            return REFUSED;
        }
        final int rest = data + length - at[0];
        final var out = new byte[prefix + name.wire().length + rest];
        buf.getBytes(data, out, 0, prefix);
        System.arraycopy(name.wire(), 0, out, prefix, name.wire().length);
        buf.getBytes(at[0], out, prefix + name.wire().length, rest);
        return out;
    }

    /**
     * Reads a name at {@code at[0]} and moves {@code at[0]} past it (past its first pointer, if it has one).
     *
     * @param from the message's start, which pointers count from
     * @param end where the name must end by (pointers may lead anywhere before)
     */
    static Name readName(final ByteBuf buf, final int[] at, final int from, final int end) {
        final var wire = new byte[MAX_NAME];
        int length = 0;
        int position = at[0];
        int after = -1;
        int pointers = 0;
        // Each pointer must lead before the last one's target: the walk cannot come back to where it was.
        int floor = Integer.MAX_VALUE;
        while (true) {
            if (position >= end) {
                return null;
            }
            final int label = buf.getUnsignedByte(position);
            if ((label & 0xC0) == 0xC0) {
                if (position + 1 >= end || ++pointers > Bounds.DNS_NAME_POINTERS) {
                    return null;
                }
                final int target = from + ((label & 0x3F) << 8 | buf.getUnsignedByte(position + 1));
                if (after < 0) {
                    after = position + 2;
                }
                // Only backwards, to an earlier label: a pointer to itself or ahead could loop.
                if (target >= Math.min(position, floor)) {
                    return null;
                }
                floor = target;
                position = target;
                continue;
            }
            if (label > MAX_LABEL) {
                // 0x40 and 0x80: extended and reserved label types
                return null;
            }
            if (length + 1 + label > MAX_NAME || position + 1 + label > end) {
                return null;
            }
            wire[length++] = (byte) label;
            if (label == 0) {
                break;
            }
            buf.getBytes(position + 1, wire, length, label);
            length += label;
            position += 1 + label;
        }
        at[0] = after >= 0 ? after : position + 1;
        return Name.of(Arrays.copyOf(wire, length));
    }

    /**
     * Writes a record, uncompressed, with the given TTL.
     */
    static void writeRecord(final ByteBuf out, final Record record, final long ttl) {
        out.writeBytes(record.name().wire());
        out.writeShort(record.type()).writeShort(record.rclass() | (record.flush() ? 0x8000 : 0))
            .writeInt((int) ttl).writeShort(record.data().length).writeBytes(record.data());
    }
}
