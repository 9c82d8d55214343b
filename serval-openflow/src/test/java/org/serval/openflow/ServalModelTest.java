/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.openflow;

import static org.junit.Assert.assertEquals;

import java.util.List;
import org.junit.Test;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.Openflow;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.OpenflowSwitches;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.Vlans;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.openflow.Switch;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.openflow._switch.Port;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.vlans.Vlan;
import org.opendaylight.yangtools.yang.common.Uint32;
import org.opendaylight.yangtools.yang.data.api.YangInstanceIdentifier.NodeIdentifier;
import org.opendaylight.yangtools.yang.data.api.YangInstanceIdentifier.NodeIdentifierWithPredicates;
import org.opendaylight.yangtools.yang.data.api.schema.MapEntryNode;
import org.opendaylight.yangtools.yang.data.spi.node.ImmutableNodes;
import org.serval.openflow.FlowPlan.Mode;
import org.serval.openflow.FlowPlan.PortMapping;

/**
 * The names this bundle spells out are those of SERVAL's model (its binding classes, used here in the test only),
 * and the mapping reads as {@link FlowPlan} expects.
 */
public class ServalModelTest {
    @Test
    public void qnamesAreTheModelsOwn() {
        assertEquals(Openflow.QNAME, ServalModel.OPENFLOW);
        assertEquals(Switch.QNAME, ServalModel.SWITCH);
        assertEquals(Port.QNAME, ServalModel.PORT);
        assertEquals(OpenflowSwitches.QNAME, ServalModel.OPENFLOW_SWITCHES);
        assertEquals(Vlans.QNAME, ServalModel.VLANS);
        assertEquals(Vlan.QNAME, ServalModel.VLAN);
    }

    @Test
    public void dpidIsSixteenLowerCaseHexDigits() {
        assertEquals("00000000000000a1", ServalModel.dpid(0xa1));
        assertEquals("ffffffffffffffff", ServalModel.dpid(-1));
    }

    @Test
    public void mappingsInPortOrderWithModeAndVlan() {
        final var ports = ImmutableNodes.newSystemMapBuilder().withNodeIdentifier(
            NodeIdentifier.create(ServalModel.PORT))
            .withChild(port(10, "trunk", null))
            .withChild(port(2, "access", "blue"))
            .withChild(port(1, "access", null))
            .build();
        final var mapped = ImmutableNodes.newMapEntryBuilder()
            .withNodeIdentifier(NodeIdentifierWithPredicates.of(ServalModel.SWITCH, ServalModel.DPID, "a1"))
            .withChild(ImmutableNodes.leafNode(ServalModel.DPID, "a1"))
            .withChild(ports)
            .build();
        assertEquals(List.of(new PortMapping(1, Mode.ACCESS, null), new PortMapping(2, Mode.ACCESS, "blue"),
            new PortMapping(10, Mode.TRUNK, null)), ServalModel.mappings("a1", mapped));
    }

    private static MapEntryNode port(final long number, final String mode, final String vlan) {
        final var entry = ImmutableNodes.newMapEntryBuilder()
            .withNodeIdentifier(NodeIdentifierWithPredicates.of(ServalModel.PORT, ServalModel.NUMBER,
                Uint32.valueOf(number)))
            .withChild(ImmutableNodes.leafNode(ServalModel.NUMBER, Uint32.valueOf(number)))
            .withChild(ImmutableNodes.leafNode(ServalModel.MODE, mode));
        if (vlan != null) {
            entry.withChild(ImmutableNodes.leafNode(ServalModel.VLAN, vlan));
        }
        return entry.build();
    }
}
