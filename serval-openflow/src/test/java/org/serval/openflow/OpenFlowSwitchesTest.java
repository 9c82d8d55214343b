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
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;
import static org.opendaylight.mdsal.common.api.LogicalDatastoreType.CONFIGURATION;
import static org.opendaylight.mdsal.common.api.LogicalDatastoreType.OPERATIONAL;

import com.google.common.util.concurrent.Futures;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.opendaylight.mdsal.binding.dom.adapter.test.AbstractConcurrentDataBrokerTest;
import org.opendaylight.mdsal.dom.api.DOMDataBroker;
import org.opendaylight.openflowjava.protocol.api.connection.ConnectionAdapter;
import org.opendaylight.openflowjava.protocol.api.connection.ConnectionReadyListener;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.common.types.rev130731.FlowModCommand;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.common.types.rev130731.MultipartRequestFlags;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.common.types.rev130731.MultipartType;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.common.types.rev130731.PortConfig;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.common.types.rev130731.PortReason;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.common.types.rev130731.PortState;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.protocol.rev130731.FlowModInput;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.protocol.rev130731.FlowModInputBuilder;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.protocol.rev130731.GetFeaturesOutputBuilder;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.protocol.rev130731.HelloMessageBuilder;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.protocol.rev130731.MultipartReplyMessageBuilder;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.protocol.rev130731.PortStatusMessageBuilder;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.protocol.rev130731.multipart.reply.multipart.reply.body.MultipartReplyPortDescCaseBuilder;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.protocol.rev130731.multipart.reply.multipart.reply.body.multipart.reply.port.desc._case.MultipartReplyPortDescBuilder;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.protocol.rev130731.multipart.reply.multipart.reply.body.multipart.reply.port.desc._case.multipart.reply.port.desc.Ports;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.protocol.rev130731.multipart.reply.multipart.reply.body.multipart.reply.port.desc._case.multipart.reply.port.desc.PortsBuilder;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.system.rev130927.DisconnectEventBuilder;
import org.opendaylight.yangtools.yang.common.RpcResultBuilder;
import org.opendaylight.yangtools.yang.common.Uint16;
import org.opendaylight.yangtools.yang.common.Uint32;
import org.opendaylight.yangtools.yang.common.Uint64;
import org.opendaylight.yangtools.yang.common.Uint8;
import org.opendaylight.yangtools.yang.data.api.YangInstanceIdentifier;
import org.opendaylight.yangtools.yang.data.api.YangInstanceIdentifier.NodeIdentifier;
import org.opendaylight.yangtools.yang.data.api.YangInstanceIdentifier.NodeIdentifierWithPredicates;
import org.opendaylight.yangtools.yang.data.api.schema.MapEntryNode;
import org.opendaylight.yangtools.yang.data.api.schema.MapNode;
import org.opendaylight.yangtools.yang.data.api.schema.NormalizedNode;
import org.opendaylight.yangtools.yang.data.spi.node.ImmutableNodes;

/**
 * The controller side with a scripted switch (openflowjava's connection adapter, mocked) on mdsal's in-memory DOM
 * datastore with SERVAL's schema, written and read through the DOM API as the bundle does: handshake, flows
 * installed from the mapping, re-installed on reconnection, removed with the mapping, and the switch and its ports
 * in OPERATIONAL, kept current by port-status messages.
 */
public class OpenFlowSwitchesTest extends AbstractConcurrentDataBrokerTest {
    private static final String DPID = "00000000000000a1";
    private static final YangInstanceIdentifier MAPPING = YangInstanceIdentifier.of(
        NodeIdentifier.create(ServalModel.OPENFLOW), ServalModel.SWITCH_LIST,
        NodeIdentifierWithPredicates.of(ServalModel.SWITCH, ServalModel.DPID, DPID));

    private DOMDataBroker broker;
    private OpenFlowSwitches switches;

    public OpenFlowSwitchesTest() {
        super(true);
    }

    /** A switch as openflowjava shows it: every message SERVAL sends is recorded and succeeds. */
    private static final class FakeSwitch {
        final ConnectionAdapter adapter = mock(ConnectionAdapter.class);
        final List<FlowModInput> flowMods = new CopyOnWriteArrayList<>();
        ConnectionAdapter.MessageListener messages;
        ConnectionAdapter.SystemListener system;
        ConnectionReadyListener ready;
        ExecutorService executor;

        FakeSwitch() {
            doAnswer(call -> messages = call.getArgument(0)).when(adapter).setMessageListener(any());
            doAnswer(call -> system = call.getArgument(0)).when(adapter).setSystemListener(any());
            doAnswer(call -> ready = call.getArgument(0)).when(adapter).setConnectionReadyListener(any());
            doAnswer(call -> executor = call.getArgument(0)).when(adapter).setExecutorService(any());
            when(adapter.getRemoteAddress()).thenReturn(new InetSocketAddress("127.0.0.1", 40001));
            when(adapter.hello(any()))
                .thenAnswer(call -> Futures.immediateFuture(RpcResultBuilder.success().build()));
            when(adapter.getFeatures(any())).thenReturn(Futures.immediateFuture(RpcResultBuilder.success(
                new GetFeaturesOutputBuilder().setVersion(FlowMessages.VERSION).setXid(Uint32.ONE)
                    .setDatapathId(Uint64.valueOf(0xa1)).setBuffers(Uint32.ZERO).setTables(Uint8.ONE)
                    .setAuxiliaryId(Uint8.ZERO).build()).build()));
            when(adapter.flowMod(any())).thenAnswer(call -> {
                flowMods.add(call.getArgument(0));
                return Futures.immediateFuture(RpcResultBuilder.success().build());
            });
            when(adapter.barrier(any()))
                .thenAnswer(call -> Futures.immediateFuture(RpcResultBuilder.success().build()));
            when(adapter.multipartRequest(any()))
                .thenAnswer(call -> Futures.immediateFuture(RpcResultBuilder.success().build()));
        }

        void connect(final OpenFlowSwitches to) {
            to.onSwitchConnected(adapter);
            executor.execute(ready::onConnectionReady);
            messages.onHello(new HelloMessageBuilder().setVersion(FlowMessages.VERSION).setXid(Uint32.ONE).build());
        }

        /** The adds since the last delete of SERVAL's flows, or null when no delete was sent. */
        Set<FlowModInput> installed() {
            // a snapshot: a sub-list of the live list throws when the switches' thread adds to it meanwhile
            final var mods = List.copyOf(flowMods);
            int lastDelete = -1;
            for (int i = 0; i < mods.size(); i++) {
                if (mods.get(i).getCommand() == FlowModCommand.OFPFCDELETE) {
                    lastDelete = i;
                }
            }
            return lastDelete < 0 ? null : Set.copyOf(mods.subList(lastDelete + 1, mods.size()));
        }

        long deletes() {
            return flowMods.stream().filter(mod -> mod.getCommand() == FlowModCommand.OFPFCDELETE).count();
        }
    }

    @Before
    public void start() throws Exception {
        // the DOM side of the test broker: all this test reads and writes goes through it, as in the bundle
        broker = getDomBroker();
        final var tx = broker.newWriteOnlyTransaction();
        tx.put(CONFIGURATION, vlanPath("red"), vlan("red", 100));
        tx.put(CONFIGURATION, vlanPath("blue"), vlan("blue", 200));
        tx.commit().get(5, TimeUnit.SECONDS);
        switches = new OpenFlowSwitches(broker, "node-a");
    }

    @After
    public void stop() {
        if (switches != null) {
            switches.close();
        }
    }

    private static YangInstanceIdentifier vlanPath(final String name) {
        return ServalModel.VLANS_PATH.node(ServalModel.VLAN_LIST)
            .node(NodeIdentifierWithPredicates.of(ServalModel.VLAN, ServalModel.NAME, name));
    }

    private static MapEntryNode vlan(final String name, final int vid) {
        return ImmutableNodes.newMapEntryBuilder()
            .withNodeIdentifier(NodeIdentifierWithPredicates.of(ServalModel.VLAN, ServalModel.NAME, name))
            .withChild(ImmutableNodes.leafNode(ServalModel.NAME, name))
            .withChild(ImmutableNodes.leafNode(ServalModel.VID, Uint16.valueOf(vid)))
            .build();
    }

    private void map(final MapEntryNode... ports) throws Exception {
        final var list = ImmutableNodes.newSystemMapBuilder().withNodeIdentifier(
            NodeIdentifier.create(ServalModel.PORT));
        Arrays.stream(ports).forEach(list::withChild);
        final var tx = broker.newWriteOnlyTransaction();
        tx.put(CONFIGURATION, MAPPING, ImmutableNodes.newMapEntryBuilder()
            .withNodeIdentifier(NodeIdentifierWithPredicates.of(ServalModel.SWITCH, ServalModel.DPID, DPID))
            .withChild(ImmutableNodes.leafNode(ServalModel.DPID, DPID))
            .withChild(list.build())
            .build());
        tx.commit().get(5, TimeUnit.SECONDS);
    }

    private static MapEntryNode mappedPort(final long number, final String mode, final String vlan) {
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

    private static MapEntryNode access(final long number, final String vlan) {
        return mappedPort(number, "access", vlan);
    }

    private static MapEntryNode trunk(final long number) {
        return mappedPort(number, "trunk", null);
    }

    private static Set<FlowModInput> expected(final List<FlowPlan.PortMapping> mapping) {
        return FlowPlan.compute(mapping, Map.of("red", 100, "blue", 200)).stream()
            .map(flow -> FlowMessages.add(flow, 0)).collect(Collectors.toSet());
    }

    /** FlowMods compared without their xids. */
    private static Set<FlowModInput> withoutXids(final Set<FlowModInput> mods) {
        return mods == null ? null : mods.stream().map(mod -> new FlowModInputBuilder(mod).setXid(Uint32.ZERO)
            .build()).collect(Collectors.toSet());
    }

    private Optional<MapEntryNode> operational() throws InterruptedException, ExecutionException, TimeoutException {
        try (var tx = broker.newReadOnlyTransaction()) {
            return tx.read(OPERATIONAL, ServalModel.switchPath(DPID)).get(5, TimeUnit.SECONDS)
                .map(MapEntryNode.class::cast);
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

    private boolean operationalMatches(final Predicate<MapEntryNode> test) {
        try {
            return operational().filter(test).isPresent();
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static Object leaf(final NormalizedNode entry, final org.opendaylight.yangtools.yang.common.QName name) {
        return ServalModel.leafOf(entry, name);
    }

    private static boolean connected(final MapEntryNode entry) {
        return Boolean.TRUE.equals(leaf(entry, ServalModel.CONNECTED));
    }

    private static int flows(final MapEntryNode entry) {
        return ((Uint32) leaf(entry, ServalModel.FLOWS)).intValue();
    }

    private static int portCount(final MapEntryNode entry) {
        return entry.childByArg(NodeIdentifier.create(ServalModel.PORT)) instanceof MapNode ports ? ports.size() : 0;
    }

    private static String state(final MapEntryNode entry, final long port) {
        if (!(entry.childByArg(NodeIdentifier.create(ServalModel.PORT)) instanceof MapNode ports)) {
            return "missing";
        }
        final var found = ports.childByArg(NodeIdentifierWithPredicates.of(ServalModel.PORT, ServalModel.NUMBER,
            Uint32.valueOf(port)));
        return found == null ? "missing" : String.valueOf(leaf(found, ServalModel.STATE));
    }

    private static Ports port(final long number, final String name, final boolean linkDown,
            final boolean adminDown) {
        return new PortsBuilder().setPortNo(Uint32.valueOf(number)).setName(name)
            .setConfig(new PortConfig(false, false, false, adminDown)).setState(new PortState(false, linkDown, false))
            .build();
    }

    @Test
    public void programsTheMappingAndFollowsItsChanges() throws Exception {
        map(access(1, "red"), access(2, "red"), trunk(10));
        final var sw = new FakeSwitch();
        sw.connect(switches);
        final var first = expected(List.of(new FlowPlan.PortMapping(1, FlowPlan.Mode.ACCESS, "red"),
            new FlowPlan.PortMapping(2, FlowPlan.Mode.ACCESS, "red"),
            new FlowPlan.PortMapping(10, FlowPlan.Mode.TRUNK, null)));
        eventually("the mapping's flows are installed", () -> first.equals(withoutXids(sw.installed())));
        eventually("the switch is in OPERATIONAL, connected", () -> operationalMatches(
            entry -> connected(entry) && "node-a".equals(leaf(entry, ServalModel.NODE))
                && "127.0.0.1".equals(leaf(entry, ServalModel.ADDRESS)) && flows(entry) == first.size()));

        // a blue port added: the switch is reprogrammed
        map(access(1, "red"), access(2, "red"), access(3, "blue"), trunk(10));
        final var second = expected(List.of(new FlowPlan.PortMapping(1, FlowPlan.Mode.ACCESS, "red"),
            new FlowPlan.PortMapping(2, FlowPlan.Mode.ACCESS, "red"),
            new FlowPlan.PortMapping(3, FlowPlan.Mode.ACCESS, "blue"),
            new FlowPlan.PortMapping(10, FlowPlan.Mode.TRUNK, null)));
        eventually("the new mapping's flows are installed", () -> second.equals(withoutXids(sw.installed())));

        // red's vid changes: the tags follow
        final var tx = broker.newWriteOnlyTransaction();
        tx.merge(CONFIGURATION, vlanPath("red"), vlan("red", 300));
        tx.commit().get(5, TimeUnit.SECONDS);
        final var third = FlowPlan.compute(List.of(new FlowPlan.PortMapping(1, FlowPlan.Mode.ACCESS, "red"),
            new FlowPlan.PortMapping(2, FlowPlan.Mode.ACCESS, "red"),
            new FlowPlan.PortMapping(3, FlowPlan.Mode.ACCESS, "blue"),
            new FlowPlan.PortMapping(10, FlowPlan.Mode.TRUNK, null)), Map.of("red", 300, "blue", 200)).stream()
            .map(flow -> FlowMessages.add(flow, 0)).collect(Collectors.toSet());
        eventually("red's flows carry its new vid", () -> third.equals(withoutXids(sw.installed())));

        // the mapping deleted: SERVAL's flows are deleted and nothing is added
        final var delete = broker.newWriteOnlyTransaction();
        delete.delete(CONFIGURATION, MAPPING);
        delete.commit().get(5, TimeUnit.SECONDS);
        eventually("no flow of SERVAL's is left", () -> Set.of().equals(sw.installed()));
        eventually("OPERATIONAL counts no flow", () -> operationalMatches(entry -> flows(entry) == 0));
    }

    @Test
    public void deletingTheWholeContainersClearsTheFlows() throws Exception {
        map(access(1, "red"), trunk(10));
        final var sw = new FakeSwitch();
        sw.connect(switches);
        eventually("flows installed", () -> sw.installed() != null && !sw.installed().isEmpty());

        // every VLAN gone (DELETE /data/serval:vlans): red's access port forwards nothing, and no vid is carried
        final var vlans = broker.newWriteOnlyTransaction();
        vlans.delete(CONFIGURATION, ServalModel.VLANS_PATH);
        vlans.commit().get(5, TimeUnit.SECONDS);
        final var withoutVlans = FlowPlan.compute(List.of(new FlowPlan.PortMapping(1, FlowPlan.Mode.ACCESS, "red"),
            new FlowPlan.PortMapping(10, FlowPlan.Mode.TRUNK, null)), Map.of()).stream()
            .map(flow -> FlowMessages.add(flow, 0)).collect(Collectors.toSet());
        eventually("only what a mapping without VLANs means is left",
            () -> withoutVlans.equals(withoutXids(sw.installed())));

        // the whole mapping gone (DELETE /data/serval:openflow)
        final var all = broker.newWriteOnlyTransaction();
        all.delete(CONFIGURATION, ServalModel.OPENFLOW_PATH);
        all.commit().get(5, TimeUnit.SECONDS);
        eventually("no flow of SERVAL's is left", () -> Set.of().equals(sw.installed()));
    }

    @Test
    public void reinstallsOnReconnection() throws Exception {
        map(access(1, "red"), trunk(10));
        final var before = new FakeSwitch();
        before.connect(switches);
        eventually("flows installed", () -> before.deletes() == 1 && !before.installed().isEmpty());
        before.system.onDisconnect(new DisconnectEventBuilder().setInfo("test").build());
        eventually("the switch is shown disconnected", () -> operationalMatches(
            entry -> !connected(entry)));

        final var after = new FakeSwitch();
        after.connect(switches);
        eventually("the reconnected switch is cleared and programmed again",
            () -> after.deletes() == 1 && withoutXids(before.installed()).equals(withoutXids(after.installed())));
        eventually("connected again", () -> operationalMatches(OpenFlowSwitchesTest::connected));
    }

    @Test
    public void portsAndPortStatusReachOperational() throws Exception {
        final var sw = new FakeSwitch();
        sw.connect(switches);
        eventually("connected", () -> operationalMatches(OpenFlowSwitchesTest::connected));
        sw.messages.onMultipartReply(new MultipartReplyMessageBuilder().setVersion(FlowMessages.VERSION)
            .setXid(Uint32.TEN).setType(MultipartType.OFPMPPORTDESC).setFlags(new MultipartRequestFlags(false))
            .setMultipartReplyBody(new MultipartReplyPortDescCaseBuilder().setMultipartReplyPortDesc(
                new MultipartReplyPortDescBuilder().setPorts(List.of(
                    port(1, "p1", false, false), port(2, "p2", true, false),
                    // OFPP_LOCAL: the bridge's own port is not one to map
                    port(0xfffffffeL, "br0", false, false))).build()).build())
            .build());
        eventually("both ports listed", () -> operationalMatches(entry -> portCount(entry) == 2
            && state(entry, 1).equals("up") && state(entry, 2).equals("link-down")));

        sw.messages.onPortStatus(new PortStatusMessageBuilder().setVersion(FlowMessages.VERSION).setXid(Uint32.ZERO)
            .setReason(PortReason.OFPPRMODIFY).setPortNo(Uint32.valueOf(1)).setName("p1")
            .setConfig(new PortConfig(false, false, false, true)).setState(new PortState(false, false, false))
            .build());
        eventually("p1 shown down by its administrator", () -> operationalMatches(
            entry -> state(entry, 1).equals("admin-down")));

        sw.messages.onPortStatus(new PortStatusMessageBuilder().setVersion(FlowMessages.VERSION).setXid(Uint32.ZERO)
            .setReason(PortReason.OFPPRDELETE).setPortNo(Uint32.valueOf(2)).setName("p2")
            .setConfig(new PortConfig(false, false, false, false)).setState(new PortState(false, true, false))
            .build());
        eventually("p2 gone", () -> operationalMatches(entry -> portCount(entry) == 1));
        assertTrue(operational().isPresent());
        assertEquals("00000000000000a1", leaf(operational().orElseThrow(), ServalModel.DPID));
    }
}
