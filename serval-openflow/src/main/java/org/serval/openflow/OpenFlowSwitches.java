/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.openflow;

import static java.util.Objects.requireNonNull;
import static org.opendaylight.mdsal.common.api.LogicalDatastoreType.CONFIGURATION;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import java.math.BigInteger;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.opendaylight.mdsal.dom.api.DOMDataBroker;
import org.opendaylight.mdsal.dom.api.DOMDataTreeChangeListener;
import org.opendaylight.mdsal.dom.api.DOMDataTreeIdentifier;
import org.opendaylight.openflowjava.protocol.api.connection.ConnectionAdapter;
import org.opendaylight.openflowjava.protocol.api.connection.ConnectionReadyListener;
import org.opendaylight.openflowjava.protocol.api.connection.SwitchConnectionHandler;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.common.types.rev130731.MultipartType;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.common.types.rev130731.PortReason;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.protocol.rev130731.EchoRequestMessage;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.protocol.rev130731.ErrorMessage;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.protocol.rev130731.ExperimenterMessage;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.protocol.rev130731.FlowRemovedMessage;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.protocol.rev130731.GetFeaturesOutput;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.protocol.rev130731.HelloMessage;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.protocol.rev130731.MultipartReplyMessage;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.protocol.rev130731.PacketInMessage;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.protocol.rev130731.PortGrouping;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.protocol.rev130731.PortStatusMessage;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.protocol.rev130731.multipart.reply.multipart.reply.body.MultipartReplyPortDescCase;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.system.rev130927.DisconnectEvent;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.system.rev130927.SslConnectionError;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.system.rev130927.SwitchIdleEvent;
import org.opendaylight.yangtools.concepts.Registration;
import org.opendaylight.yangtools.yang.common.QName;
import org.opendaylight.yangtools.yang.common.RpcResult;
import org.opendaylight.yangtools.yang.data.api.YangInstanceIdentifier.NodeIdentifier;
import org.opendaylight.yangtools.yang.data.api.YangInstanceIdentifier.NodeIdentifierWithPredicates;
import org.opendaylight.yangtools.yang.data.api.schema.MapEntryNode;
import org.opendaylight.yangtools.yang.data.tree.api.DataTreeCandidate;
import org.serval.dataplane.Bounds;
import org.serval.openflow.FlowPlan.Flow;
import org.serval.openflow.FlowPlan.PortMapping;
import org.serval.openflow.ServalModel.PortState;
import org.serval.openflow.ServalModel.State;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SERVAL as an OpenFlow 1.3 controller: openflowjava's switch connection provider hands it every switch that
 * connects; it does the handshake (HELLO, FEATURES), learns the switch's ports (port descriptions, then port-status
 * messages) into OPERATIONAL, and programs the switch with the {@link FlowPlan} of its mapping in CONFIGURATION
 * {@code openflow}: on connection (every reconnection: delete SERVAL's flows by cookie, then add), and whenever the
 * mapping or a mapped VLAN's vid changes.
 *
 * <p>Everything happens on one thread of its own (the "OpenFlow thread"): openflowjava's callbacks come from Netty's
 * event loops and the datastore's listeners from the datastore, and both only hand the event over, so that neither
 * ever waits for a switch or a commit and the state below needs no locks.
 */
public final class OpenFlowSwitches implements SwitchConnectionHandler, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OpenFlowSwitches.class);
    /** Port numbers above OFPP_MAX are reserved (LOCAL, CONTROLLER...), not ports an operator maps. */
    private static final long OFPP_MAX = 0xffff_ff00L;

    private final ScheduledThreadPoolExecutor thread;
    private final AtomicInteger pending = new AtomicInteger();
    private final SwitchStateWriter state;
    private final AtomicInteger xids = new AtomicInteger();
    private final Registration mappingReg;
    private final Registration vlanReg;

    // Owned by the OpenFlow thread.
    private final Map<String, List<PortMapping>> mappings = new HashMap<>();
    private final Map<String, Integer> vids = new HashMap<>();
    private final Map<String, Session> sessions = new HashMap<>();
    private final Set<Session> connecting = new java.util.HashSet<>();
    private volatile boolean closed;

    /**
     * Starts following the mapping and the VLANs in CONFIGURATION.
     *
     * @param broker the DOM data broker (it must offer tree-change listeners)
     * @param nodeId this node's id, written with each switch in OPERATIONAL
     */
    public OpenFlowSwitches(final DOMDataBroker broker, final String nodeId) {
        final var changes = requireNonNull(broker).extension(DOMDataBroker.DataTreeChangeExtension.class);
        if (changes == null) {
            throw new IllegalArgumentException("the data broker offers no tree-change listeners");
        }
        thread = new ScheduledThreadPoolExecutor(1, runnable -> {
            final var named = new Thread(runnable, "serval-openflow");
            named.setDaemon(true);
            return named;
        });
        thread.setRemoveOnCancelPolicy(true);
        state = new SwitchStateWriter(broker, nodeId);
        mappingReg = changes.registerTreeChangeListener(
            DOMDataTreeIdentifier.of(CONFIGURATION, ServalModel.OPENFLOW_PATH), listener(this::onMappingChanged));
        vlanReg = changes.registerTreeChangeListener(
            DOMDataTreeIdentifier.of(CONFIGURATION, ServalModel.VLANS_PATH), listener(this::onVlansChanged));
    }

    /**
     * Runs a task on the OpenFlow thread, unless {@link Bounds#OPENFLOW_EVENTS} are waiting already.
     */
    private boolean submit(final Runnable task) {
        if (pending.incrementAndGet() > Bounds.OPENFLOW_EVENTS) {
            pending.decrementAndGet();
            LOG.warn("OpenFlow: {} events waiting; dropping one", Bounds.OPENFLOW_EVENTS);
            return false;
        }
        thread.execute(() -> {
            pending.decrementAndGet();
            if (!closed) {
                run(task);
            }
        });
        return true;
    }

    @SuppressWarnings("checkstyle:IllegalCatch")
    private static void run(final Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            // The executor would swallow it silently and the next event would find the state half-updated.
            LOG.error("OpenFlow: handling an event failed", e);
        }
    }

    private long xid() {
        return xids.incrementAndGet() & 0xffff_ffffL;
    }

    @Override
    public boolean accept(final InetAddress switchAddress) {
        // The listener's bind address decides who may connect (docs/openflow.md); here only the number is bounded.
        return !closed;
    }

    @Override
    public void onSwitchConnected(final ConnectionAdapter adapter) {
        // On a Netty event loop: openflowjava requires all three listeners before this returns.
        final var session = new Session(adapter);
        adapter.setMessageListener(session);
        adapter.setSystemListener(session);
        adapter.setConnectionReadyListener(session);
        // openflowjava runs onConnectionReady on this executor (and fails without one)
        adapter.setExecutorService(thread);
        submit(() -> {
            if (sessions.size() + connecting.size() >= Bounds.OPENFLOW_SWITCHES) {
                LOG.warn("OpenFlow: {} switches connected already; refusing {}", Bounds.OPENFLOW_SWITCHES,
                    adapter.getRemoteAddress());
                adapter.disconnect();
                return;
            }
            connecting.add(session);
            thread.schedule(() -> session.handshakeTimedOut(), Bounds.OPENFLOW_HANDSHAKE_MILLIS,
                TimeUnit.MILLISECONDS);
        });
    }

    /** A listener that hands the datastore's changes to the OpenFlow thread. */
    private DOMDataTreeChangeListener listener(final Consumer<List<DataTreeCandidate>> handler) {
        return new DOMDataTreeChangeListener() {
            @Override
            public void onDataTreeChanged(final List<DataTreeCandidate> changes) {
                submit(() -> handler.accept(changes));
            }

            @Override
            public void onInitialData() {
                // nothing mapped yet
            }
        };
    }

    /**
     * The entries of a list directly under the listened container that a change touched: key and entry after the
     * change (null when deleted).
     */
    private static Map<String, MapEntryNode> touchedEntries(final List<DataTreeCandidate> changes,
            final NodeIdentifier list, final QName key) {
        final var touched = new LinkedHashMap<String, MapEntryNode>();
        for (var change : changes) {
            final var entries = change.getRootNode().modifiedChild(list);
            if (entries == null) {
                continue;
            }
            for (var entry : entries.childNodes()) {
                if (entry.name() instanceof NodeIdentifierWithPredicates id) {
                    touched.put(ServalModel.key(id, key),
                        entry.dataAfter() instanceof MapEntryNode after ? after : null);
                }
            }
        }
        return touched;
    }

    private void onMappingChanged(final List<DataTreeCandidate> changes) {
        final var touched = touchedEntries(changes, ServalModel.SWITCH_LIST, ServalModel.DPID);
        touched.forEach((dpid, mapped) -> {
            if (mapped == null) {
                mappings.remove(dpid);
            } else {
                mappings.put(dpid, ServalModel.mappings(dpid, mapped));
            }
        });
        for (var dpid : touched.keySet()) {
            final var session = sessions.get(dpid);
            if (session != null) {
                session.program(false);
            }
        }
    }

    private void onVlansChanged(final List<DataTreeCandidate> changes) {
        touchedEntries(changes, ServalModel.VLAN_LIST, ServalModel.NAME).forEach((name, vlan) -> {
            if (vlan == null) {
                vids.remove(name);
            } else {
                vids.put(name, ServalModel.vid(vlan));
            }
        });
        // a switch whose plan did not change is left alone
        sessions.values().forEach(session -> session.program(false));
    }

    @Override
    public void close() {
        final var done = new java.util.concurrent.CountDownLatch(1);
        mappingReg.close();
        vlanReg.close();
        thread.execute(() -> {
            closed = true;
            for (var session : sessions.values()) {
                state.deleteSwitch(session.dpid);
                session.adapter.disconnect();
            }
            connecting.forEach(session -> session.adapter.disconnect());
            sessions.clear();
            connecting.clear();
            state.close();
            done.countDown();
        });
        try {
            if (!done.await(5, TimeUnit.SECONDS)) {
                LOG.warn("OpenFlow: the switches' thread did not finish closing");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        thread.shutdown();
    }

    /**
     * One switch connection, from TCP accept to disconnection.
     */
    private final class Session implements ConnectionAdapter.MessageListener, ConnectionAdapter.SystemListener,
            ConnectionReadyListener {
        final ConnectionAdapter adapter;
        final Map<Long, PortState> ports = new TreeMap<>();
        String dpid;
        Set<Flow> installed = Set.of();
        boolean echoPending;
        boolean gone;
        int errors;

        Session(final ConnectionAdapter adapter) {
            this.adapter = adapter;
        }

        @Override
        public void onConnectionReady() {
            // on the OpenFlow thread
            send(adapter.hello(FlowMessages.hello(xid())), "HELLO");
        }

        @Override
        public void onHello(final HelloMessage hello) {
            submit(() -> {
                if (gone || dpid != null) {
                    return;
                }
                Futures.addCallback(adapter.getFeatures(FlowMessages.features(xid())), new FutureCallback<>() {
                    @Override
                    public void onSuccess(final RpcResult<GetFeaturesOutput> result) {
                        if (result.isSuccessful() && result.getResult() != null) {
                            final long datapathId = result.getResult().getDatapathId().longValue();
                            submit(() -> identified(datapathId));
                        } else {
                            LOG.warn("OpenFlow: switch {} did not answer FEATURES: {}", adapter.getRemoteAddress(),
                                result.getErrors());
                            adapter.disconnect();
                        }
                    }

                    @Override
                    public void onFailure(final Throwable cause) {
                        LOG.warn("OpenFlow: FEATURES to {} failed: {}", adapter.getRemoteAddress(),
                            cause.getMessage());
                        adapter.disconnect();
                    }
                }, thread);
            });
        }

        private void identified(final long datapathId) {
            if (gone) {
                return;
            }
            dpid = ServalModel.dpid(datapathId);
            connecting.remove(this);
            adapter.setDatapathId(new BigInteger(Long.toUnsignedString(datapathId)));
            final var previous = sessions.put(dpid, this);
            if (previous != null) {
                // the switch reconnected before its old connection timed out
                previous.gone = true;
                previous.adapter.disconnect();
            }
            final var remote = adapter.getRemoteAddress();
            LOG.info("OpenFlow: switch {} connected from {}", dpid, remote);
            state.putSwitch(dpid, remote == null ? null : remote.getAddress(),
                remote == null ? 0 : remote.getPort(), true, 0, List.of());
            send(adapter.multipartRequest(FlowMessages.portDescriptions(xid())), "port descriptions");
            program(true);
        }

        void handshakeTimedOut() {
            if (connecting.remove(this) && dpid == null) {
                LOG.warn("OpenFlow: {} did not complete the handshake within {} ms; disconnecting",
                    adapter.getRemoteAddress(), Bounds.OPENFLOW_HANDSHAKE_MILLIS);
                gone = true;
                adapter.disconnect();
            }
        }

        /**
         * Installs the switch's plan: all of SERVAL's flows deleted by cookie, then the plan's flows added, with a
         * barrier between so that no switch reorders an add before the delete. Left alone when the plan is what
         * was installed, unless forced (a new connection: the switch may hold anything).
         */
        void program(final boolean force) {
            if (gone || dpid == null) {
                return;
            }
            final var plan = FlowPlan.compute(mappings.getOrDefault(dpid, List.of()), vids);
            if (!force && plan.equals(installed)) {
                return;
            }
            send(adapter.flowMod(FlowMessages.deleteOurs(xid())), "delete flows");
            send(adapter.barrier(FlowMessages.barrier(xid())), "barrier");
            for (var flow : plan) {
                send(adapter.flowMod(FlowMessages.add(flow, xid())), "add flow");
            }
            send(adapter.barrier(FlowMessages.barrier(xid())), "barrier");
            installed = plan;
            LOG.info("OpenFlow: switch {} programmed with {} flows", dpid, plan.size());
            state.connectedAndFlows(dpid, true, plan.size());
        }

        private void send(final ListenableFuture<?> sent, final String what) {
            Futures.addCallback(sent, new FutureCallback<Object>() {
                @Override
                public void onSuccess(final Object result) {
                    if (result instanceof RpcResult<?> rpc && !rpc.isSuccessful()) {
                        LOG.debug("OpenFlow: {} to {} failed: {}", what, dpid, rpc.getErrors());
                    }
                }

                @Override
                public void onFailure(final Throwable cause) {
                    LOG.debug("OpenFlow: {} to {} failed: {}", what, dpid, cause.getMessage());
                }
            }, com.google.common.util.concurrent.MoreExecutors.directExecutor());
        }

        @Override
        public void onMultipartReply(final MultipartReplyMessage reply) {
            if (reply.getType() != MultipartType.OFPMPPORTDESC
                || !(reply.getMultipartReplyBody() instanceof MultipartReplyPortDescCase body)) {
                return;
            }
            final var described = new ArrayList<PortState>();
            for (var port : body.getMultipartReplyPortDesc().nonnullPorts()) {
                final var portState = toPortState(port);
                if (portState != null) {
                    described.add(portState);
                }
            }
            submit(() -> {
                if (gone || dpid == null) {
                    return;
                }
                for (var port : described) {
                    if (ports.size() < Bounds.OPENFLOW_PORTS_PER_SWITCH || ports.containsKey(port.number())) {
                        ports.put(port.number(), port);
                    }
                }
                state.putSwitch(dpid, hostOf(), portOf(), true, installed.size(), ports.values());
            });
        }

        @Override
        public void onPortStatus(final PortStatusMessage status) {
            final var port = toPortState(status);
            if (port == null) {
                return;
            }
            final boolean deleted = status.getReason() == PortReason.OFPPRDELETE;
            submit(() -> {
                if (gone || dpid == null) {
                    return;
                }
                if (deleted) {
                    if (ports.remove(port.number()) != null) {
                        state.deletePort(dpid, port.number());
                    }
                } else if (ports.size() < Bounds.OPENFLOW_PORTS_PER_SWITCH || ports.containsKey(port.number())) {
                    ports.put(port.number(), port);
                    state.putPort(dpid, port);
                }
                LOG.debug("OpenFlow: switch {} port {} {}", dpid, port.number(), deleted ? "deleted" : port.state());
            });
        }

        private InetAddress hostOf() {
            final var remote = adapter.getRemoteAddress();
            return remote == null ? null : remote.getAddress();
        }

        private int portOf() {
            final var remote = adapter.getRemoteAddress();
            return remote == null ? 0 : remote.getPort();
        }

        @Override
        public void onEchoRequest(final EchoRequestMessage echo) {
            send(adapter.echoReply(FlowMessages.echoReply(echo.getXid(), echo.getData())), "echo reply");
        }

        @Override
        public void onError(final ErrorMessage error) {
            submit(() -> {
                errors++;
                if (errors <= Bounds.OPENFLOW_ERRORS_LOGGED) {
                    LOG.warn("OpenFlow: switch {} sent error type {} code {} (xid {})", dpid, error.getType(),
                        error.getCode(), error.getXid());
                } else {
                    LOG.debug("OpenFlow: switch {} sent error type {} code {}", dpid, error.getType(),
                        error.getCode());
                }
            });
        }

        @Override
        public void onExperimenter(final ExperimenterMessage experimenter) {
            // SERVAL uses no experimenter extension
        }

        @Override
        public void onPacketIn(final PacketInMessage packetIn) {
            // No flow of SERVAL's sends to the controller; a switch's default miss entry might.
        }

        @Override
        public void onFlowRemoved(final FlowRemovedMessage flowRemoved) {
            // SERVAL's flows are permanent and ask for no removal message
        }

        @Override
        public void onSwitchIdle(final SwitchIdleEvent idle) {
            submit(() -> {
                if (echoPending) {
                    LOG.warn("OpenFlow: switch {} answered no echo; disconnecting", dpid);
                    adapter.disconnect();
                    return;
                }
                echoPending = true;
                Futures.addCallback(adapter.echo(FlowMessages.echo(xid())), new FutureCallback<Object>() {
                    @Override
                    public void onSuccess(final Object result) {
                        echoPending = false;
                    }

                    @Override
                    public void onFailure(final Throwable cause) {
                        LOG.debug("OpenFlow: echo to {} failed: {}", dpid, cause.getMessage());
                    }
                }, thread);
            });
        }

        @Override
        public void onSslConnectionError(final SslConnectionError error) {
            LOG.warn("OpenFlow: TLS with {} failed: {}", adapter.getRemoteAddress(), error.getInfo());
        }

        @Override
        public void onDisconnect(final DisconnectEvent disconnect) {
            submit(() -> {
                gone = true;
                connecting.remove(this);
                if (dpid != null && sessions.get(dpid) == this) {
                    sessions.remove(dpid);
                    LOG.info("OpenFlow: switch {} disconnected", dpid);
                    state.connectedAndFlows(dpid, false, 0);
                }
            });
        }
    }

    private static PortState toPortState(final PortGrouping port) {
        if (port.getPortNo() == null) {
            return null;
        }
        final long number = port.getPortNo().toJava();
        if (number == 0 || number > OFPP_MAX) {
            return null;
        }
        final var config = port.getConfig();
        final var link = port.getState();
        final State portState;
        if (config != null && Boolean.TRUE.equals(config.getPortDown())) {
            portState = State.ADMIN_DOWN;
        } else if (link != null && Boolean.TRUE.equals(link.getLinkDown())) {
            portState = State.LINK_DOWN;
        } else {
            portState = State.UP;
        }
        return new PortState(number, port.getName(), portState);
    }
}
