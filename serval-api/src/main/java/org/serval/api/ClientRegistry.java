/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.api;

import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * Where the dataplane reports its clients, so that they appear in the operational datastore (RESTCONF
 * {@code clients}, {@code serval:client-list}) and in every node's {@link VlanDirectory}. Implemented by the
 * controller. Calls never block; each stage completes once this node's directory shows the change, so that a
 * session may, for example, answer JOINED only when its frames will pass the membership check.
 */
public interface ClientRegistry {
    /**
     * A client finished its handshake.
     *
     * @param clientId its id, checked by {@link Checks#clientId}
     * @param user the user it authenticated as
     * @param transport "tcp" or "udp"
     * @param remoteAddress its address as this node sees it
     * @param remotePort its port as this node sees it
     */
    CompletionStage<Void> connected(String clientId, String user, String transport, String remoteAddress,
        int remotePort);

    /**
     * A client finished its handshake, saying whether it follows the server's changes to its memberships (HELLO
     * flag managed), which the registry publishes for the RPCs of every node to see.
     */
    default CompletionStage<Void> connected(final String clientId, final String user, final String transport,
            final String remoteAddress, final int remotePort, final boolean managed) {
        return connected(clientId, user, transport, remoteAddress, remotePort);
    }

    /**
     * A client joined a VLAN with an interface of the given MAC.
     */
    CompletionStage<Void> joined(String clientId, String vlan, long mac);

    /**
     * A client left a VLAN.
     */
    CompletionStage<Void> left(String clientId, String vlan);

    /**
     * A client's session ended: its memberships and its entry go.
     *
     * @param reason one of closed, expired, administrative, error
     */
    CompletionStage<Void> disconnected(String clientId, String reason);

    /**
     * A connected client's traffic since it connected to this node, reported periodically and only when it
     * changed. Frames and octets are Ethernet frames, as the client's interfaces see them.
     */
    void counters(String clientId, TrafficCounters counters);

    /**
     * What this node's switch of a VLAN did since it was made, reported periodically (a few seconds apart) and only
     * when it changed; an empty map of protocols is fine. {@code null} counters: the switch is gone.
     */
    default void vlanCounters(final String vlan, final VlanCounters counters) {
        // a registry that does not publish VLAN counters ignores them
    }

    /**
     * One VLAN's switch counters on this node, as an entry of the YANG list vlan-statistics/vlan.
     *
     * @param forwarded unicast frames sent to the one member that has the destination MAC
     * @param flooded frames sent to every other member (broadcast, unknown unicast, multicast without snooping)
     * @param snooped multicast frames sent only to the members that joined the group (IGMP, MLD) or to the owner of
     *     a solicited-node group
     * @param answered ARP, neighbour and mDNS questions the switch answered itself
     * @param filtered frames dropped by the VLAN's chatter policy (action drop)
     * @param rateLimited frames dropped because a member sent a chatty protocol faster than its rate
     * @param groups multicast groups with at least one member
     * @param protocols per chatty protocol (YANG name): frames seen, rate-limited, dropped
     * @param members the VLAN's members on this node now (clients, not links to other nodes)
     * @param forwardedOctets bytes of the forwarded frames
     * @param floodedOctets bytes of the flooded frames, each frame counted once
     * @param snoopedOctets bytes of the snooped frames, each frame counted once
     * @param stormDropped members' broadcast, multicast and unknown unicast dropped beyond the VLAN's flood rate
     * @param dropped frames dropped for any other reason (not a member, group source, rogue server, split horizon,
     *     a member that could not take them)
     * @param dhcpProbes ARP probes the switch's DHCP server sent before offering an address
     * @param dhcpConflicts of those, the probes answered: addresses found in use by someone the server did not know
     */
    record VlanCounters(long forwarded, long flooded, long snooped, long answered, long filtered, long rateLimited,
            long groups, Map<String, ProtocolCounters> protocols, long members, long forwardedOctets,
            long floodedOctets, long snoopedOctets, long stormDropped, long dropped, long dhcpProbes,
            long dhcpConflicts) {
        public VlanCounters {
            protocols = Map.copyOf(protocols);
        }

        /**
         * The chatter filter's part alone; the switch's own counters (members, bytes, drops) and the DHCP
         * server's are zero.
         */
        public VlanCounters(final long forwarded, final long flooded, final long snooped, final long answered,
                final long filtered, final long rateLimited, final long groups,
                final Map<String, ProtocolCounters> protocols) {
            this(forwarded, flooded, snooped, answered, filtered, rateLimited, groups, protocols, 0, 0, 0, 0, 0, 0, 0,
                0);
        }

        /**
         * These counters with the DHCP server's.
         */
        public VlanCounters withDhcp(final long probes, final long conflicts) {
            return new VlanCounters(forwarded, flooded, snooped, answered, filtered, rateLimited, groups, protocols,
                members, forwardedOctets, floodedOctets, snoopedOctets, stormDropped, dropped, probes, conflicts);
        }
    }

    /**
     * One chatty protocol's frames in one VLAN.
     */
    record ProtocolCounters(long frames, long rateLimited, long dropped) {
    }

    /**
     * One client's traffic, as the YANG grouping traffic-counters.
     */
    record TrafficCounters(long inFrames, long inOctets, long outFrames, long outOctets, long inDiscards,
            long outDiscards) {
    }
}
