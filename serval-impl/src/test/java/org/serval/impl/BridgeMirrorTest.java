/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.impl;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.opendaylight.mdsal.common.api.LogicalDatastoreType.OPERATIONAL;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.Test;
import org.opendaylight.mdsal.binding.dom.adapter.test.AbstractConcurrentDataBrokerTest;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.interfaces.rev180220.interfaces.Interface;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.BridgedInterface;
import org.serval.dataplane.bridge.BridgeConfig;
import org.serval.dataplane.bridge.PortState;

/**
 * A bridged interface mirrored into ietf-interfaces (RFC 8343): the entry has what the model makes mandatory in
 * the operational datastore (type, admin and oper status, if-index, discontinuity time), so that a real data tree
 * takes it, and says what the port is.
 */
public class BridgeMirrorTest extends AbstractConcurrentDataBrokerTest {
    private static final PortState.Counters COUNTERS = new PortState.Counters(1_000, 10, 2, 3, 5_000_000_000L, 0,
        2_000, 20, 1, 0, 7);

    @Test
    public void aBridgedInterfaceIsAnIetfInterface() throws Exception {
        final var trunk = new PortState("eth2", BridgeConfig.Mode.TRUNK, PortState.Status.UP, null,
            Map.of("red", 10), COUNTERS, 7);
        final var down = new PortState("eth1", BridgeConfig.Mode.ACCESS, PortState.Status.DOWN, "down",
            Map.of("blue", 0), COUNTERS, 8);
        final var since = BridgeUpdater.dateAndTime(1_700_000_000_000L);
        final var tx = getDataBroker().newWriteOnlyTransaction();
        tx.put(OPERATIONAL, BridgeUpdater.mirror("n1", "eth2"), BridgeUpdater.toInterface("n1", trunk, since));
        tx.put(OPERATIONAL, BridgeUpdater.mirror("n1", "eth1"), BridgeUpdater.toInterface("n1", down, since));
        tx.commit().get(10, TimeUnit.SECONDS);

        final Interface read;
        try (var rtx = getDataBroker().newReadOnlyTransaction()) {
            read = rtx.read(OPERATIONAL, BridgeUpdater.mirror("n1", "eth2")).get(10, TimeUnit.SECONDS).orElseThrow();
            assertEquals(Interface.OperStatus.Down, rtx.read(OPERATIONAL, BridgeUpdater.mirror("n1", "eth1"))
                .get(10, TimeUnit.SECONDS).orElseThrow().getOperStatus());
        }
        assertEquals("n1:eth2", read.getName());
        assertEquals(BridgedInterface.VALUE, read.getType());
        assertEquals(Interface.OperStatus.Up, read.getOperStatus());
        assertEquals(Integer.valueOf(7), read.getIfIndex());
        assertTrue(read.getDescription(), read.getDescription().contains("trunk") && read.getDescription()
            .contains("red"));
        final var statistics = read.getStatistics();
        assertEquals(since, statistics.getDiscontinuityTime());
        assertEquals(1_000L, statistics.getInOctets().getValue().longValue());
        // 32-bit counters wrap
        assertEquals(5_000_000_000L & 0xFFFF_FFFFL, statistics.getInDiscards().getValue().longValue());
        assertEquals(7L, statistics.getOutDiscards().getValue().longValue());
    }
}
