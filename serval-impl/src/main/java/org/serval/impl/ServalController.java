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

import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.opendaylight.mdsal.binding.api.DataBroker;
import org.opendaylight.mdsal.binding.api.NotificationPublishService;
import org.opendaylight.mdsal.binding.api.RpcProviderService;
import org.opendaylight.mdsal.dom.api.DOMDataBroker;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.IetfInetUtil;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.PortNumber;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261121.NodeId;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261121.Transport;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261121.nodes.NodeBuilder;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261121.nodes.node.Endpoint;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261121.nodes.node.EndpointBuilder;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261121.nodes.node.LoadBuilder;
import org.opendaylight.yangtools.binding.util.BindingMap;
import org.opendaylight.yangtools.yang.common.Uint16;
import org.opendaylight.yangtools.yang.common.Uint32;
import org.serval.api.LocalSecurityView;
import org.serval.api.LocalVlanView;
import org.serval.api.VlanDirectory;
import org.serval.dataplane.security.Fingerprints;
import org.serval.dataplane.security.ServerIdentity;
import org.serval.dataplane.security.TicketBook;
import org.serval.dataplane.session.Dataplane;
import org.serval.dataplane.session.DataplaneSettings;
import org.serval.dataplane.session.Gatekeeper;
import org.serval.dataplane.transport.TcpTransport;
import org.serval.dataplane.transport.UdpTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's SERVAL: the local view and the listeners that keep it current, the RPCs, the dataplane with its
 * listeners, and the node's own entry in the operational node list. Free of OSGi so that tests can run it on a
 * plain data broker.
 */
public final class ServalController implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServalController.class);
    private static final long SWEEP_SECONDS = 10;
    // Per UDP socket (one per core); TCP is bounded by the process's file descriptors instead.
    private static final int MAX_UDP_PEERS_PER_SOCKET = 65_536;

    private final DataBroker broker;
    private final String nodeId;
    // Tickets wait this long for their first sealed datagram; a client sends it at once.
    private static final int TICKET_SECONDS = 30;
    private static final int MAX_WAITING_TICKETS = 4096;
    private static final int LOGIN_THREADS = 2;

    private final LocalVlanView view = new LocalVlanView();
    private final LocalSecurityView security = new LocalSecurityView();
    private final Gatekeeper gatekeeper;
    private final Dataplane dataplane;
    private final VlanViewUpdater updater;
    private final SecurityViewUpdater securityUpdater;
    private final VlanRpcs rpcs;
    private final UserRpcs userRpcs;
    private final ServerIdentity identity;
    private final VidUniquenessCheck vidCheck;
    private final ScheduledExecutorService housekeeping;
    private final TcpTransport tcp;
    private final UdpTransport udp;

    /**
     * Starts a node.
     *
     * @param tcpBind where the dataplane accepts TCP clients, or null for no listener (tests of the controller)
     * @param udpBind where the dataplane accepts UDP clients, or null for none
     * @param threads event loop threads per transport; 0 for one per core
     * @param identity the TLS identity that encrypts both transports, or null for plaintext (benchmarks only)
     * @param hashIterations the PBKDF2 cost of the password hashes set-password writes
     */
    public ServalController(final DataBroker broker, final DOMDataBroker domBroker,
            final RpcProviderService rpcProvider, final NotificationPublishService notifications,
            final DataplaneSettings settings, final int getVlansLimit, final InetSocketAddress tcpBind,
            final InetSocketAddress udpBind, final int threads, final ServerIdentity identity,
            final int hashIterations) throws InterruptedException {
        this.broker = requireNonNull(broker);
        this.identity = identity;
        nodeId = settings.nodeId();
        gatekeeper = new Gatekeeper(security, new TicketBook(MAX_WAITING_TICKETS, TICKET_SECONDS), LOGIN_THREADS);
        dataplane = new Dataplane(settings, view,
            new DatastoreClientRegistry(broker, view, notifications, nodeId), gatekeeper);
        updater = new VlanViewUpdater(broker, view, nodeId, dataplane::disconnect);
        securityUpdater = new SecurityViewUpdater(broker, security, user -> {
            final int count = dataplane.disconnectUser(user);
            if (count > 0) {
                LOG.info("User {} was revoked; disconnected its {} client(s) on this node", user, count);
            }
        });
        vidCheck = VidUniquenessCheck.register(domBroker, view);
        rpcs = new VlanRpcs(broker, rpcProvider, notifications, view, security, nodeId, getVlansLimit);
        userRpcs = new UserRpcs(broker, rpcProvider, hashIterations);
        housekeeping = Executors.newSingleThreadScheduledExecutor(runnable -> {
            final var thread = new Thread(runnable, "serval-housekeeping");
            thread.setDaemon(true);
            return thread;
        });
        housekeeping.scheduleWithFixedDelay(() -> dataplane.sweep(System.nanoTime()), SWEEP_SECONDS, SWEEP_SECONDS,
            TimeUnit.SECONDS);
        TcpTransport startedTcp = null;
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
            startedTcp = tcpBind == null ? null : TcpTransport.start(dataplane, tcpBind, threads, tls);
            udp = udpBind == null ? null : UdpTransport.start(dataplane, udpBind, threads,
                MAX_UDP_PEERS_PER_SOCKET, identity != null);
            started = true;
        } finally {
            if (!started) {
                // A port taken: leave nothing registered behind, since no one will close a half-built node.
                if (startedTcp != null) {
                    startedTcp.close();
                }
                stopControlPlane();
            }
        }
        tcp = startedTcp;
        announceNode();
        LOG.info("SERVAL controller started on node {}", nodeId);
    }

    public VlanDirectory directory() {
        return view;
    }

    VlanRpcs rpcs() {
        return rpcs;
    }

    LocalSecurityView security() {
        return security;
    }

    UserRpcs userRpcs() {
        return userRpcs;
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

    private static Endpoint endpoint(final Transport transport, final InetSocketAddress address) {
        return new EndpointBuilder()
            .setTransport(transport)
            .setAddress(IetfInetUtil.hostFor(address.getAddress().getHostAddress()))
            .setPort(new PortNumber(Uint16.valueOf(address.getPort())))
            .build();
    }

    private void announceNode() {
        final var node = new NodeBuilder()
            .setId(new NodeId(nodeId))
            .setLoad(new LoadBuilder().setClients(Uint32.ZERO).build());
        final var endpoints = new ArrayList<Endpoint>();
        if (tcp != null) {
            endpoints.add(endpoint(Transport.Tcp, tcp.localAddress()));
        }
        if (udp != null) {
            endpoints.add(endpoint(Transport.Udp, udp.localAddress()));
        }
        if (!endpoints.isEmpty()) {
            node.setEndpoint(BindingMap.of(endpoints));
        }
        if (identity != null) {
            node.setTlsFingerprint(identity.fingerprint());
        }
        final var tx = broker.newWriteOnlyTransaction();
        tx.put(OPERATIONAL, ServalPaths.node(nodeId), node.build());
        Commits.logOutcome(tx.commit(), "announcing node " + nodeId);
    }

    private void stopControlPlane() {
        housekeeping.shutdownNow();
        rpcs.close();
        userRpcs.close();
        securityUpdater.close();
        gatekeeper.close();
        if (vidCheck != null) {
            vidCheck.close();
        }
        updater.close();
    }

    @Override
    public void close() {
        if (tcp != null) {
            tcp.close();
        }
        if (udp != null) {
            udp.close();
        }
        stopControlPlane();
        final var tx = broker.newWriteOnlyTransaction();
        tx.delete(OPERATIONAL, ServalPaths.node(nodeId));
        // Best effort: a node that goes away without this is removed by the survivors (cluster issue).
        Commits.logOutcome(tx.commit(), "withdrawing node " + nodeId);
        LOG.info("SERVAL controller on node {} stopped", nodeId);
    }
}
