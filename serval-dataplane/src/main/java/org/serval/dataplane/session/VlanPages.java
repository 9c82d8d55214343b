/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.session;

import java.util.ArrayList;
import java.util.function.Predicate;
import org.serval.api.VlanDirectory;
import org.serval.api.VlanInfo;
import org.serval.dataplane.protocol.Message;
import org.serval.dataplane.protocol.MessageCodec;

/**
 * The answer to LIST_VLANS, one page at a time (docs/protocol.md, "Paging"): as many VLANs as fit one message, in
 * name order, from after the request's cursor. A client that sends no cursor gets the first page, in the layout it
 * knows; one that does learns whether more follow and asks again from the last name it got.
 */
final class VlanPages {
    // VLANS without entries: header, req, count.
    private static final int EMPTY = MessageCodec.HEADER + 4 + 2;
    // The most entries a page could hold (one-byte names), and one more to learn whether more follow.
    private static final int LOOKAHEAD = (MessageCodec.MAX_MESSAGE - EMPTY) / 5 + 1;

    private VlanPages() {
        // static only
    }

    static Message.Vlans page(final VlanDirectory directory, final Message.ListVlans list) {
        return page(directory, list, vlan -> true);
    }

    /**
     * A page of the VLANs a user may see (docs/protocol.md: those it may join or has joined). Hidden VLANs are
     * skipped, not counted: a page is full or the last, never empty while visible VLANs follow.
     */
    static Message.Vlans page(final VlanDirectory directory, final Message.ListVlans list,
            final Predicate<VlanInfo> visible) {
        final boolean paged = list.paged();
        final long room = MessageCodec.MAX_MESSAGE - EMPTY - (paged ? 1 : 0);
        final var entries = new ArrayList<Message.VlanEntry>();
        long used = 0;
        boolean more = false;
        String cursor = list.after();
        scan:
        while (true) {
            final var batch = directory.vlans(list.prefix(), cursor, LOOKAHEAD);
            for (var vlan : batch) {
                cursor = vlan.name();
                if (!visible.test(vlan)) {
                    continue;
                }
                final var entry = new Message.VlanEntry(vlan.name(),
                    Math.min(directory.memberCount(vlan.name()), 65535), vlan.open());
                final long length = MessageCodec.encodedLength(entry);
                if (used + length > room) {
                    more = true;
                    break scan;
                }
                entries.add(entry);
                used += length;
            }
            if (batch.size() < LOOKAHEAD) {
                break;
            }
        }
        return new Message.Vlans(list.request(), entries, paged, paged && more);
    }
}
