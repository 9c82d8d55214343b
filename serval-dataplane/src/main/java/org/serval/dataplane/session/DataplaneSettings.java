/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.session;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.serval.dataplane.Bounds;

/**
 * What a node's dataplane is told by its configuration.
 *
 * @param nodeId this node's id, sent in WELCOME
 * @param keepaliveMillis how often clients send KEEPALIVE
 * @param expireAfter how many silent keepalive periods expire a client
 * @param tapMtu the MTU clients set on their TAP interfaces (docs/protocol.md, "MTU")
 * @param maxMacsPerVlan the size of each VLAN's MAC table
 * @param maxMacsPerPort how many MACs one member may hold in a VLAN's table
 * @param macAgingSeconds how long an idle MAC (and an idle IP-to-MAC binding) stays learned
 * @param answerNeighbors whether the switches answer ARP requests and neighbour solicitations for addresses they
 *     know instead of flooding them
 * @param softMaxClients above how many clients this node sends new clients to, and asks some of its clients to
 *     move to, a lighter node of its cluster; 0 for no limit
 * @param requestsPerSecond how many requests (messages but DATA) a client may send a second, with two seconds'
 *     worth of burst, before its session ends with LIMIT
 */
public record DataplaneSettings(String nodeId, int keepaliveMillis, int expireAfter, int tapMtu, int maxMacsPerVlan,
        int maxMacsPerPort, int macAgingSeconds, boolean answerNeighbors, int softMaxClients, int requestsPerSecond) {
    public static final int DEFAULT_TAP_MTU = 1400;

    public DataplaneSettings(final String nodeId, final int keepaliveMillis, final int expireAfter, final int tapMtu,
            final int maxMacsPerVlan, final int maxMacsPerPort, final int macAgingSeconds,
            final boolean answerNeighbors) {
        this(nodeId, keepaliveMillis, expireAfter, tapMtu, maxMacsPerVlan, maxMacsPerPort, macAgingSeconds,
            answerNeighbors, 0);
    }

    public DataplaneSettings(final String nodeId, final int keepaliveMillis, final int expireAfter, final int tapMtu,
            final int maxMacsPerVlan, final int maxMacsPerPort, final int macAgingSeconds,
            final boolean answerNeighbors, final int softMaxClients) {
        this(nodeId, keepaliveMillis, expireAfter, tapMtu, maxMacsPerVlan, maxMacsPerPort, macAgingSeconds,
            answerNeighbors, softMaxClients, Bounds.REQUESTS_PER_SECOND);
    }

    /**
     * The same settings with another request rate.
     */
    public DataplaneSettings withRequestsPerSecond(final int rate) {
        return new DataplaneSettings(nodeId, keepaliveMillis, expireAfter, tapMtu, maxMacsPerVlan, maxMacsPerPort,
            macAgingSeconds, answerNeighbors, softMaxClients, rate);
    }

    public DataplaneSettings {
        requireNonNull(nodeId);
        if (keepaliveMillis < 100 || expireAfter < 1 || expireAfter > 255 || tapMtu < 576 || tapMtu > 1500
                || softMaxClients < 0 || requestsPerSecond < 1) {
            throw new IllegalArgumentException("keepalive >= 100 ms, expireAfter 1..255, tapMtu 576..1500, "
                + "softMaxClients >= 0, requestsPerSecond >= 1");
        }
    }

    public static DataplaneSettings defaults(final String nodeId) {
        return new DataplaneSettings(nodeId, 5000, 3, DEFAULT_TAP_MTU, 8192, 256, 300, true);
    }

    /**
     * A node's id from its setting {@code node.id}: the configured one, else the host's name. Every part of a node
     * (the controller, the OpenFlow bundle) must name it alike, or one would report under another node's name.
     */
    public static String nodeIdFrom(final String configured) {
        if (!configured.isBlank()) {
            return configured.strip();
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "serval";
        }
    }
}
