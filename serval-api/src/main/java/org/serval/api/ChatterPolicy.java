/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.api;

import static java.util.Objects.requireNonNull;

import java.util.EnumMap;
import java.util.Map;

/**
 * What one VLAN's switch does with the well-known chatty protocols each member sends, the YANG container
 * {@code chatter}: forward, rate-limit (frames per second per member, per protocol) or drop.
 */
public final class ChatterPolicy {
    /**
     * The chatty protocols the switch tells apart.
     */
    public enum Protocol {
        /** Multicast DNS, UDP 5353 (224.0.0.251, ff02::fb). */
        MDNS("mdns", 20),
        /** Link-local multicast name resolution, UDP 5355. */
        LLMNR("llmnr", 10),
        /** SSDP (UPnP discovery), UDP 1900 (239.255.255.250, ff02::c). */
        SSDP("ssdp", 20),
        /** NetBIOS name service, UDP 137. */
        NETBIOS_NS("netbios-ns", 10),
        /** DHCPv4 (UDP 67/68) and DHCPv6 (UDP 546/547) from members. */
        DHCP("dhcp", 10),
        /** IPv6 router advertisements (ICMPv6 type 134) from members. */
        ROUTER_ADVERTISEMENT("router-advertisement", 5);

        private final String yangName;
        private final int defaultRate;

        Protocol(final String yangName, final int defaultRate) {
            this.yangName = yangName;
            this.defaultRate = defaultRate;
        }

        /**
         * The protocol's name in the YANG model and in counters.
         */
        public String yangName() {
            return yangName;
        }

        /**
         * The model's default per-member rate: above what one host sends for discovery (a few queries and
         * announcements a second at its start, much less later), far below a flood.
         */
        public int defaultRate() {
            return defaultRate;
        }
    }

    /**
     * What to do with one protocol.
     *
     * @param ratePerSecond the per-member limit for {@link FloodPolicy.Action#RATE_LIMIT}
     */
    public record Rule(FloodPolicy.Action action, int ratePerSecond) {
        public Rule {
            requireNonNull(action);
            if (ratePerSecond < 1) {
                throw new IllegalArgumentException("a rate limit is at least 1 frame per second");
            }
        }
    }

    /**
     * The model's defaults: every protocol rate-limited per member, none dropped, so that discovery keeps working.
     */
    public static final ChatterPolicy DEFAULT = new ChatterPolicy(Map.of());

    private final Rule[] rules = new Rule[Protocol.values().length];

    /**
     * A policy; protocols without a rule get the default.
     */
    public ChatterPolicy(final Map<Protocol, Rule> given) {
        for (var protocol : Protocol.values()) {
            final var rule = given.get(protocol);
            rules[protocol.ordinal()] = rule != null ? rule
                : new Rule(FloodPolicy.Action.RATE_LIMIT, protocol.defaultRate());
        }
    }

    public Rule rule(final Protocol protocol) {
        return rules[protocol.ordinal()];
    }

    /**
     * The rules by protocol, a copy.
     */
    public Map<Protocol, Rule> rules() {
        final var all = new EnumMap<Protocol, Rule>(Protocol.class);
        for (var protocol : Protocol.values()) {
            all.put(protocol, rules[protocol.ordinal()]);
        }
        return all;
    }

    @Override
    public boolean equals(final Object obj) {
        return obj instanceof ChatterPolicy other && rules().equals(other.rules());
    }

    @Override
    public int hashCode() {
        return rules().hashCode();
    }

    @Override
    public String toString() {
        return "ChatterPolicy" + rules();
    }
}
