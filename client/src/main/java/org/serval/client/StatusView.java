/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.client;

import static java.util.Objects.requireNonNull;

import java.io.PrintWriter;
import java.util.List;

/**
 * What the client is doing, as plain data ({@link Snapshot}, for a status printout now and a control socket's
 * answer later) and as the status table people read ({@link #print}).
 */
final class StatusView {
    /**
     * One joined VLAN: its interface and the counters of frames through it.
     *
     * @param framesOut frames read from the interface and sent to the server
     * @param framesIn frames from the server written into the interface
     * @param dropped frames lost: read while the connection was backed up or gone, or not written
     * @param resolved ARP/ND questions answered from the client's own neighbour cache, never sent
     */
    record Vlan(String name, String iface, String mac, long framesOut, long framesIn, long dropped, long resolved) {
        Vlan {
            requireNonNull(name);
            requireNonNull(iface);
            requireNonNull(mac);
        }
    }

    /**
     * The client at one moment.
     *
     * @param server where the client is connected (or connecting) now
     * @param nodeId the id of the node of the last login, or null before the first
     * @param failovers how often the client has reconnected after losing its node
     */
    record Snapshot(String clientId, Endpoint server, String transport, String nodeId, boolean connected,
            long failovers, List<Vlan> vlans) {
        Snapshot {
            requireNonNull(clientId);
            requireNonNull(server);
            requireNonNull(transport);
            vlans = List.copyOf(vlans);
        }
    }

    private StatusView() {
        // static only
    }

    /**
     * The counters of the attachments joined so far.
     */
    static List<Vlan> vlans(final List<TapBridge.Attachment> attachments) {
        return attachments.stream()
            .map(a -> new Vlan(a.vlan, a.tap.name(), a.mac, a.fromTap.get(), a.toTap.get(), a.dropped.get(),
                a.answered.get()))
            .toList();
    }

    /**
     * The status table.
     */
    static void print(final Snapshot status, final PrintWriter out) {
        out.printf("SERVAL client %s -> %s:%d over %s, node %s, %s, %d failover(s)%n", status.clientId(),
            status.server().host(), status.server().port(), status.transport(),
            status.nodeId() == null ? "-" : status.nodeId(), status.connected() ? "connected" : "disconnected",
            status.failovers());
        out.printf("  %-16s %-15s %-17s %12s %12s %9s %9s%n", "VLAN", "interface", "MAC", "frames out",
            "frames in", "dropped", "resolved");
        for (var vlan : status.vlans()) {
            out.printf("  %-16s %-15s %-17s %12d %12d %9d %9d%n", vlan.name(), vlan.iface(), vlan.mac(),
                vlan.framesOut(), vlan.framesIn(), vlan.dropped(), vlan.resolved());
        }
        out.flush();
    }
}
