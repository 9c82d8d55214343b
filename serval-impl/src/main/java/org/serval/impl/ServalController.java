/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.impl;

import static java.util.Objects.requireNonNull;
import static org.opendaylight.mdsal.common.api.LogicalDatastoreType.OPERATIONAL;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import javax.net.ssl.SSLException;
import org.opendaylight.mdsal.binding.api.DataBroker;
import org.opendaylight.mdsal.binding.api.NotificationPublishService;
import org.opendaylight.mdsal.binding.api.RpcProviderService;
import org.opendaylight.mdsal.common.api.CommitInfo;
import org.opendaylight.mdsal.dom.api.DOMDataBroker;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.IetfInetUtil;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.PortNumber;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.cluster.rev261130.Node1Builder;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.Clients;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.NodeId;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.Transport;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.VlanStatistics;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.nodes.NodeBuilder;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.nodes.node.Endpoint;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.nodes.node.EndpointBuilder;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.nodes.node.LoadBuilder;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.nodes.node.PeeringBuilder;
import org.opendaylight.yangtools.binding.util.BindingMap;
import org.opendaylight.yangtools.yang.common.Uint16;
import org.opendaylight.yangtools.yang.common.Uint32;
import org.opendaylight.yangtools.yang.common.Uint64;
import org.opendaylight.yangtools.yang.common.Uint8;
import org.serval.api.LocalNodeView;
import org.serval.api.LocalSecurityView;
import org.serval.api.LocalVlanView;
import org.serval.api.NodeInfo;
import org.serval.api.VlanDirectory;
import org.serval.dataplane.bridge.LinuxWires;
import org.serval.dataplane.cluster.PeerLinks;
import org.serval.dataplane.security.Fingerprints;
import org.serval.dataplane.security.Resumption;
import org.serval.dataplane.security.ServerIdentity;
import org.serval.dataplane.security.TicketBook;
import org.serval.dataplane.session.Dataplane;
import org.serval.dataplane.session.DataplaneSettings;
import org.serval.dataplane.session.Gatekeeper;
import org.serval.dataplane.transport.TcpTransport;
import org.serval.dataplane.transport.UdpTransport;
import org.serval.impl.metrics.CommitTimes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's SERVAL: the local view and the listeners that keep it current, the RPCs, the dataplane with its
 * listeners, and the node's own entry in the operational node list. Free of OSGi so that tests can run it on a
 * plain data broker.
 */
public final class ServalController implements AutoCloseable {
    /**
     * Where a node listens and how others reach it.
     *
     * @param tcp where the dataplane accepts TCP clients, or null for no listener (tests of the controller)
     * @param udp where the dataplane accepts UDP clients, or null for none
     * @param peer where the node accepts links from other nodes of its cluster, or null for none
     * @param advertise the address clients and other nodes use to reach this node's listeners; null for the
     *     address they are bound to, or when that is a wildcard, this host's first non-loopback address
     * @param threads event loop threads per transport; 0 for one per core
     */
    public record Sockets(InetSocketAddress tcp, InetSocketAddress udp, InetSocketAddress peer, String advertise,
            int threads) {
        public static final Sockets NONE = new Sockets(null, null, null, null, 0);
    }

    private static final Logger LOG = LoggerFactory.getLogger(ServalController.class);
    private static final long SWEEP_SECONDS = 5;
    private static final int CLEANUP_ATTEMPTS = 20;
    // Per UDP socket (one per core); TCP is bounded by the process's file descriptors instead.
    private static final int MAX_UDP_PEERS_PER_SOCKET = 65_536;

    private final DataBroker broker;
    private final String nodeId;
    // Tickets wait this long for their first sealed datagram; a client sends it at once.
    private static final int TICKET_SECONDS = 30;
    private static final int MAX_WAITING_TICKETS = 4096;
    private static final int LOGIN_THREADS = 2;

    private final LocalVlanView view = new LocalVlanView();
    private final LocalNodeView nodes = new LocalNodeView();
    private final NodeViewUpdater nodeUpdater;
    private final Consumer<Collection<NodeInfo>> nodesToClients;
    private final DatastoreClientRegistry registry;
    private final PeerLinks peers;
    private final String advertise;
    private final NodeLiveness liveness;
    private final NodeLiveness.Timing timing;
    // This node's heartbeat (serval-cluster), written with its entry every beat; housekeeping thread only.
    private long heartbeat;
    private final AtomicBoolean publishing = new AtomicBoolean();
    private volatile boolean publishFailed;
    private final LocalSecurityView security = new LocalSecurityView();
    private final Gatekeeper gatekeeper;
    private final Dataplane dataplane;
    private final VlanViewUpdater updater;
    private final SecurityViewUpdater securityUpdater;
    private final VlanRpcs rpcs;
    private final UserRpcs userRpcs;
    private final ServerIdentity identity;
    private final VidUniquenessCheck vidCheck;
    private final AddressingCheck addressingCheck;
    private final AddressingUpdater addressingUpdater;
    private final BridgeCheck bridgeCheck;
    private final BridgeUpdater bridgeUpdater;
    private final ScheduledExecutorService housekeeping;
    private final ResumptionKeyUpdater resumptionKeys;
    private final TcpTransport tcp;
    private final UdpTransport udp;

    /**
     * Starts a node.
     *
     * @param sockets where it listens
     * @param identity the TLS identity that encrypts both transports, or null for plaintext (benchmarks only)
     * @param hashIterations the PBKDF2 cost of the password hashes set-password writes
     */
    public ServalController(final DataBroker broker, final DOMDataBroker domBroker,
            final RpcProviderService rpcProvider, final NotificationPublishService notifications,
            final DataplaneSettings settings, final int getVlansLimit, final Sockets sockets,
            final ServerIdentity identity, final int hashIterations) throws InterruptedException {
        this(broker, domBroker, rpcProvider, notifications, settings, getVlansLimit, sockets, identity,
            hashIterations, NodeLiveness.Timing.DEFAULT);
    }

    /**
     * Starts a node that beats and judges other nodes with its own timing (tests).
     */
    ServalController(final DataBroker broker, final DOMDataBroker domBroker,
            final RpcProviderService rpcProvider, final NotificationPublishService notifications,
            final DataplaneSettings settings, final int getVlansLimit, final Sockets sockets,
            final ServerIdentity identity, final int hashIterations, final NodeLiveness.Timing timing)
            throws InterruptedException {
        this.broker = requireNonNull(broker);
        this.timing = requireNonNull(timing);
        this.identity = identity;
        nodeId = settings.nodeId();
        gatekeeper = new Gatekeeper(security, new TicketBook(MAX_WAITING_TICKETS, TICKET_SECONDS), LOGIN_THREADS);
        registry = new DatastoreClientRegistry(broker, view, notifications, nodeId);
        dataplane = new Dataplane(settings, view, registry, gatekeeper);
        updater = new VlanViewUpdater(broker, view, nodeId, new VlanViewUpdater.Sessions() {
            @Override
            public boolean hasSession(final String clientId) {
                return dataplane.hasSession(clientId);
            }

            @Override
            public void disconnect(final String clientId) {
                dataplane.disconnect(clientId);
            }

            @Override
            public void revoke(final String clientId, final String vlan, final int reason) {
                dataplane.revoke(clientId, vlan, reason);
            }

            @Override
            public void decisionChanged(final String clientId, final String vlan) {
                dataplane.decisionChanged(clientId, vlan);
            }

            @Override
            public boolean isOfEarlierSession(final String clientId, final long generation) {
                return registry.isOfEarlierSession(clientId, generation);
            }
        });
        nodeUpdater = new NodeViewUpdater(broker, nodes);
        liveness = new NodeLiveness(broker, nodeId, timing);
        nodesToClients = dataplane::nodesChanged;
        nodes.listen(nodesToClients);
        securityUpdater = new SecurityViewUpdater(broker, security, this::userChanged, this::accessChanged);
        vidCheck = VidUniquenessCheck.register(domBroker, view);
        addressingCheck = AddressingCheck.register(domBroker);
        addressingUpdater = new AddressingUpdater(broker, dataplane.addressing(), nodeId);
        // this node's bridged interfaces (docs/architecture.md, "Bridged interfaces")
        bridgeCheck = BridgeCheck.register(domBroker, view, nodeId,
            new BridgeCheck.Interfaces(LinuxWires::exists, LinuxWires::masterOf));
        bridgeUpdater = new BridgeUpdater(broker, dataplane, nodeId, new LinuxWires());
        rpcs = new VlanRpcs(broker, rpcProvider, notifications, view, security, nodeId, getVlansLimit);
        dataplane.attachVlanRequests(new ClientVlanRequests(rpcs));
        userRpcs = new UserRpcs(broker, rpcProvider, hashIterations);
        housekeeping = Executors.newSingleThreadScheduledExecutor(runnable -> {
            final var thread = new Thread(runnable, "serval-housekeeping");
            thread.setDaemon(true);
            return thread;
        });
        resumptionKeys = new ResumptionKeyUpdater(broker, gatekeeper.resumption(), housekeeping);
        TcpTransport startedTcp = null;
        UdpTransport startedUdp = null;
        PeerLinks startedPeers = null;
        boolean started = false;
        try {
            if (identity == null) {
                LOG.warn("SERVAL's dataplane runs WITHOUT ENCRYPTION (dataplane.plaintext = true): frames and "
                    + "passwords cross the network in the clear. Use this for benchmarks only.");
            } else {
                LOG.info("SERVAL's dataplane certificate: {}", Fingerprints.display(identity.fingerprint()));
            }
            final SslContext tls;
            try {
                tls = identity == null ? null : identity.serverContext();
            } catch (SSLException e) {
                throw new IllegalStateException("cannot set up TLS: " + e.getMessage(), e);
            }
            startedTcp = sockets.tcp() == null ? null
                : TcpTransport.start(dataplane, sockets.tcp(), sockets.threads(), tls);
            startedUdp = sockets.udp() == null ? null : UdpTransport.start(dataplane, sockets.udp(),
                sockets.threads(), MAX_UDP_PEERS_PER_SOCKET, identity != null);
            startedPeers = sockets.peer() == null ? null : PeerLinks.start(dataplane, nodes, identity,
                this::peerLost, sockets.peer(), sockets.threads());
            started = true;
        } finally {
            if (!started) {
                // A port taken: leave nothing registered behind, since no one will close a half-built node.
                if (startedTcp != null) {
                    startedTcp.close();
                }
                if (startedUdp != null) {
                    startedUdp.close();
                }
                stopControlPlane();
                registry.close();
            }
        }
        tcp = startedTcp;
        udp = startedUdp;
        peers = startedPeers;
        advertise = sockets.advertise() != null && !sockets.advertise().isBlank() ? sockets.advertise().strip()
            : Advertised.address(sockets.tcp());
        // Entries a previous run of this node left behind (it crashed and came back before anyone cleaned up).
        removeClientsOf(nodeId, false, 0);
        publishNode();
        housekeeping.scheduleWithFixedDelay(this::sweep, SWEEP_SECONDS, SWEEP_SECONDS, TimeUnit.SECONDS);
        housekeeping.scheduleWithFixedDelay(this::beat, timing.beatMillis(), timing.beatMillis(),
            TimeUnit.MILLISECONDS);
        LOG.info("SERVAL controller started on node {}", nodeId);
    }

    /**
     * A user changed: its sessions on this node whose credential was revoked end, the others' memberships are
     * decided again. On the listener's thread: nothing here waits.
     */
    private void userChanged(final String user) {
        final int count = dataplane.userChanged(user);
        if (count > 0) {
            LOG.info("User {} changed; disconnected {} of its client(s) on this node whose credential no longer "
                + "holds", user, count);
        }
    }

    private void accessChanged() {
        final int count = dataplane.recheckMemberships(user -> true);
        if (count > 0) {
            LOG.info("Access control changed; ended {} membership(s) on this node it no longer permits", count);
        }
    }

    private void sweep() {
        dataplane.sweep(System.nanoTime());
        registry.republish();
    }

    /**
     * This node's heartbeat, and the judgement of the others': a node whose heartbeat stood still for the grace
     * period is gone by the cluster's agreement, and its clients (which are reconnecting to the survivors) and its
     * node entry go. Every survivor tries; the removal only takes entries that still name the dead node, so a
     * client that moved meanwhile keeps its new entry.
     */
    private void beat() {
        publishNode();
        for (var id : liveness.overdue()) {
            LOG.info("Node {} wrote no heartbeat for {} ms; it is gone, removing its clients", id,
                timing.graceMillis());
            removeClientsOf(id, true, 1);
        }
    }

    /**
     * A link to another node went down. That alone stops only the frames to it: its clients stay in the registry
     * until its heartbeat stops (a link blips, or port 4100 is cut, while the node and its clients are fine).
     */
    private void peerLost(final String id) {
        LOG.debug("Link to node {} lost; its clients stay while its heartbeat goes on", id);
    }

    private void removeClientsOf(final String node, final boolean dead, final int attempt) {
        if (dead && liveness.isAlive(node)) {
            LOG.info("Node {} is beating again; nothing to clean up", node);
            return;
        }
        final var tx = broker.newReadWriteTransaction();
        final var clientsRead = tx.read(OPERATIONAL, ServalPaths.CLIENTS);
        // a dead node's switch counters go too: nobody else writes or removes them
        final var statisticsRead = dead ? tx.read(OPERATIONAL, ServalPaths.VLAN_STATISTICS)
            : Futures.immediateFuture(Optional.<VlanStatistics>empty());
        final var read = Futures.whenAllSucceed(clientsRead, statisticsRead).call(() -> {
            final var gone = Futures.getDone(clientsRead).map(Clients::nonnullClient).map(Map::values)
                .orElse(List.of()).stream()
                .filter(client -> client.getNode() != null && node.equals(client.getNode().getValue()))
                .map(client -> client.getId().getValue())
                .toList();
            gone.forEach(id -> tx.delete(OPERATIONAL, ServalPaths.client(id)));
            Futures.getDone(statisticsRead).map(VlanStatistics::nonnullVlan).map(Map::values).orElse(List.of())
                .stream().filter(entry -> node.equals(entry.getNode().getValue()))
                .forEach(entry -> tx.delete(OPERATIONAL, ServalPaths.vlanStatistics(entry.getName().getValue(),
                    node)));
            return gone;
        }, MoreExecutors.directExecutor());
        Futures.addCallback(read, new FutureCallback<List<String>>() {
            @Override
            public void onSuccess(final List<String> gone) {
                if (dead) {
                    tx.delete(OPERATIONAL, ServalPaths.node(node));
                } else if (gone.isEmpty()) {
                    tx.cancel();
                    return;
                }
                Futures.addCallback(tx.commit(), new FutureCallback<CommitInfo>() {
                    @Override
                    public void onSuccess(final CommitInfo result) {
                        LOG.info("Removed {} client(s) of {} node {}", gone.size(), dead ? "dead" : "this earlier",
                            node);
                    }

                    @Override
                    public void onFailure(final Throwable cause) {
                        retry(node, dead, attempt, cause);
                    }
                }, MoreExecutors.directExecutor());
            }

            @Override
            public void onFailure(final Throwable cause) {
                tx.cancel();
                retry(node, dead, attempt, cause);
            }
        }, MoreExecutors.directExecutor());
    }

    private void retry(final String node, final boolean dead, final int attempt, final Throwable cause) {
        if (attempt >= CLEANUP_ATTEMPTS || housekeeping.isShutdown()) {
            LOG.warn("Giving up removing the clients of node {}", node, cause);
            return;
        }
        // Typically the datastore electing a new leader after that very node died.
        LOG.info("Removing the clients of node {} failed ({}); trying again in {} s", node, cause.getMessage(),
            SWEEP_SECONDS);
        housekeeping.schedule(() -> removeClientsOf(node, dead, attempt + 1), SWEEP_SECONDS, TimeUnit.SECONDS);
    }

    public VlanDirectory directory() {
        return view;
    }

    VlanRpcs rpcs() {
        return rpcs;
    }

    /**
     * How long this node's writes to the operational datastore take, for the metrics endpoint.
     */
    public CommitTimes commitTimes() {
        return registry.commitTimes();
    }

    /**
     * This node's dataplane, whose counters the metrics endpoint reads.
     */
    public Dataplane dataplane() {
        return dataplane;
    }

    AddressingUpdater addressingUpdater() {
        return addressingUpdater;
    }

    LocalSecurityView security() {
        return security;
    }

    UserRpcs userRpcs() {
        return userRpcs;
    }

    /**
     * The resumption credentials this node issues and accepts, with the cluster's keys.
     */
    Resumption resumption() {
        return gatekeeper.resumption();
    }

    public String nodeId() {
        return nodeId;
    }

    /**
     * Where the dataplane accepts TCP clients, or null.
     */
    public InetSocketAddress tcpAddress() {
        return tcp == null ? null : tcp.localAddress();
    }

    /**
     * Where the dataplane accepts UDP clients, or null.
     */
    public InetSocketAddress udpAddress() {
        return udp == null ? null : udp.localAddress();
    }

    private Endpoint endpoint(final Transport transport, final int port) {
        return new EndpointBuilder()
            .setTransport(transport)
            .setAddress(IetfInetUtil.hostFor(advertise))
            .setPort(new PortNumber(Uint16.valueOf(port)))
            .build();
    }

    /**
     * Writes this node's entry: where clients and other nodes reach it, its certificate, its load, and its
     * heartbeat, once a beat, so the node list heals itself (a survivor took this node for dead during a
     * partition). A write still in flight (the datastore electing a leader) is not piled on.
     */
    private void publishNode() {
        if (!publishing.compareAndSet(false, true)) {
            return;
        }
        final var node = new NodeBuilder()
            .setId(new NodeId(nodeId))
            .addAugmentation(new Node1Builder().setHeartbeat(Uint64.valueOf(++heartbeat)).build())
            .setLoad(new LoadBuilder()
                .setClients(Uint32.valueOf(dataplane.sessionCount()))
                .setCpuPercent(Uint8.valueOf(Advertised.cpuPercent()))
                .build());
        final var endpoints = new ArrayList<Endpoint>();
        if (tcp != null) {
            endpoints.add(endpoint(Transport.Tcp, tcp.localAddress().getPort()));
        }
        if (udp != null) {
            endpoints.add(endpoint(Transport.Udp, udp.localAddress().getPort()));
        }
        if (!endpoints.isEmpty()) {
            node.setEndpoint(BindingMap.of(endpoints));
        }
        if (peers != null) {
            node.setPeering(new PeeringBuilder()
                .setAddress(IetfInetUtil.hostFor(advertise))
                .setPort(new PortNumber(Uint16.valueOf(peers.localAddress().getPort())))
                .build());
        }
        if (identity != null) {
            node.setTlsFingerprint(identity.fingerprint());
        }
        final var tx = broker.newWriteOnlyTransaction();
        tx.put(OPERATIONAL, ServalPaths.node(nodeId), node.build());
        Futures.addCallback(tx.commit(), new FutureCallback<CommitInfo>() {
            @Override
            public void onSuccess(final CommitInfo result) {
                publishing.set(false);
                if (publishFailed) {
                    publishFailed = false;
                    LOG.info("Publishing node {} works again", nodeId);
                }
            }

            @Override
            public void onFailure(final Throwable cause) {
                publishing.set(false);
                // written again at the next beat; said once, not every second of an election
                if (!publishFailed) {
                    publishFailed = true;
                    LOG.warn("Publishing node {} failed: {}", nodeId, cause.getMessage());
                }
            }
        }, MoreExecutors.directExecutor());
    }

    /**
     * This node's links to the other nodes, or null (tests cut them).
     */
    PeerLinks peerLinks() {
        return peers;
    }

    private void stopControlPlane() {
        housekeeping.shutdownNow();
        resumptionKeys.close();
        liveness.close();
        nodes.unlisten(nodesToClients);
        nodeUpdater.close();
        rpcs.close();
        userRpcs.close();
        securityUpdater.close();
        gatekeeper.close();
        if (vidCheck != null) {
            vidCheck.close();
        }
        if (addressingCheck != null) {
            addressingCheck.close();
        }
        addressingUpdater.close();
        bridgeUpdater.close();
        if (bridgeCheck != null) {
            bridgeCheck.close();
        }
        updater.close();
    }

    @Override
    public void close() {
        if (peers != null) {
            peers.close();
        }
        if (tcp != null) {
            tcp.close();
        }
        if (udp != null) {
            udp.close();
        }
        stopControlPlane();
        registry.close();
        final var tx = broker.newWriteOnlyTransaction();
        tx.delete(OPERATIONAL, ServalPaths.node(nodeId));
        // Best effort: a node that goes away without this is removed by the survivors (cluster issue).
        Commits.logOutcome(tx.commit(), "withdrawing node " + nodeId);
        LOG.info("SERVAL controller on node {} stopped", nodeId);
    }
}
