/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.session;

import java.net.InetAddress;
import java.util.ArrayList;
import org.serval.api.VlanDirectory;
import org.serval.dataplane.protocol.Message;
import org.serval.dataplane.protocol.MessageCodec;
import org.serval.dataplane.resolution.IpAddress;
import org.serval.dataplane.switching.VlanSwitch;

/**
 * The answer to LIST_MEMBERS, one page at a time (docs/protocol.md): the members of a VLAN in client id order
 * from after the request's cursor, as many as fit one message, each with the addresses this node's switch has seen
 * its MAC use. Whether the asker may see the VLAN is the session's to decide before.
 */
final class MemberPages {
    // MEMBERS without entries: header, req, count, more.
    private static final int EMPTY = MessageCodec.HEADER + 4 + 2 + 1;
    // The smallest entry: one-byte client id, empty user and node, a MAC, no addresses.
    private static final int SMALLEST = 2 + 1 + 6 + 1 + 1;
    // The most entries a page could hold, and one more to learn whether more follow.
    private static final int LOOKAHEAD = (MessageCodec.MAX_MESSAGE - EMPTY) / SMALLEST + 1;

    private MemberPages() {
        // static only
    }

    /**
     * A page of a VLAN's members.
     *
     * @param vlanSwitch the VLAN's switch on this node, or null when it has none (no addresses known here)
     */
    static Message.Members page(final VlanDirectory directory, final VlanSwitch vlanSwitch,
            final Message.ListMembers list) {
        final long room = MessageCodec.MAX_MESSAGE - EMPTY;
        final var entries = new ArrayList<Message.MemberEntry>();
        long used = 0;
        boolean more = false;
        for (var clientId : directory.members(list.vlan(), list.after(), LOOKAHEAD)) {
            final long mac = Math.max(directory.macOf(clientId, list.vlan()), 0);
            final var addresses = new ArrayList<InetAddress>();
            if (vlanSwitch != null && mac != 0) {
                for (IpAddress address : vlanSwitch.addressesOf(mac)) {
                    if (addresses.size() >= Message.MemberEntry.MAX_ADDRESSES) {
                        break;
                    }
                    addresses.add(address.toInetAddress());
                }
            }
            final var entry = new Message.MemberEntry(clientId, directory.userOf(clientId).orElse(""), mac,
                directory.nodeOf(clientId).orElse(""), addresses);
            final long length = MessageCodec.encodedLength(entry);
            if (used + length > room) {
                more = true;
                break;
            }
            entries.add(entry);
            used += length;
        }
        return new Message.Members(list.request(), entries, more);
    }
}
