/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.impl;

import static java.util.Objects.requireNonNull;
import static org.opendaylight.mdsal.common.api.LogicalDatastoreType.CONFIGURATION;
import static org.opendaylight.mdsal.common.api.LogicalDatastoreType.OPERATIONAL;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import io.netty.buffer.ByteBufAllocator;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.opendaylight.mdsal.binding.api.DataBroker;
import org.opendaylight.mdsal.binding.api.DataObjectDeleted;
import org.opendaylight.mdsal.binding.api.DataObjectModification.WithDataAfter;
import org.opendaylight.mdsal.binding.api.DataTreeChangeListener;
import org.opendaylight.mdsal.binding.api.DataTreeModification;
import org.opendaylight.mdsal.common.api.CommitInfo;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.interfaces.rev180220.Interfaces;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.interfaces.rev180220.interfaces.Interface;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.interfaces.rev180220.interfaces.InterfaceBuilder;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.interfaces.rev180220.interfaces.InterfaceKey;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.yang.types.rev130715.Counter32;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.yang.types.rev130715.Counter64;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.yang.types.rev130715.DateAndTime;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.BridgePorts;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.BridgedInterface;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.NodeId;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.NodesConfig;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.VlanId;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.VlanName;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.bridge.ports.BridgePort;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.bridge.ports.BridgePortBuilder;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.bridge.ports.BridgePortKey;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.bridge.ports.bridge.port.StatisticsBuilder;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.bridge.ports.bridge.port.VlanBuilder;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.nodes.config.Node;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.nodes.config.NodeKey;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.nodes.config.node.Bridge;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.vlans.Vlan;
import org.opendaylight.yangtools.binding.DataObjectIdentifier;
import org.opendaylight.yangtools.binding.util.BindingMap;
import org.opendaylight.yangtools.concepts.Registration;
import org.opendaylight.yangtools.yang.common.Uint16;
import org.opendaylight.yangtools.yang.common.Uint32;
import org.opendaylight.yangtools.yang.common.Uint64;
import org.serval.dataplane.bridge.BridgeConfig;
import org.serval.dataplane.bridge.Bridges;
import org.serval.dataplane.bridge.PortState;
import org.serval.dataplane.bridge.Wires;
import org.serval.dataplane.session.Dataplane;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connects the node's bridged interfaces to the datastore: this node's {@code nodes-config/node/bridge} entries
 * and every VLAN's vid go to {@link Bridges}, and what it reports goes to OPERATIONAL {@code bridge-ports}, written
 * on a transaction chain without waiting. Other nodes' entries are theirs to act on.
 *
 * <p>Each port whose interface exists is also mirrored into ietf-interfaces' operational {@code interface} list (RFC
 * 8343), named {@code NODE:INTERFACE}, of type {@code serval:bridged-interface}, so that an NMS that reads that model
 * sees the installation's ports with their state and counters. It goes on a chain of its own: a write the model
 * refuses must not stop the {@code bridge-ports} reports.
 */
final class BridgeUpdater implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BridgeUpdater.class);
    private static final DateTimeFormatter DATE_TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSXXX");

    private final String nodeId;
    private final Bridges bridges;
    private final Registration configReg;
    private final Registration vlanReg;
    private final RenewingChain chain;
    private final RenewingChain mirrorChain;
    // the interfaces mirrored into ietf-interfaces, and since when each is counted; the bridges' thread only
    private final Set<String> mirrored = new HashSet<>();
    private final Map<String, DateAndTime> since = new HashMap<>();
    // name -> vid (0 for none), as the VLAN listener saw them; its thread only
    private final Map<String, Integer> vids = new HashMap<>();
    // the interfaces this node has an entry for in bridge-ports; the bridges' thread only
    private final Set<String> written = new HashSet<>();
    private boolean closed;

    BridgeUpdater(final DataBroker broker, final Dataplane dataplane, final String nodeId, final Wires wires) {
        this.nodeId = requireNonNull(nodeId);
        chain = new RenewingChain(broker, () -> LOG.debug("A chain of bridge-port writes failed; the next change "
            + "writes them again"));
        mirrorChain = new RenewingChain(broker, () -> LOG.debug("A chain of ietf-interfaces writes failed; the next "
            + "change writes them again"));
        bridges = new Bridges(dataplane, wires, ByteBufAllocator.DEFAULT, this::report);
        vlanReg = broker.registerTreeChangeListener(CONFIGURATION, ServalPaths.ALL_VLANS,
            (DataTreeChangeListener<Vlan>) this::onVlansChanged);
        configReg = broker.registerTreeChangeListener(CONFIGURATION, node(nodeId),
            (DataTreeChangeListener<Node>) this::onNodeChanged);
    }

    static DataObjectIdentifier<Node> node(final String nodeId) {
        return DataObjectIdentifier.builder(NodesConfig.class).child(Node.class, new NodeKey(new NodeId(nodeId)))
            .build();
    }

    /**
     * Where a bridged interface appears in ietf-interfaces' operational list.
     */
    static DataObjectIdentifier<Interface> mirror(final String nodeId, final String iface) {
        return DataObjectIdentifier.builder(Interfaces.class).child(Interface.class,
            new InterfaceKey(nodeId + ":" + iface)).build();
    }

    static DataObjectIdentifier<BridgePort> port(final String nodeId, final String iface) {
        return DataObjectIdentifier.builder(BridgePorts.class)
            .child(BridgePort.class, new BridgePortKey(iface, new NodeId(nodeId))).build();
    }

    /**
     * A bridge entry as the dataplane takes it, or null when it cannot be served (refused before the commit by
     * {@link BridgeCheck}; one that got in anyway is ignored).
     */
    static BridgeConfig toConfig(final Bridge bridge) {
        final var vlans = new ArrayList<String>();
        final BridgeConfig.Mode mode;
        if (bridge.getMode() == Bridge.Mode.Trunk) {
            mode = BridgeConfig.Mode.TRUNK;
            if (bridge.getTrunkVlan() != null) {
                bridge.getTrunkVlan().forEach(vlan -> vlans.add(vlan.getValue()));
            }
        } else {
            mode = BridgeConfig.Mode.ACCESS;
            if (bridge.getVlan() != null) {
                vlans.add(bridge.getVlan().getValue());
            }
        }
        try {
            return new BridgeConfig(bridge.getInterface(), mode, vlans);
        } catch (IllegalArgumentException e) {
            LOG.warn("Ignoring bridge {}: {}", bridge.getInterface(), e.getMessage());
            return null;
        }
    }

    private void onNodeChanged(final List<DataTreeModification<Node>> changes) {
        for (var change : changes) {
            final var configs = new ArrayList<BridgeConfig>();
            if (change.getRootNode() instanceof WithDataAfter<Node> present) {
                for (var bridge : present.dataAfter().nonnullBridge().values()) {
                    final var config = toConfig(bridge);
                    if (config != null) {
                        configs.add(config);
                    }
                }
            }
            bridges.configure(configs);
        }
    }

    private void onVlansChanged(final List<DataTreeModification<Vlan>> changes) {
        for (var change : changes) {
            switch (change.getRootNode()) {
                case DataObjectDeleted<Vlan> deleted -> vids.remove(deleted.dataBefore().getName().getValue());
                case WithDataAfter<Vlan> present -> {
                    final var vlan = present.dataAfter();
                    vids.put(vlan.getName().getValue(), vlan.getVid() == null ? 0 : vlan.getVid().getValue()
                        .intValue());
                }
            }
        }
        bridges.vlans(vids);
    }

    /**
     * What the bridges report, on their thread: one entry per interface; those no longer bridged go.
     */
    private synchronized void report(final List<PortState> states) {
        if (closed) {
            return;
        }
        final var tx = chain.newWriteOnlyTransaction();
        final var now = new HashSet<String>();
        for (var state : states) {
            now.add(state.iface());
            tx.put(OPERATIONAL, port(nodeId, state.iface()), toEntry(state));
        }
        for (var gone : written) {
            if (!now.contains(gone)) {
                tx.delete(OPERATIONAL, port(nodeId, gone));
            }
        }
        written.clear();
        written.addAll(now);
        logOutcome(tx.commit());
        mirrorAll(states);
    }

    private void mirrorAll(final List<PortState> states) {
        final var tx = mirrorChain.newWriteOnlyTransaction();
        final var now = new HashSet<String>();
        for (var state : states) {
            if (state.status() != PortState.Status.MISSING && state.index() > 0) {
                now.add(state.iface());
                final var from = since.computeIfAbsent(state.iface(), iface -> dateAndTime(System.currentTimeMillis()));
                tx.put(OPERATIONAL, mirror(nodeId, state.iface()), toInterface(nodeId, state, from));
            }
        }
        for (var gone : mirrored) {
            if (!now.contains(gone)) {
                tx.delete(OPERATIONAL, mirror(nodeId, gone));
            }
        }
        // a port that went away starts counting afresh when it is bridged again: a discontinuity
        since.keySet().retainAll(states.stream().map(PortState::iface).toList());
        mirrored.clear();
        mirrored.addAll(now);
        logOutcome(tx.commit());
    }

    static DateAndTime dateAndTime(final long millis) {
        return new DateAndTime(DATE_TIME.format(OffsetDateTime.ofInstant(Instant.ofEpochMilli(millis),
            ZoneOffset.UTC)));
    }

    /**
     * A bridged interface as ietf-interfaces has an interface: its name on the node, its state, its counters.
     */
    static Interface toInterface(final String nodeId, final PortState state, final DateAndTime since) {
        final var counters = state.counters();
        return new InterfaceBuilder()
            .setName(nodeId + ":" + state.iface())
            .setDescription("SERVAL node " + nodeId + " bridges " + state.iface() + " ("
                + (state.mode() == BridgeConfig.Mode.TRUNK ? "trunk" : "access") + ") to "
                + String.join(", ", state.vlans().keySet()))
            .setType(BridgedInterface.VALUE)
            .setEnabled(true)
            .setAdminStatus(Interface.AdminStatus.Up)
            .setOperStatus(state.status() == PortState.Status.UP ? Interface.OperStatus.Up
                : Interface.OperStatus.Down)
            .setIfIndex(state.index())
            .setStatistics(new org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.interfaces.rev180220
                    .interfaces._interface.StatisticsBuilder()
                .setDiscontinuityTime(since)
                .setInOctets(counter(counters.inOctets()))
                .setInUnicastPkts(counter(counters.inUnicast()))
                .setInBroadcastPkts(counter(counters.inBroadcast()))
                .setInMulticastPkts(counter(counters.inMulticast()))
                .setInDiscards(counter32(counters.inDiscards()))
                .setInErrors(counter32(counters.inErrors()))
                .setOutOctets(counter(counters.outOctets()))
                .setOutUnicastPkts(counter(counters.outUnicast()))
                .setOutBroadcastPkts(counter(counters.outBroadcast()))
                .setOutMulticastPkts(counter(counters.outMulticast()))
                .setOutDiscards(counter32(counters.outDiscards()))
                .build())
            .build();
    }

    // ietf-interfaces counts discards and errors in 32 bits, which wrap as SNMP's do
    private static Counter32 counter32(final long value) {
        return new Counter32(Uint32.valueOf(value & 0xFFFF_FFFFL));
    }

    private void logOutcome(final com.google.common.util.concurrent.FluentFuture<? extends CommitInfo> commit) {
        Futures.addCallback(commit, new FutureCallback<CommitInfo>() {
            @Override
            public void onSuccess(final CommitInfo result) {
                LOG.trace("Bridge ports of node {} written", nodeId);
            }

            @Override
            public void onFailure(final Throwable cause) {
                LOG.warn("Writing the bridge ports of node {} failed: {}", nodeId, cause.getMessage());
            }
        }, MoreExecutors.directExecutor());
    }

    private BridgePort toEntry(final PortState state) {
        final var counters = state.counters();
        final var vlans = new ArrayList<org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.bridge.ports
            .bridge.port.Vlan>();
        state.vlans().forEach((name, vid) -> vlans.add(new VlanBuilder().setName(new VlanName(name))
            .setVid(vid > 0 ? new VlanId(Uint16.valueOf(vid)) : null).build()));
        return new BridgePortBuilder()
            .setNode(new NodeId(nodeId))
            .setInterface(state.iface())
            .setState(switch (state.status()) {
                case UP -> BridgePort.State.Up;
                case DOWN -> BridgePort.State.Down;
                case MISSING -> BridgePort.State.Missing;
            })
            .setReason(state.reason())
            .setMode(state.mode() == BridgeConfig.Mode.TRUNK ? "trunk" : "access")
            .setVlan(BindingMap.of(vlans))
            .setStatistics(new StatisticsBuilder()
                .setInOctets(counter(counters.inOctets()))
                .setInUnicastPkts(counter(counters.inUnicast()))
                .setInBroadcastPkts(counter(counters.inBroadcast()))
                .setInMulticastPkts(counter(counters.inMulticast()))
                .setInDiscards(counter(counters.inDiscards()))
                .setInErrors(counter(counters.inErrors()))
                .setOutOctets(counter(counters.outOctets()))
                .setOutUnicastPkts(counter(counters.outUnicast()))
                .setOutBroadcastPkts(counter(counters.outBroadcast()))
                .setOutMulticastPkts(counter(counters.outMulticast()))
                .setOutDiscards(counter(counters.outDiscards()))
                .build())
            .build();
    }

    private static Counter64 counter(final long value) {
        return new Counter64(Uint64.valueOf(value));
    }

    @Override
    public void close() {
        configReg.close();
        vlanReg.close();
        try {
            bridges.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            closed = true;
            if (!written.isEmpty()) {
                final var tx = chain.newWriteOnlyTransaction();
                written.forEach(iface -> tx.delete(OPERATIONAL, port(nodeId, iface)));
                logOutcome(tx.commit());
                written.clear();
            }
            if (!mirrored.isEmpty()) {
                final var tx = mirrorChain.newWriteOnlyTransaction();
                mirrored.forEach(iface -> tx.delete(OPERATIONAL, mirror(nodeId, iface)));
                logOutcome(tx.commit());
                mirrored.clear();
            }
        }
        chain.close();
        mirrorChain.close();
    }
}
