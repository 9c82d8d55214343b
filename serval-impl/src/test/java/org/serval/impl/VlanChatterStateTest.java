/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.impl;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.mockito.Mockito.mock;
import static org.opendaylight.mdsal.common.api.LogicalDatastoreType.OPERATIONAL;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.Test;
import org.opendaylight.mdsal.binding.api.NotificationPublishService;
import org.opendaylight.mdsal.binding.dom.adapter.test.AbstractConcurrentDataBrokerTest;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.FloodAction;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.NodeId;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.VlanName;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.VlanStatistics;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.vlan.chatter.ChatterBuilder;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.vlan.chatter.chatter.MdnsBuilder;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.vlan.chatter.chatter.SsdpBuilder;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.vlan.counters.ProtocolKey;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.vlan.statistics.Vlan;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.vlan.statistics.VlanBuilder;
import org.opendaylight.yangtools.binding.DataObjectIdentifier;
import org.opendaylight.yangtools.yang.common.Uint32;
import org.serval.api.ChatterPolicy;
import org.serval.api.ClientRegistry;
import org.serval.api.FloodPolicy;
import org.serval.api.LocalVlanView;

/**
 * The chatter policy from the configuration to the dataplane's view, and the per-VLAN counters from the dataplane
 * to the operational datastore.
 */
public class VlanChatterStateTest extends AbstractConcurrentDataBrokerTest {
    private static final DataObjectIdentifier<Vlan> STATISTICS = DataObjectIdentifier.builder(VlanStatistics.class)
        .child(Vlan.class, new VlanBuilder().setName(new VlanName("red")).setNode(new NodeId("node-1")).build().key())
        .build();

    public VlanChatterStateTest() {
        super(true);
    }

    @Test
    public void theChatterPolicyReachesTheView() {
        final var vlan = new org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.vlans.VlanBuilder()
            .setName(new VlanName("red"))
            .setChatter(new ChatterBuilder()
                .setMdns(new MdnsBuilder().setAction(FloodAction.Drop).build())
                .setSsdp(new SsdpBuilder().setRateLimit(Uint32.valueOf(50)).build())
                .build())
            .build();
        final var chatter = VlanViewUpdater.toInfo(vlan).chatter();
        assertEquals(new ChatterPolicy.Rule(FloodPolicy.Action.DROP, 20), chatter.rule(ChatterPolicy.Protocol.MDNS));
        assertEquals(new ChatterPolicy.Rule(FloodPolicy.Action.RATE_LIMIT, 50),
            chatter.rule(ChatterPolicy.Protocol.SSDP));
        assertEquals(ChatterPolicy.DEFAULT.rule(ChatterPolicy.Protocol.DHCP),
            chatter.rule(ChatterPolicy.Protocol.DHCP));
        assertEquals(ChatterPolicy.DEFAULT, VlanViewUpdater.toInfo(
            new org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.vlans.VlanBuilder()
                .setName(new VlanName("blue")).build()).chatter());
    }

    @Test
    public void vlanCountersAreWrittenAndRemoved() throws Exception {
        final var registry = new DatastoreClientRegistry(getDataBroker(), new LocalVlanView(),
            mock(NotificationPublishService.class), "node-1");
        registry.vlanCounters("red", new ClientRegistry.VlanCounters(1, 2, 3, 4, 5, 6, 7,
            Map.of("mdns", new ClientRegistry.ProtocolCounters(10, 6, 0))).withDhcp(8, 9));
        final var written = eventually(true);
        assertEquals(3L, written.getSnooped().getValue().longValue());
        assertEquals(6L, written.getRateLimited().getValue().longValue());
        assertEquals(7L, written.getGroups().getValue().longValue());
        assertEquals(8L, written.getDhcpProbes().getValue().longValue());
        assertEquals(9L, written.getDhcpConflicts().getValue().longValue());
        assertEquals(10L, written.nonnullProtocol().get(new ProtocolKey("mdns")).getFrames().getValue().longValue());
        registry.vlanCounters("red", null);
        eventually(false);
        registry.close();
    }

    private Vlan eventually(final boolean present) throws Exception {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (var tx = getDataBroker().newReadOnlyTransaction()) {
                final var node = tx.read(OPERATIONAL, STATISTICS).get(10, TimeUnit.SECONDS);
                if (node.isPresent() == present) {
                    return node.orElse(null);
                }
            }
            assertFalse("timed out", System.nanoTime() > deadline);
            Thread.sleep(10);
        }
    }
}
