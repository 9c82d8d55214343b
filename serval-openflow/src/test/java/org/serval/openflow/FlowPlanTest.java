/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.openflow;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.Test;
import org.serval.openflow.FlowPlan.Flow;
import org.serval.openflow.FlowPlan.Mode;
import org.serval.openflow.FlowPlan.Output;
import org.serval.openflow.FlowPlan.PortMapping;
import org.serval.openflow.FlowPlan.Step;
import org.serval.openflow.FlowPlan.Tag;
import org.serval.openflow.FlowPlan.Untag;

/**
 * What a mapping means on a switch, flow by flow.
 */
public class FlowPlanTest {
    private static final int FWD = FlowPlan.PRIORITY_FORWARD;
    private static final Map<String, Integer> VIDS = Map.of("red", 100, "blue", 200);

    private static PortMapping access(final long port, final String vlan) {
        return new PortMapping(port, Mode.ACCESS, vlan);
    }

    private static PortMapping trunk(final long port) {
        return new PortMapping(port, Mode.TRUNK, null);
    }

    private static Flow flow(final long in, final int vid, final Step... steps) {
        return new Flow(FWD, in, vid, List.of(steps));
    }

    private static Output out(final long port) {
        return new Output(port);
    }

    @Test
    public void noMappingNoFlows() {
        assertEquals(Set.of(), FlowPlan.compute(List.of(), VIDS));
    }

    @Test
    public void accessPortsTagTowardsTheTrunkAndTheTrunkUntagsTowardsThem() {
        final var flows = FlowPlan.compute(List.of(access(1, "red"), access(2, "red"), access(3, "blue"), trunk(10)),
            VIDS);
        assertEquals(Set.of(
            Flow.drop(),
            flow(1, FlowPlan.UNTAGGED, out(2), new Tag(100), out(10)),
            flow(2, FlowPlan.UNTAGGED, out(1), new Tag(100), out(10)),
            flow(3, FlowPlan.UNTAGGED, new Tag(200), out(10)),
            flow(10, 100, new Untag(), out(1), out(2)),
            flow(10, 200, new Untag(), out(3))), flows);
    }

    @Test
    public void nothingCrossesBetweenVlans() {
        final var mapping = List.of(access(1, "red"), access(2, "red"), access(3, "blue"), access(4, "blue"),
            trunk(10), trunk(11));
        final var red = Set.of(1L, 2L, 10L, 11L);
        final var blue = Set.of(3L, 4L, 10L, 11L);
        for (var flow : FlowPlan.compute(mapping, VIDS)) {
            final var outputs = flow.steps().stream().filter(Output.class::isInstance)
                .map(step -> ((Output) step).port()).collect(Collectors.toSet());
            final var tags = flow.steps().stream().filter(Tag.class::isInstance).map(step -> ((Tag) step).vid())
                .collect(Collectors.toSet());
            final boolean fromRed = flow.inPort() == 1 || flow.inPort() == 2 || flow.vid() == 100;
            final boolean fromBlue = flow.inPort() == 3 || flow.inPort() == 4 || flow.vid() == 200;
            if (fromRed) {
                assertTrue(flow + " leaves red", red.containsAll(outputs) && Set.of(100).containsAll(tags));
            } else if (fromBlue) {
                assertTrue(flow + " leaves blue", blue.containsAll(outputs) && Set.of(200).containsAll(tags));
            } else {
                assertEquals("only the drop flow matches anything else", Flow.drop(), flow);
            }
        }
    }

    @Test
    public void trunksForwardTaggedFramesToEachOther() {
        final var flows = FlowPlan.compute(List.of(access(1, "red"), trunk(10), trunk(11)), VIDS);
        assertTrue(flows.contains(flow(10, 100, out(11), new Untag(), out(1))));
        assertTrue(flows.contains(flow(11, 100, out(10), new Untag(), out(1))));
        assertTrue(flows.contains(flow(1, FlowPlan.UNTAGGED, new Tag(100), out(10), out(11))));
    }

    @Test
    public void unknownOrMissingVlansForwardNothing() {
        final var flows = FlowPlan.compute(List.of(access(1, "green"), access(2, null), trunk(10)), VIDS);
        assertEquals(Set.of(Flow.drop()), flows);
    }

    @Test
    public void aVlanWithoutVidStaysOffTheTrunk() {
        final var flows = FlowPlan.compute(List.of(access(1, "plain"), access(2, "plain"), trunk(10)),
            Map.of("plain", FlowPlan.UNTAGGED));
        assertEquals(Set.of(Flow.drop(), flow(1, FlowPlan.UNTAGGED, out(2)), flow(2, FlowPlan.UNTAGGED, out(1))),
            flows);
    }

    @Test
    public void aLoneAccessPortWithoutTrunkIsOnlyDropped() {
        assertEquals(Set.of(Flow.drop()), FlowPlan.compute(List.of(access(1, "red")), VIDS));
    }
}
