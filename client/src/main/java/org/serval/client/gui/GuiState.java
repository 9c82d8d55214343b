/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.client.gui;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the GUI shows, as one immutable value: the model makes a new one after each poll or request and the views
 * draw it. Everything in it comes from the client's control socket (docs/client-control.md), the same answers the
 * command line prints.
 *
 * @param health where the GUI stands with the client service and the client with its server
 * @param message what is wrong, for people (null when nothing is)
 * @param status the client's {@code status}, null while the service does not answer
 * @param vlans the VLANs the user may see ({@code list}), empty while not connected
 * @param selected the VLAN whose members are shown, null for none
 * @param members the selected VLAN's members ({@code members}), empty when unknown
 * @param pending the request under way, for people ("Joining red"), null for none
 * @param actionError why the last request failed, for people, null when it did not
 * @param throughput per joined VLAN, frames a second in and out over the last polls
 * @param updated when the status was last read
 */
public record GuiState(Health health, String message, Status status, List<Vlan> vlans, String selected,
        List<Member> members, String pending, String actionError, Map<String, Throughput> throughput,
        Instant updated) {

    /**
     * The GUI's connection to the client service, then the client's to its server.
     */
    public enum Health {
        /** Nothing read yet. */
        STARTING,
        /** No client service answers at the control socket. */
        NO_SERVICE,
        /** The control socket is not this user's to use. */
        NO_PERMISSION,
        /** The service is there but does not answer as it should. */
        NOT_ANSWERING,
        /** The client has not logged in yet. */
        CONNECTING,
        /** Logged in. */
        CONNECTED,
        /** The connection was lost; the client is trying the server's nodes. */
        RECONNECTING,
        /** Its user said down. */
        DOWN,
        /** An administrator disconnected it, or it could not get back. */
        DISCONNECTED,
        /** The service is stopping. */
        STOPPING;

        /**
         * Whether the client is logged in, so that list, members, join and create can work.
         */
        public boolean online() {
            return this == CONNECTED;
        }
    }

    /**
     * The {@code status} object.
     */
    public record Status(String clientId, String user, String server, String transport, String node,
            boolean connected, String state, String reason, long failovers, List<JoinedVlan> vlans) {

        static Status of(final JsonObject json) {
            final var vlans = new ArrayList<JoinedVlan>();
            for (var element : array(json, "vlans")) {
                vlans.add(JoinedVlan.of(element.getAsJsonObject()));
            }
            return new Status(text(json, "clientId"), text(json, "user"), text(json, "server"),
                text(json, "transport"), text(json, "node"), bool(json, "connected"), text(json, "state"),
                text(json, "reason"), number(json, "failovers"), List.copyOf(vlans));
        }

        /**
         * This client's entry for a VLAN, null when it is not in its list.
         */
        public JoinedVlan vlan(final String name) {
            return vlans.stream().filter(v -> v.name().equals(name)).findFirst().orElse(null);
        }
    }

    /**
     * One entry of the status's {@code vlans}: a VLAN this client is in (or tries to be).
     *
     * @param addresses the interface's addresses when the status names them (an {@code address} string or an
     *     {@code addresses} array, e.g. handed out by the server's DHCP), else empty
     */
    public record JoinedVlan(String name, String iface, String mac, String state, String reason, long framesOut,
            long framesIn, long dropped, long resolved, List<String> addresses) {

        static JoinedVlan of(final JsonObject json) {
            final var addresses = new ArrayList<String>();
            final var one = text(json, "address");
            if (one != null) {
                addresses.add(one);
            }
            for (var address : array(json, "addresses")) {
                addresses.add(scalar(address));
            }
            return new JoinedVlan(text(json, "name"), text(json, "interface"), text(json, "mac"),
                text(json, "state"), text(json, "reason"), number(json, "framesOut"), number(json, "framesIn"),
                number(json, "dropped"), number(json, "resolved"), List.copyOf(addresses));
        }
    }

    /**
     * One entry of {@code list}: a VLAN the user may see.
     */
    public record Vlan(String name, long members, boolean open, boolean joined, String iface) {
        static Vlan of(final JsonObject json) {
            return new Vlan(text(json, "name"), number(json, "members"), bool(json, "open"), bool(json, "joined"),
                text(json, "interface"));
        }
    }

    /**
     * One entry of {@code members}.
     */
    public record Member(String client, String user, String mac, String node, List<String> addresses) {
        static Member of(final JsonObject json) {
            final var addresses = new ArrayList<String>();
            for (var address : array(json, "addresses")) {
                addresses.add(scalar(address));
            }
            return new Member(text(json, "client"), text(json, "user"), text(json, "mac"), text(json, "node"),
                List.copyOf(addresses));
        }
    }

    /**
     * Frames a second through one VLAN's interface, oldest first, one sample per status poll.
     */
    public record Throughput(List<Double> in, List<Double> out) {
        public double lastIn() {
            return in.isEmpty() ? 0 : in.get(in.size() - 1);
        }

        public double lastOut() {
            return out.isEmpty() ? 0 : out.get(out.size() - 1);
        }
    }

    GuiState withPending(final String newPending, final String newActionError) {
        return new GuiState(health, message, status, vlans, selected, members, newPending, newActionError,
            throughput, updated);
    }

    static GuiState starting() {
        return new GuiState(Health.STARTING, "Looking for the SERVAL client service", null, List.of(), null,
            List.of(), null, null, Map.of(), null);
    }

    static String text(final JsonObject json, final String key) {
        final JsonElement value = json.get(key);
        return value == null || value.isJsonNull() ? null : scalar(value);
    }

    private static String scalar(final JsonElement value) {
        return value.isJsonPrimitive() ? value.getAsString() : value.toString();
    }

    private static long number(final JsonObject json, final String key) {
        final JsonElement value = json.get(key);
        if (value == null || !value.isJsonPrimitive() || !value.getAsJsonPrimitive().isNumber()) {
            return 0;
        }
        return value.getAsLong();
    }

    private static boolean bool(final JsonObject json, final String key) {
        final JsonElement value = json.get(key);
        return value != null && value.isJsonPrimitive() && value.getAsJsonPrimitive().isBoolean()
            && value.getAsBoolean();
    }

    static JsonArray array(final JsonObject json, final String key) {
        final JsonElement value = json.get(key);
        return value != null && value.isJsonArray() ? value.getAsJsonArray() : new JsonArray();
    }
}
