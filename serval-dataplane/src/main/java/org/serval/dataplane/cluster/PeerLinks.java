/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.cluster;

import static java.util.Objects.requireNonNull;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.serval.api.LocalNodeView;
import org.serval.api.NodeInfo;
import org.serval.dataplane.security.ServerIdentity;
import org.serval.dataplane.session.ClusterLinks;
import org.serval.dataplane.session.Dataplane;
import org.serval.dataplane.transport.EventLoops;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's links to the other nodes of its cluster: the direct path for frames between clients on different
 * nodes, which never goes through the datastore. This class keeps the set of links and what they carry; the parts
 * are {@link PeerSockets} (the node-link port and the dialling), {@link NodeLink} (one link: its handshake and its
 * outbox), {@link NodePort} (another node's port in a VLAN's switch) and {@link PeerCodec} (the wire).
 *
 * <p>The nodes are fully meshed, one TCP connection per pair, opened by the node with the smaller id to the
 * peering endpoint the other announces in the node list. Both ends authenticate with their node certificates
 * (mutual TLS 1.3) and accept only the certificate the node list gives for the id the other end names. A node tells
 * each peer which VLANs it has members in (INTEREST); a VLAN's switch gets one port per interested peer, so
 * flooding reaches only nodes with members, and unicast goes to the node the destination MAC was learned from.
 * A client that joins announces its MAC (LEARN), so that a client that moved between nodes is found at once.
 *
 * <p>Threads: links run on their own event loops; everything about which links exist and what this node is
 * interested in happens on one of them, the control executor, so that a link coming up and an interest changing
 * cannot interleave. Frames go from the switch to a link's outbox, as to a client's.
 */
public final class PeerLinks implements ClusterLinks, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PeerLinks.class);
    private static final long RECONNECT_MILLIS = 1000;

    private final Dataplane dataplane;
    private final String self;
    private final LocalNodeView nodes;
    private final ServerIdentity identity;
    private final Consumer<String> peerLost;
    private final EventLoopGroup group;
    private final EventExecutor control;
    private final PeerSockets sockets;
    private final Channel listener;
    private final Consumer<Collection<NodeInfo>> onNodes = changed -> execute(this::connectMissing);
    // Control executor only.
    private final Map<String, Peer> peers = new HashMap<>();
    private final Set<String> connecting = new HashSet<>();
    private final Map<String, Integer> interests = new HashMap<>();
    // This node's numbers for VLANs, used by any thread that sends a frame.
    private final ConcurrentHashMap<String, Integer> refs = new ConcurrentHashMap<>();
    private final AtomicInteger nextRef = new AtomicInteger(1);
    private final LongAdder dropped = new LongAdder();
    // The same links as peers, for any thread to read (the linked ids, the metrics).
    private final ConcurrentHashMap<String, Peer> live = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private PeerLinks(final Dataplane dataplane, final LocalNodeView nodes, final ServerIdentity identity,
            final Consumer<String> peerLost, final EventLoopGroup group, final InetSocketAddress bind)
            throws InterruptedException {
        this.dataplane = requireNonNull(dataplane);
        self = dataplane.settings().nodeId();
        this.nodes = requireNonNull(nodes);
        this.identity = identity;
        this.peerLost = requireNonNull(peerLost);
        this.group = group;
        control = group.next();
        sockets = new PeerSockets(self, identity, new NodeLink.Listener() {
            @Override
            public NodeLink.Receiver accepted(final NodeLink link, final PeerMessage.Hello hello)
                    throws NodeLink.Refused {
                return accept(link, hello);
            }

            @Override
            public void closed(final NodeLink link) {
                linkClosed(link);
            }
        }, dropped, group);
        listener = sockets.listen(bind);
    }

    /**
     * Starts accepting links from other nodes and connecting to them as the node list names them.
     *
     * @param identity this node's certificate, or null for plaintext links (dataplane.plaintext)
     * @param peerLost told the id of a node whose link went down, on the control executor; a link alone says
     *     nothing about whether the node is alive
     * @param threads event loop threads for the links; 0 for one per core
     */
    public static PeerLinks start(final Dataplane dataplane, final LocalNodeView nodes, final ServerIdentity identity,
            final Consumer<String> peerLost, final InetSocketAddress bind, final int threads)
            throws InterruptedException {
        final var group = EventLoops.create(threads, Epoll.isAvailable());
        PeerLinks links = null;
        try {
            links = new PeerLinks(dataplane, nodes, identity, peerLost, group, bind);
        } finally {
            if (links == null) {
                // the port was taken: no one will close a half-built instance
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            }
        }
        dataplane.attachPeers(links);
        nodes.listen(links.onNodes);
        links.control.scheduleWithFixedDelay(links::connectMissing, RECONNECT_MILLIS, RECONNECT_MILLIS,
            TimeUnit.MILLISECONDS);
        LOG.info("Node {} accepts links from other nodes on {}{}", links.self, links.localAddress(),
            identity == null ? " WITHOUT ENCRYPTION" : "");
        return links;
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) listener.localAddress();
    }

    private void execute(final Runnable task) {
        if (!closed) {
            control.execute(task);
        }
    }

    @Override
    public void joined(final String vlan, final long mac) {
        execute(() -> {
            final int count = interests.merge(vlan, 1, Integer::sum);
            final int ref = ref(vlan);
            for (var peer : peers.values()) {
                if (count == 1) {
                    peer.link.send(new PeerMessage.Interest(ref, true, vlan));
                }
                if (mac >= 0) {
                    peer.link.send(new PeerMessage.Learn(ref, mac));
                }
            }
        });
    }

    @Override
    public void left(final String vlan) {
        execute(() -> {
            final Integer count = interests.computeIfPresent(vlan, (key, now) -> now > 1 ? now - 1 : null);
            if (count == null) {
                final int ref = ref(vlan);
                peers.values().forEach(peer -> peer.link.send(new PeerMessage.Interest(ref, false, vlan)));
            }
        });
    }

    @Override
    public Set<String> linkedPeers() {
        return Set.copyOf(live.keySet());
    }

    @Override
    public Map<String, LinkTraffic> linkTraffic() {
        final var all = new HashMap<String, LinkTraffic>();
        live.forEach((id, peer) -> all.put(id, new LinkTraffic(peer.link.sentOctets(), peer.link.receivedOctets())));
        return all;
    }

    @Override
    public long droppedFrames() {
        return dropped.sum();
    }

    private int ref(final String vlan) {
        return refs.computeIfAbsent(vlan, name -> nextRef.getAndIncrement());
    }

    /**
     * Opens links to the nodes this one should connect to and has no link with: those with a larger id.
     */
    private void connectMissing() {
        if (closed) {
            return;
        }
        for (var node : nodes.nodes()) {
            final var id = node.id();
            if (self.compareTo(id) >= 0 || node.peering() == null || peers.containsKey(id)
                    || connecting.contains(id)) {
                continue;
            }
            if (identity != null && node.fingerprint() == null) {
                LOG.debug("Node {} announces no certificate; not linking to it", id);
                continue;
            }
            connecting.add(id);
            final var address = new InetSocketAddress(node.peering().host(), node.peering().port());
            sockets.dial(id, node.fingerprint(), address).addListener(future -> {
                if (!future.isSuccess()) {
                    execute(() -> connecting.remove(id));
                    LOG.debug("Cannot link to node {} at {}: {}", id, address, future.cause().getMessage());
                }
            });
        }
    }

    /**
     * Checks another node's HELLO, on its link's loop: the id is the one dialled (if this end dialled), not this
     * node's, in the node list, and its certificate is the one the list gives for it. Then, on the control
     * executor, the link replaces any earlier one with that node and hears this node's interests.
     */
    private Peer accept(final NodeLink link, final PeerMessage.Hello hello) throws NodeLink.Refused {
        final var id = hello.nodeId();
        final var expected = link.expectedId();
        if (expected != null && !expected.equals(id)) {
            throw new NodeLink.Refused("expected node " + expected + ", the other end says it is " + id);
        }
        if (id.equals(self)) {
            throw new NodeLink.Refused("the other end says it is this node, " + id);
        }
        final var known = nodes.node(id);
        if (known.isEmpty()) {
            throw new NodeLink.Refused("node " + id + " is not in the node list (yet)");
        }
        if (link.secure()) {
            final var presented = link.presentedFingerprint();
            if (presented == null || !presented.equals(known.orElseThrow().fingerprint())) {
                throw new NodeLink.Refused("node " + id + " presented certificate " + presented
                    + ", not the one the node list gives");
            }
        }
        final var peer = new Peer(id, link);
        execute(() -> {
            if (expected != null) {
                connecting.remove(id);
            }
            if (!link.isActive()) {
                return;
            }
            final var previous = peers.put(id, peer);
            if (previous != null) {
                previous.link.close();
                previous.detachAll();
            }
            live.put(id, peer);
            final var offloads = link.takesOffloads() ? "offloads go whole" : "offloads go cut";
            LOG.info("Linked to node {} at {} ({})", id, link.remoteAddress(), offloads);
            for (var entry : interests.entrySet()) {
                link.send(new PeerMessage.Interest(ref(entry.getKey()), true, entry.getKey()));
            }
        });
        return peer;
    }

    private void linkClosed(final NodeLink link) {
        execute(() -> {
            if (link.expectedId() != null) {
                connecting.remove(link.expectedId());
            }
            final var id = link.peerId();
            final var gone = id == null ? null : peers.get(id);
            if (gone != null && gone.link == link) {
                peers.remove(id);
                gone.detachAll();
                live.remove(id, gone);
                LOG.info("Link to node {} is down", id);
                peerLost.accept(id);
            }
        });
    }

    /**
     * An established link: the other node's id, its VLAN numbers, and the ports it has in this node's switches.
     */
    private final class Peer implements NodeLink.Receiver {
        final String id;
        final NodeLink link;
        final Map<Integer, String> theirRefs = new ConcurrentHashMap<>();
        final Map<String, NodePort> ports = new ConcurrentHashMap<>();

        Peer(final String id, final NodeLink link) {
            this.id = id;
            this.link = link;
        }

        @Override
        public void frame(final PeerMessage.Frame frame) {
            final var vlan = theirRefs.get(frame.vlanRef());
            final var port = vlan == null ? null : ports.get(vlan);
            if (port == null || dataplane.directory().vlan(vlan).isEmpty()) {
                frame.release();
                dropped.increment();
                return;
            }
            dataplane.switchFor(vlan).receive(port, frame.content(), frame.offload(), System.nanoTime());
        }

        @Override
        public void control(final PeerMessage message) {
            execute(() -> {
                switch (message) {
                    case PeerMessage.Interest interest -> interest(interest);
                    case PeerMessage.Learn learn -> {
                        final var vlan = theirRefs.get(learn.vlanRef());
                        final var port = vlan == null ? null : ports.get(vlan);
                        if (port != null) {
                            dataplane.switchFor(vlan).learnAt(learn.mac(), port, System.nanoTime());
                        }
                    }
                    default -> LOG.debug("Node {} sent {} as a control message", id, message);
                }
            });
        }

        private void interest(final PeerMessage.Interest interest) {
            theirRefs.put(interest.vlanRef(), interest.vlan());
            if (interest.on()) {
                ports.computeIfAbsent(interest.vlan(), vlan -> {
                    final var port = new NodePort(link, ref(vlan));
                    dataplane.switchFor(vlan).attach(port);
                    return port;
                });
            } else {
                final var port = ports.remove(interest.vlan());
                if (port != null) {
                    dataplane.switchFor(interest.vlan()).detach(port);
                }
            }
        }

        void detachAll() {
            ports.forEach((vlan, port) -> dataplane.switchFor(vlan).detach(port));
            ports.clear();
        }
    }

    @Override
    public void close() {
        nodes.unlisten(onNodes);
        closed = true;
        listener.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
