/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.client;

import static java.util.Objects.requireNonNull;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.PrintWriter;
import java.net.Inet6Address;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What the client is doing, as plain data ({@link Snapshot}), as the status table people read ({@link #print}) and
 * as the JSON of {@code serval-client status --json} ({@link #json}; its fields are documented in
 * docs/client-control.md, which a GUI reads).
 */
final class StatusView {
    /**
     * One VLAN of the client's list: its interface, where it stands and the counters of frames through it.
     *
     * @param state {@code joined}, {@code joining} or {@code refused}
     * @param reason the server's words when it refused the VLAN, else null
     * @param framesOut frames read from the interface and sent to the server
     * @param framesIn frames from the server written into the interface
     * @param dropped frames lost: read while the connection was backed up or gone, or not written
     * @param resolved ARP/ND questions answered from the client's own neighbour cache, never sent
     */
    record Vlan(String name, String iface, String mac, String state, String reason, long framesOut, long framesIn,
            long dropped, long resolved) {
        Vlan {
            requireNonNull(name);
            requireNonNull(iface);
            requireNonNull(mac);
            requireNonNull(state);
        }
    }

    /**
     * The client at one moment.
     *
     * @param server where the client is connected (or connecting) now
     * @param nodeId the id of the node of the last login, or null before the first
     * @param state {@code connecting}, {@code connected}, {@code reconnecting}, {@code down} (its user said so),
     *     {@code disconnected} (an administrator did, or {@code up} could not reconnect) or {@code stopping}
     * @param reason why the client is down or disconnected, else null
     * @param failovers how often the client has reconnected after losing its node
     */
    record Snapshot(String clientId, String user, Endpoint server, String transport, String nodeId,
            boolean connected, String state, String reason, boolean service, long failovers, List<Vlan> vlans) {
        Snapshot {
            requireNonNull(clientId);
            requireNonNull(server);
            requireNonNull(transport);
            requireNonNull(state);
            vlans = List.copyOf(vlans);
        }
    }

    private StatusView() {
        // static only
    }

    /**
     * The VLANs of the list, with the counters of those that have an interface.
     */
    static List<Vlan> vlans(final List<Memberships.Entry> entries) {
        return entries.stream().map(entry -> {
            final var a = entry.attachment;
            return new Vlan(entry.vlan, entry.iface, entry.mac, entry.state.label(), entry.reason,
                a == null ? 0 : a.fromTap.get(), a == null ? 0 : a.toTap.get(), a == null ? 0 : a.dropped.get(),
                a == null ? 0 : a.answered.get());
        }).toList();
    }

    /**
     * The status as the control socket answers it (docs/client-control.md, "status").
     */
    static JsonObject json(final Snapshot status) {
        final var json = new JsonObject();
        json.addProperty("clientId", status.clientId());
        json.addProperty("user", status.user());
        json.addProperty("server", status.server().host() + ":" + status.server().port());
        json.addProperty("transport", status.transport());
        json.addProperty("node", status.nodeId());
        json.addProperty("connected", status.connected());
        json.addProperty("state", status.state());
        json.addProperty("reason", status.reason());
        json.addProperty("service", status.service());
        json.addProperty("failovers", status.failovers());
        final var vlans = new JsonArray();
        for (var vlan : status.vlans()) {
            vlans.add(json(vlan));
        }
        json.add("vlans", vlans);
        return json;
    }

    /**
     * One VLAN as the control socket answers it (in {@code status}, and the answer to {@code join}).
     */
    static JsonObject json(final Vlan vlan) {
        final var json = new JsonObject();
        json.addProperty("name", vlan.name());
        json.addProperty("interface", vlan.iface());
        json.addProperty("mac", vlan.mac());
        json.addProperty("state", vlan.state());
        json.addProperty("reason", vlan.reason());
        json.addProperty("framesOut", vlan.framesOut());
        json.addProperty("framesIn", vlan.framesIn());
        json.addProperty("dropped", vlan.dropped());
        json.addProperty("resolved", vlan.resolved());
        final var addresses = new JsonArray();
        addresses(vlan.iface()).forEach(addresses::add);
        json.add("addresses", addresses);
        return json;
    }

    /**
     * The addresses the host has on a VLAN's interface now (from the VLAN's DHCP server or SLAAC, or set by hand),
     * as address/prefix-length; IPv6 link-local ones, which every interface has, are left out. Read from the
     * operating system when asked, so it is what the host really uses.
     */
    static List<String> addresses(final String iface) {
        final NetworkInterface nic;
        try {
            nic = iface == null || iface.isEmpty() ? null : NetworkInterface.getByName(iface);
        } catch (SocketException e) {
            return List.of();
        }
        if (nic == null) {
            return List.of();
        }
        final var found = new ArrayList<String>();
        for (var address : nic.getInterfaceAddresses()) {
            final var ip = address.getAddress();
            if (ip instanceof Inet6Address && ip.isLinkLocalAddress()) {
                continue;
            }
            final var text = ip.getHostAddress();
            final int zone = text.indexOf('%');
            found.add((zone < 0 ? text : text.substring(0, zone)) + "/" + address.getNetworkPrefixLength());
        }
        Collections.sort(found);
        return found;
    }

    /**
     * The status table.
     */
    static void print(final Snapshot status, final PrintWriter out) {
        out.printf("SERVAL client %s -> %s:%d over %s, node %s, %s, %d failover(s)%n", status.clientId(),
            status.server().host(), status.server().port(), status.transport(),
            status.nodeId() == null ? "-" : status.nodeId(), status.state(), status.failovers());
        out.printf("  %-16s %-15s %-17s %-8s %12s %12s %9s %9s  %s%n", "VLAN", "interface", "MAC", "state",
            "frames out", "frames in", "dropped", "resolved", "addresses");
        for (var vlan : status.vlans()) {
            final var addresses = addresses(vlan.iface());
            out.printf("  %-16s %-15s %-17s %-8s %12d %12d %9d %9d  %s%n", vlan.name(), vlan.iface(), vlan.mac(),
                vlan.state(), vlan.framesOut(), vlan.framesIn(), vlan.dropped(), vlan.resolved(),
                addresses.isEmpty() ? "-" : String.join(" ", addresses));
        }
        out.flush();
    }
}
