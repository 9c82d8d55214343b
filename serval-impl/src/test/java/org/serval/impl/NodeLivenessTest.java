/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.impl;

import static org.junit.Assert.assertTrue;
import static org.mockito.Mockito.mock;
import static org.opendaylight.mdsal.common.api.LogicalDatastoreType.OPERATIONAL;

import java.net.InetSocketAddress;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.junit.After;
import org.junit.Test;
import org.opendaylight.mdsal.binding.api.NotificationPublishService;
import org.opendaylight.mdsal.binding.api.RpcProviderService;
import org.opendaylight.mdsal.binding.dom.adapter.test.AbstractConcurrentDataBrokerTest;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.cluster.rev261130.Node1Builder;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.ClientId;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.NodeId;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.VlanName;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.clients.ClientBuilder;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.nodes.NodeBuilder;
import org.opendaylight.yangtools.concepts.Registration;
import org.opendaylight.yangtools.yang.common.Uint64;
import org.serval.dataplane.session.DataplaneSettings;

/**
 * Two nodes on one in-memory datastore with a real node link between them on loopback: cutting the link removes
 * nobody's clients while both nodes beat; a node whose heartbeat stops has its clients removed after the grace
 * period.
 */
public class NodeLivenessTest extends AbstractConcurrentDataBrokerTest {
    private static final Registration NO_REGISTRATION = () -> { };
    // Short for the test; the point is the ratio: the link is cut for many beats and for longer than the grace.
    private static final NodeLiveness.Timing TIMING = new NodeLiveness.Timing(100, 1000);

    private ServalController nodeA;
    private ServalController nodeB;

    public NodeLivenessTest() {
        super(true);
    }

    private ServalController start(final String id) throws InterruptedException {
        final var rpcProvider = mock(RpcProviderService.class,
            invocation -> invocation.getMethod().getReturnType() == Registration.class ? NO_REGISTRATION : null);
        return new ServalController(getDataBroker(), getDomBroker(), rpcProvider,
            mock(NotificationPublishService.class), DataplaneSettings.defaults(id), 1000,
            new ServalController.Sockets(null, null, new InetSocketAddress("127.0.0.1", 0), "127.0.0.1", 1), null,
            1000, TIMING);
    }

    @After
    public void stop() {
        if (nodeB != null) {
            nodeB.close();
        }
        if (nodeA != null) {
            nodeA.close();
        }
    }

    private static void eventually(final String what, final BooleanSupplier condition) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(10);
        }
    }

    private void put(final String clientId, final String node) throws Exception {
        final var tx = getDataBroker().newWriteOnlyTransaction();
        tx.put(OPERATIONAL, ServalPaths.client(clientId), new ClientBuilder().setId(new ClientId(clientId))
            .setNode(new NodeId(node)).build());
        tx.commit().get(10, TimeUnit.SECONDS);
    }

    private boolean stored(final String clientId) {
        try (var tx = getDataBroker().newReadOnlyTransaction()) {
            return tx.exists(OPERATIONAL, ServalPaths.client(clientId)).get(10, TimeUnit.SECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    public void aCutLinkRemovesNobodyAndAStoppedHeartbeatRemovesThatNodesClients() throws Exception {
        nodeA = start("node-a");
        nodeB = start("node-b");
        eventually("the nodes are linked", () -> nodeA.peerLinks().linkedPeers().contains("node-b"));
        put("alice-laptop", "node-a");
        put("bob-laptop", "node-b");
        eventually("both clients are known", () -> nodeA.directory().isKnownClient("bob-laptop")
            && nodeB.directory().isKnownClient("alice-laptop"));

        // Port 4100 cut: node-b's end of the link goes, both nodes and their heartbeats carry on.
        nodeB.peerLinks().close();
        eventually("node-a saw the link go", () -> nodeA.peerLinks().linkedPeers().isEmpty());
        // Several grace periods (and longer than the 3 s the survivors used to give a lost link).
        Thread.sleep(4 * TIMING.graceMillis());
        assertTrue("node-b's client stays while node-b beats", stored("bob-laptop"));
        assertTrue("node-a's client stays while node-a beats", stored("alice-laptop"));
        assertTrue(nodeA.directory().isKnownClient("bob-laptop"));

        // A node that crashed: its entry, a client entry and its switch counters stay behind, and its heartbeat
        // never changes again.
        statistics("red", "node-c");
        statistics("red", "node-a");
        final var tx = getDataBroker().newWriteOnlyTransaction();
        tx.put(OPERATIONAL, ServalPaths.node("node-c"), new NodeBuilder().setId(new NodeId("node-c"))
            .addAugmentation(new Node1Builder().setHeartbeat(Uint64.valueOf(41)).build()).build());
        tx.commit().get(10, TimeUnit.SECONDS);
        put("carol-laptop", "node-c");
        final long silentSince = System.nanoTime();
        eventually("node-c's client is removed", () -> !stored("carol-laptop"));
        assertTrue("not before the grace period",
            System.nanoTime() - silentSince >= TimeUnit.MILLISECONDS.toNanos(TIMING.graceMillis()));
        eventually("node-c's entry is removed", () -> {
            try (var read = getDataBroker().newReadOnlyTransaction()) {
                return !read.exists(OPERATIONAL, ServalPaths.node("node-c")).get(10, TimeUnit.SECONDS);
            } catch (InterruptedException | ExecutionException | TimeoutException e) {
                throw new IllegalStateException(e);
            }
        });
        eventually("node-c's switch counters are removed", () -> !statisticsStored("red", "node-c"));
        assertTrue("node-a's switch counters stay", statisticsStored("red", "node-a"));
        assertTrue(stored("bob-laptop"));
        assertTrue(stored("alice-laptop"));
        assertTrue(nodeA.directory().isKnownClient("bob-laptop"));
        assertTrue(nodeB.directory().isKnownClient("alice-laptop"));
    }

    private void statistics(final String vlan, final String node) throws Exception {
        final var tx = getDataBroker().newWriteOnlyTransaction();
        tx.mergeParentStructurePut(OPERATIONAL, ServalPaths.vlanStatistics(vlan, node),
            new org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.vlan.statistics.VlanBuilder()
                .setName(new VlanName(vlan)).setNode(new NodeId(node)).build());
        tx.commit().get(10, TimeUnit.SECONDS);
    }

    private boolean statisticsStored(final String vlan, final String node) {
        try (var read = getDataBroker().newReadOnlyTransaction()) {
            return read.exists(OPERATIONAL, ServalPaths.vlanStatistics(vlan, node)).get(10, TimeUnit.SECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            throw new IllegalStateException(e);
        }
    }

    private void beat(final String node, final long heartbeat) throws Exception {
        final var tx = getDataBroker().newWriteOnlyTransaction();
        tx.put(OPERATIONAL, ServalPaths.node(node), new NodeBuilder().setId(new NodeId(node))
            .addAugmentation(new Node1Builder().setHeartbeat(Uint64.valueOf(heartbeat)).build()).build());
        tx.commit().get(10, TimeUnit.SECONDS);
    }

    @Test
    public void aDatastoreThatDeliveredNothingForAWhileMakesNobodyOverdue() throws Exception {
        try (var liveness = new NodeLiveness(getDataBroker(), "node-a", TIMING)) {
            beat("node-a", 1);
            beat("node-x", 1);
            // Nothing arrives for longer than the grace period: the datastore electing a leader, say.
            Thread.sleep(2 * TIMING.graceMillis());
            beat("node-a", 2);
            Thread.sleep(50);
            assertTrue("one heartbeat of this node's own after a silence judges nobody",
                liveness.overdue().isEmpty());
            assertTrue(liveness.isAlive("node-x"));
            // The datastore works again and node-x beats no more: gone after half a grace period of own beats.
            for (int i = 3; i < 3 + TIMING.graceMillis() / TIMING.beatMillis() / 2; i++) {
                beat("node-a", i);
                Thread.sleep(TIMING.beatMillis());
            }
            eventually("node-x is overdue", () -> liveness.overdue().equals(java.util.List.of("node-x")));
            assertTrue(!liveness.isAlive("node-x"));
            assertTrue("reported once per grace period", liveness.overdue().isEmpty());
            beat("node-x", 2);
            eventually("node-x beats again", () -> liveness.isAlive("node-x"));
        }
    }
}
