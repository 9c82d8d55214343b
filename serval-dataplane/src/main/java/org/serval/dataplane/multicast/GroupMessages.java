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
import org.serval.dataplane.Bounds;
import org.serval.dataplane.resolution.IpAddress;

/**
 * Reads IGMP (v1, v2, v3) and MLD (v1, v2) messages: queries, and the groups a report joins or leaves. Fails closed:
 * a message that is cut short, has a bad checksum or a record that runs past its end is {@link Kind#MALFORMED} as a
 * whole, and nothing of it is applied.
 */
final class GroupMessages {
    enum Kind {
        /** Not IGMP or MLD. */
        NONE,
        /** IGMP or MLD that cannot be read; to be dropped. */
        MALFORMED,
        /** A membership query. */
        QUERY,
        /** A report or leave, with its joins and leaves. */
        REPORT
    }

    /**
     * What one message says.
     *
     * @param joins the groups the sender is in now
     * @param leaves the groups the sender left
     */
    record Message(Kind kind, boolean v6, List<IpAddress> joins, List<IpAddress> leaves) {
        static final Message NONE = new Message(Kind.NONE, false, List.of(), List.of());
        static final Message MALFORMED = new Message(Kind.MALFORMED, false, List.of(), List.of());

        static Message query(final boolean v6) {
            return new Message(Kind.QUERY, v6, List.of(), List.of());
        }
    }

    static final int IGMP_QUERY = 0x11;
    static final int IGMP_V1_REPORT = 0x12;
    static final int IGMP_V2_REPORT = 0x16;
    static final int IGMP_LEAVE = 0x17;
    static final int IGMP_V3_REPORT = 0x22;
    static final int MLD_QUERY = 130;
    static final int MLD_V1_REPORT = 131;
    static final int MLD_DONE = 132;
    static final int MLD_V2_REPORT = 143;

    private static final int IGMP_MIN = 8;
    private static final int MLD_V1_LENGTH = 24;
    private static final int MLD_V2_HEADER = 8;
    private static final int MODE_IS_INCLUDE = 1;
    private static final int MODE_IS_EXCLUDE = 2;
    private static final int CHANGE_TO_INCLUDE = 3;
    private static final int CHANGE_TO_EXCLUDE = 4;
    private static final int ALLOW_NEW_SOURCES = 5;
    private static final int BLOCK_OLD_SOURCES = 6;

    private GroupMessages() {
        // static only
    }

    /**
     * Whether an ICMPv6 type is one of MLD's.
     */
    static boolean isMld(final int icmpType) {
        return icmpType == MLD_QUERY || icmpType == MLD_V1_REPORT || icmpType == MLD_DONE
            || icmpType == MLD_V2_REPORT;
    }

    /**
     * Reads an IGMP message, the payload of an IPv4 packet with protocol 2 from {@code at} to {@code end}.
     */
    static Message igmp(final ByteBuf frame, final int at, final int end) {
        final int length = end - at;
        if (length < IGMP_MIN || Checksums.sum(frame, at, length, 0) != 0xFFFF) {
            return Message.MALFORMED;
        }
        return switch (frame.getUnsignedByte(at)) {
            case IGMP_QUERY -> Message.query(false);
            case IGMP_V1_REPORT, IGMP_V2_REPORT -> single(false, v4(frame, at + 4), true);
            case IGMP_LEAVE -> single(false, v4(frame, at + 4), false);
            case IGMP_V3_REPORT -> records(frame, at + 8, end, frame.getUnsignedShort(at + 6), false);
            default -> Message.NONE;
        };
    }

    /**
     * Reads an MLD message, an ICMPv6 message from {@code at} to {@code end} in the IPv6 packet at {@code l3}.
     */
    static Message mld(final ByteBuf frame, final int l3, final int at, final int end) {
        final int length = end - at;
        if (length < MLD_V2_HEADER || Checksums.sum(frame, at, length, Checksums.ipv6Pseudo(frame, l3, length,
                ChattyProtocols.ICMPV6)) != 0xFFFF) {
            return Message.MALFORMED;
        }
        final int type = frame.getUnsignedByte(at);
        if (type == MLD_V2_REPORT) {
            return records(frame, at + MLD_V2_HEADER, end, frame.getUnsignedShort(at + 6), true);
        }
        if (length < MLD_V1_LENGTH) {
            return Message.MALFORMED;
        }
        return switch (type) {
            case MLD_QUERY -> Message.query(true);
            case MLD_V1_REPORT -> single(true, v6(frame, at + 8), true);
            case MLD_DONE -> single(true, v6(frame, at + 8), false);
            default -> Message.NONE;
        };
    }

    private static Message single(final boolean v6, final IpAddress group, final boolean join) {
        if (!isGroup(group)) {
            return Message.MALFORMED;
        }
        return new Message(Kind.REPORT, v6, join ? List.of(group) : List.of(), join ? List.of() : List.of(group));
    }

    private static Message records(final ByteBuf frame, final int first, final int end, final int count,
            final boolean v6) {
        if (count > Bounds.MULTICAST_RECORDS_PER_REPORT) {
            return Message.MALFORMED;
        }
        final int addressLength = v6 ? 16 : 4;
        final var joins = new ArrayList<IpAddress>();
        final var leaves = new ArrayList<IpAddress>();
        int at = first;
        for (int i = 0; i < count; i++) {
            if (end - at < 4 + addressLength) {
                return Message.MALFORMED;
            }
            final int type = frame.getUnsignedByte(at);
            final int auxWords = frame.getUnsignedByte(at + 1);
            final int sources = frame.getUnsignedShort(at + 2);
            final var group = v6 ? v6(frame, at + 4) : v4(frame, at + 4);
            final int next = at + 4 + addressLength + sources * addressLength + auxWords * 4;
            if (next > end || type < MODE_IS_INCLUDE || type > BLOCK_OLD_SOURCES || !isGroup(group)) {
                return Message.MALFORMED;
            }
            // Source filters are not kept: a member that wants any source of a group gets all of it, which errs
            // on delivering. Only "include nothing" is leaving.
            if (type == MODE_IS_EXCLUDE || type == CHANGE_TO_EXCLUDE
                    || (type == MODE_IS_INCLUDE || type == ALLOW_NEW_SOURCES) && sources > 0) {
                joins.add(group);
            } else if (type == CHANGE_TO_INCLUDE) {
                (sources > 0 ? joins : leaves).add(group);
            }
            at = next;
        }
        return new Message(Kind.REPORT, v6, joins, leaves);
    }

    static boolean isGroup(final IpAddress address) {
        return address.isV4() ? address.v4Bits() >>> 28 == 0xE : address.high() >>> 56 == 0xFF;
    }

    static IpAddress v4(final ByteBuf frame, final int at) {
        return IpAddress.v4(frame.getInt(at));
    }

    static IpAddress v6(final ByteBuf frame, final int at) {
        return IpAddress.v6(frame.getLong(at), frame.getLong(at + 8));
    }
}
