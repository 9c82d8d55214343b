/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.openflow;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The flows SERVAL installs on one switch, computed from the switch's port mapping and the VLANs' vids and nothing
 * else, so that what a mapping means can be tested without a switch.
 *
 * <p>Every VLAN is a flood domain of its own (the switch learns no MACs for it; a SERVAL VLAN's own switch does
 * that on the far side of the trunk): a frame entering an access port goes untagged to the VLAN's other access
 * ports and, tagged with the VLAN's vid, to the trunk ports; a frame entering a trunk port with a mapped vid goes to
 * the other trunk ports as it is and, untagged, to the VLAN's access ports. One lowest-priority flow drops the rest:
 * frames between VLANs, tagged frames on access ports, untagged frames and unknown vids on trunks.
 */
public final class FlowPlan {
    /** Priority of the forwarding flows. */
    public static final int PRIORITY_FORWARD = 100;
    /** Priority of the flow that drops what no forwarding flow matched. */
    public static final int PRIORITY_DROP = 0;
    /** A flow's in-port when it matches any port. */
    public static final long ANY_PORT = 0;
    /** A flow's vid when it matches untagged frames only. */
    public static final int UNTAGGED = 0;
    /** A flow's vid when it matches tagged and untagged frames alike. */
    public static final int ANY_VID = -1;

    /** How a port carries VLANs. */
    public enum Mode {
        ACCESS, TRUNK
    }

    /**
     * One mapped port.
     *
     * @param number its OpenFlow port number
     * @param mode access or trunk
     * @param vlan the VLAN of an access port (null on a trunk, or when missing)
     */
    public record PortMapping(long number, Mode mode, String vlan) {
        public PortMapping {
            requireNonNull(mode);
        }
    }

    /** One step of a flow's action list, applied in order. */
    public sealed interface Step permits Output, Tag, Untag {
        // a closed set: the switch is programmed with exactly these
    }

    /** Send the frame, as it is at this step, out of a port. */
    public record Output(long port) implements Step {
    }

    /** Push an 802.1Q tag with this vid. */
    public record Tag(int vid) implements Step {
    }

    /** Pop the outer 802.1Q tag. */
    public record Untag() implements Step {
    }

    /**
     * One flow in table 0.
     *
     * @param priority its priority
     * @param inPort the port it matches, or {@link #ANY_PORT}
     * @param vid the vid it matches, {@link #UNTAGGED} or {@link #ANY_VID}
     * @param steps what it does with a frame; none drops it
     */
    public record Flow(int priority, long inPort, int vid, List<Step> steps) {
        public Flow {
            steps = List.copyOf(steps);
        }

        static Flow drop() {
            return new Flow(PRIORITY_DROP, ANY_PORT, ANY_VID, List.of());
        }
    }

    private FlowPlan() {
        // functions only
    }

    /**
     * The flows of one switch.
     *
     * @param ports the switch's mapped ports
     * @param vids every VLAN that exists, with its vid, or {@link #UNTAGGED} when it has none
     * @return the flows; none when no port is mapped, so that deleting a switch's mapping leaves nothing of ours
     */
    public static Set<Flow> compute(final Collection<PortMapping> ports, final Map<String, Integer> vids) {
        if (ports.isEmpty()) {
            return Set.of();
        }
        final var trunks = new TreeSet<Long>();
        final var access = new TreeMap<String, TreeSet<Long>>();
        for (var port : ports) {
            if (port.mode() == Mode.TRUNK) {
                trunks.add(port.number());
            } else if (port.vlan() != null && vids.containsKey(port.vlan())) {
                access.computeIfAbsent(port.vlan(), vlan -> new TreeSet<>()).add(port.number());
            }
        }
        final var flows = new java.util.LinkedHashSet<Flow>();
        flows.add(Flow.drop());
        for (var vlan : access.entrySet()) {
            final int vid = vids.get(vlan.getKey());
            final var members = vlan.getValue();
            for (long in : members) {
                final var steps = new ArrayList<Step>();
                members.stream().filter(port -> port != in).forEach(port -> steps.add(new Output(port)));
                if (vid != UNTAGGED && !trunks.isEmpty()) {
                    steps.add(new Tag(vid));
                    trunks.forEach(port -> steps.add(new Output(port)));
                }
                if (!steps.isEmpty()) {
                    flows.add(new Flow(PRIORITY_FORWARD, in, UNTAGGED, steps));
                }
            }
            if (vid == UNTAGGED) {
                continue;
            }
            for (long in : trunks) {
                final var steps = new ArrayList<Step>();
                trunks.stream().filter(port -> port != in).forEach(port -> steps.add(new Output(port)));
                steps.add(new Untag());
                members.forEach(port -> steps.add(new Output(port)));
                flows.add(new Flow(PRIORITY_FORWARD, in, vid, steps));
            }
        }
        return flows.stream().collect(Collectors.toUnmodifiableSet());
    }
}
