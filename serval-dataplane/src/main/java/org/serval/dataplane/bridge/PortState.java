/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.bridge;

import java.util.Map;

/**
 * What a node reports about one bridged interface (OPERATIONAL {@code bridge-ports}).
 *
 * @param iface the interface
 * @param mode access or trunk
 * @param status up, down or missing
 * @param reason why it is not up, or which configured VLANs it does not carry, or null
 * @param vlans the VLANs it carries now, each with its vid on a trunk (0 on an access port)
 * @param counters its counters since the node was told to bridge it
 * @param index the interface's ifindex, 0 while it is missing
 */
public record PortState(String iface, BridgeConfig.Mode mode, Status status, String reason,
        Map<String, Integer> vlans, Counters counters, int index) {
    public PortState {
        vlans = Map.copyOf(vlans);
    }

    /**
     * Whether frames flow.
     */
    public enum Status {
        UP, DOWN, MISSING
    }

    /**
     * Counters named as ietf-interfaces' statistics.
     */
    public record Counters(long inOctets, long inUnicast, long inBroadcast, long inMulticast, long inDiscards,
            long inErrors, long outOctets, long outUnicast, long outBroadcast, long outMulticast, long outDiscards) {
    }
}
