/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.protocol;

import java.util.ArrayList;
import java.util.List;
import org.serval.dataplane.protocol.Message.NodeEntry;
import org.serval.dataplane.protocol.Message.Nodes;

/**
 * A node list longer than one message (a dozen nodes with long host names outgrow 2,048 bytes) goes as several
 * NODES messages, its parts (docs/protocol.md, "Node lists in parts"): each part starts with a marker entry
 * (transport 0, empty node id, host and fingerprint; {@code port} the part's index from 0, {@code clients} the
 * number of parts, {@code cpu_percent} the list's serial number modulo 256, the same in all its parts), the first
 * part replaces the list the client had and each following one of the same list appends to it. A list
 * that fits one message goes as one, without a marker, as always. A client that does not know parts ignores the
 * markers (no transport it speaks) and keeps the last part, a shorter list of the same cluster.
 */
public final class NodeLists {
    /**
     * The transport of a marker entry: no transport at all.
     */
    public static final int MARKER_TRANSPORT = 0;

    private NodeLists() {
        // static only
    }

    /**
     * The messages that carry a node list: one when it fits, else parts with markers, each within
     * {@link MessageCodec#MAX_MESSAGE}. An entry that cannot fit any message (a string over 255 bytes) is left out.
     *
     * @param serial tells this list's parts from another's (the sender counts its lists); taken modulo 256
     */
    public static List<Nodes> split(final List<NodeEntry> entries, final int serial) {
        final var whole = new Nodes(entries);
        if (MessageCodec.encodedLength(whole) >= 0) {
            return List.of(whole);
        }
        final long room = MessageCodec.MAX_MESSAGE - MessageCodec.HEADER - 1
            - MessageCodec.encodedLength(marker(0, 0, 0));
        final var parts = new ArrayList<List<NodeEntry>>();
        var part = new ArrayList<NodeEntry>();
        long used = 0;
        for (var entry : entries) {
            final long length = MessageCodec.encodedLength(entry);
            if (length > room) {
                continue;
            }
            // the count is one byte, and the marker takes one of its 255
            if (used + length > room || part.size() == 254) {
                parts.add(part);
                part = new ArrayList<>();
                used = 0;
            }
            part.add(entry);
            used += length;
        }
        parts.add(part);
        final var messages = new ArrayList<Nodes>(parts.size());
        for (int i = 0; i < parts.size(); i++) {
            final var withMarker = new ArrayList<NodeEntry>(parts.get(i).size() + 1);
            withMarker.add(marker(i, parts.size(), serial & 0xFF));
            withMarker.addAll(parts.get(i));
            messages.add(new Nodes(withMarker));
        }
        return messages;
    }

    private static NodeEntry marker(final int index, final int count, final int serial) {
        return new NodeEntry("", MARKER_TRANSPORT, "", index, count, serial, "");
    }

    /**
     * Whether an entry is a part's marker rather than a node.
     */
    public static boolean isMarker(final NodeEntry entry) {
        return entry.transport() == MARKER_TRANSPORT && entry.nodeId().isEmpty();
    }

    /**
     * A client's end: puts the parts of a node list back together.
     */
    public static final class Assembler {
        private List<NodeEntry> list = List.of();
        // The index of the part that may follow, or -1 when the list is complete; and the list's serial.
        private int next = -1;
        private int serial = -1;

        /**
         * Takes one NODES message.
         *
         * @return the node list as assembled so far: the whole list once its last part is in
         */
        public synchronized List<NodeEntry> add(final Nodes message) {
            final var entries = message.nodes();
            if (entries.isEmpty() || !isMarker(entries.get(0))) {
                list = entries;
                next = -1;
                return list;
            }
            final var marker = entries.get(0);
            final int index = marker.port();
            final long count = marker.clients();
            final var nodes = entries.subList(1, entries.size());
            if (index == 0) {
                list = List.copyOf(nodes);
                serial = marker.cpuPercent();
            } else if (index == next && marker.cpuPercent() == serial) {
                final var longer = new ArrayList<>(list);
                longer.addAll(nodes);
                list = List.copyOf(longer);
            } else {
                // A part without the one before it of the same list (lost or reordered over UDP): the list stays
                // as it was until the next first part, rather than mixing two lists.
                return list;
            }
            next = index + 1 < count ? index + 1 : -1;
            return list;
        }
    }
}
