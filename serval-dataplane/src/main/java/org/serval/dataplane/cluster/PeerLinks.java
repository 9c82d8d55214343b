/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.cluster;

import static java.util.Objects.requireNonNull;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
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
import javax.net.ssl.SSLException;
import org.serval.api.LocalNodeView;
import org.serval.api.NodeInfo;
import org.serval.dataplane.Bounds;
import org.serval.dataplane.security.Fingerprints;
import org.serval.dataplane.security.ServerIdentity;
import org.serval.dataplane.session.Dataplane;
import org.serval.dataplane.switching.SwitchPort;
import org.serval.dataplane.transport.EventLoops;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's links to the other nodes of its cluster: the direct path for frames between clients on different
 * nodes, which never goes through the datastore.
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
 * cannot interleave. Frames go straight from the switch to a link's channel.
 */
public final class PeerLinks implements AutoCloseable {
    /**
     * The frames' bytes a link to another node carried since it came up (metrics).
     *
     * @param sentOctets bytes of the frames sent to that node
     * @param receivedOctets bytes of the frames that node sent
     */
    public record LinkTraffic(long sentOctets, long receivedOctets) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(PeerLinks.class);
    private static final WriteBufferWaterMark WATER_MARK =
        new WriteBufferWaterMark(Bounds.PEER_LOW_WATER, Bounds.PEER_HIGH_WATER);
    static final long PING_MILLIS = 500;
    // Four pings missed: the link is down (a crash on the same host closes the socket sooner). That stops frames to
    // the other node and nothing else: whether the node is gone is the cluster's call (its heartbeat, docs/cluster.md).
    static final long DEAD_MILLIS = 2000;
    private static final long RECONNECT_MILLIS = 1000;

    private final Dataplane dataplane;
    private final String self;
    private final LocalNodeView nodes;
    private final ServerIdentity identity;
    private final Consumer<String> peerLost;
    private final EventLoopGroup group;
    private final EventExecutor control;
    private final Channel listener;
    private final boolean epoll = Epoll.isAvailable();
    private final Consumer<Collection<NodeInfo>> onNodes = changed -> execute(this::connectMissing);
    // Control executor only.
    private final Map<String, Peer> peers = new HashMap<>();
    private final Set<String> connecting = new HashSet<>();
    private final Map<String, Integer> interests = new HashMap<>();
    // This node's numbers for VLANs, used by any thread that sends a frame.
    private final ConcurrentHashMap<String, Integer> refs = new ConcurrentHashMap<>();
    private final AtomicInteger nextRef = new AtomicInteger(1);
    private final LongAdder dropped = new LongAdder();
    // The same ids as peers' keys, for any thread to read.
    private final Set<String> linked = ConcurrentHashMap.newKeySet();
    // The same links, for the metrics endpoint to read their counters.
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
        final var bound = new ServerBootstrap()
            .group(group)
            .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
            .childHandler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(final SocketChannel ch) throws SSLException {
                    pipeline(ch, null, null);
                }
            })
            .bind(bind).sync();
        listener = bound.channel();
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

    /**
     * A client of this node joined a VLAN with a MAC (negative for a port with no MAC of its own: a bridged
     * interface, whose hosts the other nodes learn from their frames).
     */
    public void joined(final String vlan, final long mac) {
        execute(() -> {
            final int count = interests.merge(vlan, 1, Integer::sum);
            final int ref = ref(vlan);
            for (var peer : peers.values()) {
                if (count == 1) {
                    peer.send(new PeerMessage.Interest(ref, true, vlan));
                }
                if (mac >= 0) {
                    peer.send(new PeerMessage.Learn(ref, mac));
                }
            }
        });
    }

    /**
     * A client of this node left a VLAN (or its session ended).
     */
    public void left(final String vlan) {
        execute(() -> {
            final Integer count = interests.computeIfPresent(vlan, (key, now) -> now > 1 ? now - 1 : null);
            if (count == null) {
                final int ref = ref(vlan);
                peers.values().forEach(peer -> peer.send(new PeerMessage.Interest(ref, false, vlan)));
            }
        });
    }

    /**
     * The ids of the nodes linked to this one now.
     */
    public Set<String> linkedPeers() {
        return Set.copyOf(linked);
    }

    /**
     * What each link that is up carried, by the other node's id.
     */
    public Map<String, LinkTraffic> linkTraffic() {
        final var all = new HashMap<String, LinkTraffic>();
        live.forEach((id, peer) -> all.put(id, new LinkTraffic(peer.sentOctets.sum(), peer.receivedOctets.sum())));
        return all;
    }

    /**
     * Frames that could not go to another node: its link was congested or gone.
     */
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
            new Bootstrap()
                .group(group)
                .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) DEAD_MILLIS)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(final SocketChannel ch) throws SSLException {
                        pipeline(ch, id, node.fingerprint());
                    }
                })
                .connect(address)
                .addListener(future -> {
                    if (!future.isSuccess()) {
                        execute(() -> connecting.remove(id));
                        LOG.debug("Cannot link to node {} at {}: {}", id, address, future.cause().getMessage());
                    }
                });
        }
    }

    /**
     * Sets up a link's pipeline.
     *
     * @param expectedId the node this end connected to, or null on the accepting end
     * @param fingerprint the certificate that node must present, or null on the accepting end
     */
    private void pipeline(final SocketChannel ch, final String expectedId, final String fingerprint)
            throws SSLException {
        if (identity != null) {
            final var context = expectedId == null ? identity.peerServerContext()
                : identity.peerClientContext(fingerprint);
            ch.pipeline().addLast("tls", context.newHandler(ch.alloc()));
        }
        PeerCodec.addTo(ch.pipeline());
        ch.pipeline()
            .addLast("idle", new IdleStateHandler(DEAD_MILLIS, PING_MILLIS, 0, TimeUnit.MILLISECONDS))
            .addLast("link", new LinkHandler(expectedId));
    }

    /**
     * An established link: the other node's id, its VLAN numbers, and the ports it has in this node's switches.
     */
    private final class Peer {
        final String id;
        final Channel channel;
        final Map<Integer, String> theirRefs = new ConcurrentHashMap<>();
        final Map<String, NodePort> ports = new ConcurrentHashMap<>();
        // one add per frame beside the write it accompanies, read only by the metrics endpoint
        final LongAdder sentOctets = new LongAdder();
        final LongAdder receivedOctets = new LongAdder();

        Peer(final String id, final Channel channel) {
            this.id = id;
            this.channel = channel;
        }

        void send(final PeerMessage msg) {
            channel.writeAndFlush(msg, channel.voidPromise());
        }

        void interest(final PeerMessage.Interest interest) {
            theirRefs.put(interest.vlanRef(), interest.vlan());
            if (interest.on()) {
                ports.computeIfAbsent(interest.vlan(), vlan -> {
                    final var port = new NodePort(this, vlan);
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

    /**
     * Another node's attachment to a VLAN's switch.
     */
    private final class NodePort implements SwitchPort {
        final Peer peer;
        final String vlan;

        NodePort(final Peer peer, final String vlan) {
            this.peer = peer;
            this.vlan = vlan;
        }

        @Override
        public void deliver(final ByteBuf frame) {
            final var channel = peer.channel;
            if (!channel.isWritable()) {
                frame.release();
                dropped.increment();
                return;
            }
            peer.sentOctets.add(frame.readableBytes());
            channel.writeAndFlush(new PeerMessage.Frame(ref(vlan), frame), channel.voidPromise());
        }

        @Override
        public String owner() {
            return "node " + peer.id;
        }

        @Override
        public boolean isRemote() {
            return true;
        }
    }

    private final class LinkHandler extends SimpleChannelInboundHandler<PeerMessage> {
        private final String expectedId;
        private Peer peer;

        LinkHandler(final String expectedId) {
            this.expectedId = expectedId;
        }

        @Override
        public void channelActive(final ChannelHandlerContext ctx) throws Exception {
            // The connecting end speaks first; the accepting end answers only once it has checked who that is, so
            // that neither takes a link to be up that the other refuses.
            if (expectedId != null) {
                final var tls = ctx.pipeline().get(SslHandler.class);
                if (tls == null) {
                    hello(ctx);
                } else {
                    tls.handshakeFuture().addListener(done -> {
                        if (done.isSuccess()) {
                            hello(ctx);
                        }
                    });
                }
            }
            super.channelActive(ctx);
        }

        private void hello(final ChannelHandlerContext ctx) {
            ctx.writeAndFlush(new PeerMessage.Hello(PeerMessage.VERSION, self));
        }

        @Override
        protected void channelRead0(final ChannelHandlerContext ctx, final PeerMessage msg) {
            if (peer == null) {
                if (!(msg instanceof PeerMessage.Hello hello)) {
                    refuse(ctx, "the first message must be HELLO");
                    return;
                }
                accept(ctx, hello);
                return;
            }
            switch (msg) {
                case PeerMessage.Frame frame -> {
                    final var vlan = peer.theirRefs.get(frame.vlanRef());
                    final var port = vlan == null ? null : peer.ports.get(vlan);
                    if (port == null || dataplane.directory().vlan(vlan).isEmpty()) {
                        dropped.increment();
                        return;
                    }
                    peer.receivedOctets.add(frame.content().readableBytes());
                    dataplane.switchFor(vlan).receive(port, frame.content().retain(), System.nanoTime());
                }
                case PeerMessage.Interest interest -> {
                    final var current = peer;
                    execute(() -> current.interest(interest));
                }
                case PeerMessage.Learn learn -> {
                    final var current = peer;
                    execute(() -> {
                        final var vlan = current.theirRefs.get(learn.vlanRef());
                        final var port = vlan == null ? null : current.ports.get(vlan);
                        if (port != null) {
                            dataplane.switchFor(vlan).learnAt(learn.mac(), port, System.nanoTime());
                        }
                    });
                }
                case PeerMessage.Ping ping -> {
                    // the idle handler has seen it
                }
                case PeerMessage.Hello hello -> refuse(ctx, "HELLO was sent twice");
            }
        }

        private void accept(final ChannelHandlerContext ctx, final PeerMessage.Hello hello) {
            final var id = hello.nodeId();
            if (expectedId != null && !expectedId.equals(id)) {
                refuse(ctx, "expected node " + expectedId + ", the other end says it is " + id);
                return;
            }
            if (id.equals(self)) {
                refuse(ctx, "the other end says it is this node, " + id);
                return;
            }
            final var known = nodes.node(id);
            if (known.isEmpty()) {
                refuse(ctx, "node " + id + " is not in the node list (yet)");
                return;
            }
            final var tls = ctx.pipeline().get(SslHandler.class);
            if (tls != null) {
                final var presented = Fingerprints.ofPeer(tls.engine());
                if (presented == null || !presented.equals(known.orElseThrow().fingerprint())) {
                    refuse(ctx, "node " + id + " presented certificate " + presented
                        + ", not the one the node list gives");
                    return;
                }
            }
            if (expectedId == null) {
                hello(ctx);
            }
            final var link = new Peer(id, ctx.channel());
            peer = link;
            execute(() -> {
                if (expectedId != null) {
                    connecting.remove(id);
                }
                if (!ctx.channel().isActive()) {
                    return;
                }
                final var previous = peers.put(id, link);
                if (previous != null) {
                    previous.channel.close();
                    previous.detachAll();
                }
                linked.add(id);
                live.put(id, link);
                LOG.info("Linked to node {} at {}", id, ctx.channel().remoteAddress());
                for (var entry : interests.entrySet()) {
                    link.send(new PeerMessage.Interest(ref(entry.getKey()), true, entry.getKey()));
                }
            });
        }

        private void refuse(final ChannelHandlerContext ctx, final String why) {
            LOG.warn("Refusing the node link with {}: {}", ctx.channel().remoteAddress(), why);
            ctx.close();
        }

        @Override
        public void userEventTriggered(final ChannelHandlerContext ctx, final Object evt) throws Exception {
            if (evt instanceof IdleStateEvent idle) {
                switch (idle.state()) {
                    case WRITER_IDLE -> ctx.writeAndFlush(new PeerMessage.Ping());
                    case READER_IDLE -> {
                        LOG.warn("Node link with {} silent for {} ms; closing it",
                            peer == null ? ctx.channel().remoteAddress() : peer.id, DEAD_MILLIS);
                        ctx.close();
                    }
                    default -> {
                        // not configured
                    }
                }
                return;
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause) {
            LOG.warn("Node link with {}: {}", peer == null ? ctx.channel().remoteAddress() : peer.id,
                cause.getMessage());
            ctx.close();
        }

        @Override
        public void channelInactive(final ChannelHandlerContext ctx) throws Exception {
            final var gone = peer;
            execute(() -> {
                if (expectedId != null) {
                    connecting.remove(expectedId);
                }
                if (gone != null && peers.remove(gone.id, gone)) {
                    gone.detachAll();
                    linked.remove(gone.id);
                    live.remove(gone.id, gone);
                    LOG.info("Link to node {} is down", gone.id);
                    peerLost.accept(gone.id);
                }
            });
            super.channelInactive(ctx);
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
