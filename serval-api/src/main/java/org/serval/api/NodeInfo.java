/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.api;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * One server node as the others and the clients see it: where it accepts clients, where it accepts links from
 * other nodes, the certificate it presents on both, and how busy it is.
 *
 * @param id the node's id
 * @param endpoints where its dataplane accepts clients
 * @param peering where it accepts links from other nodes, or null when it takes none
 * @param fingerprint the SHA-256 fingerprint of its certificate, or null when it runs without encryption
 * @param clients how many clients are connected to it
 * @param cpuPercent its recent CPU use, 0..100
 */
public record NodeInfo(String id, List<Endpoint> endpoints, Endpoint peering, String fingerprint, int clients,
        int cpuPercent) {
    /**
     * An address and port, and for client endpoints the transport ("tcp", "udp"; "peer" for the peering one).
     */
    public record Endpoint(String transport, String host, int port) {
        public Endpoint {
            requireNonNull(transport);
            requireNonNull(host);
        }
    }

    public NodeInfo {
        requireNonNull(id);
        endpoints = List.copyOf(endpoints);
    }
}
