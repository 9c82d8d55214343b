/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.client;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.DatagramPacketDecoder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.serval.client.tap.LinuxTap;
import org.serval.client.tap.TapDevice;
import org.serval.dataplane.ethernet.Offload;
import org.serval.dataplane.ethernet.Segmenter;
import org.serval.dataplane.protocol.Message;
import org.serval.dataplane.protocol.MessageDecoder;
import org.serval.dataplane.protocol.MessageEncoder;
import org.serval.dataplane.protocol.NodeLists;
import org.serval.dataplane.protocol.StreamPipeline;
import org.serval.dataplane.security.ClientKeys;
import org.serval.dataplane.security.SealedDatagramCodec;
import org.serval.dataplane.security.ServerTrust;
import org.serval.dataplane.transport.Warmup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running client: one connection to the server, one TAP interface per joined VLAN, frames moved both ways.
 */
public final class ServalClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServalClient.class);
    private static final long ANSWER_TIMEOUT_SECONDS = 10;
    // Until the server's WELCOME says otherwise; docs/protocol.md, "MTU".
    private static final int DEFAULT_TAP_MTU = 1400;
    // Pending writes to the server per connection; above this, frames read from a TAP are dropped, not queued.
    private static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(64 * 1024, 256 * 1024);
    private static final int UDP_SOCKET_BUFFER = 1024 * 1024;

    /**
     * One joined VLAN and its interface.
     */
    private static final class Attachment {
        final String vlan;
        // Assigned by the node in JOINED, anew after each failover.
        volatile int vlanRef;
        final TapDevice tap;
        final byte[] macBytes;
        final String mac;
        final AtomicLong fromTap = new AtomicLong();
        final AtomicLong toTap = new AtomicLong();
        final AtomicLong dropped = new AtomicLong();
        final AtomicLong answered = new AtomicLong();
        final NeighborCache neighbors;
        // Set when the TAP is polled by the event loop; frames to the TAP are then written through it.
        volatile TapPoller poller;
        volatile IoRegistration polling;

        Attachment(final String vlan, final int vlanRef, final TapDevice tap, final byte[] mac) {
            this.vlan = vlan;
            this.vlanRef = vlanRef;
            this.tap = tap;
            macBytes = mac.clone();
            this.mac = HexFormat.ofDelimiter(":").formatHex(mac);
            neighbors = new NeighborCache(macLong(mac));
        }
    }

    private final ClientOptions options;
    // Native epoll on Linux: the TAP interfaces are then polled by the connection's own event loop (TapPoller).
    private static final boolean EPOLL = Epoll.isAvailable();
    private static final long WARMUP_MILLIS = 4_000;

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1,
        EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    private final BlockingQueue<Message> answers = new LinkedBlockingQueue<>(64);
    private final List<Attachment> attachments = new ArrayList<>();
    private final Map<Integer, Attachment> byRef = new ConcurrentHashMap<>();
    private volatile boolean closing;
    private volatile Channel channel;
    private volatile Message.Welcome welcome;
    // Where the client is connected (or connecting) now: --server at first, then a node from the node list.
    private volatile String host;
    private volatile int port;
    // The node list the server last sent (NODES), for failover.
    private volatile List<Message.NodeEntry> nodes = List.of();
    private final NodeLists.Assembler nodeParts = new NodeLists.Assembler();
    private final AtomicLong failovers = new AtomicLong();
    // The node a full node sent this client to (ERROR moved), until the client has gone there.
    private volatile String movedTo;
    private long requestIds = 1;
    private final ServerTrust trust;
    private final SslContext tls;

    public ServalClient(final ClientOptions options) throws ClientFailure {
        this.options = options;
        host = options.host();
        port = options.port();
        if (options.plaintext()) {
            LOG.warn("Connecting WITHOUT ENCRYPTION (--plaintext): frames and the password cross the network in "
                + "the clear");
            trust = null;
            tls = null;
            return;
        }
        try {
            trust = options.pin() != null ? ServerTrust.pinned(options.pin())
                : options.ca() != null ? ServerTrust.authorities(options.ca()) : ServerTrust.nothing();
            tls = trust.clientContext(options.certificate() == null ? null : ClientKeys.load(options.certificate()));
        } catch (IOException e) {
            throw new ClientFailure(ClientFailure.USAGE, e.getMessage(), e);
        }
    }

    /**
     * The HELLO that logs in: with the client certificate when there is one, else with the password.
     */
    private Message.Hello login(final int flags) {
        return options.certificate() != null
            ? new Message.Hello(1, options.clientId(), flags, options.user(), Message.Hello.AUTH_CERTIFICATE, "")
            : new Message.Hello(1, options.clientId(), flags, options.user(), Message.Hello.AUTH_PASSWORD,
                options.password());
    }

    /**
     * A MAC that stays the same for this client and VLAN across restarts: locally administered, unicast.
     */
    static byte[] stableMac(final String clientId, final String vlan) {
        try {
            final var digest = MessageDigest.getInstance("SHA-256")
                .digest((clientId + "/" + vlan).getBytes(StandardCharsets.UTF_8));
            final var mac = new byte[6];
            System.arraycopy(digest, 0, mac, 0, 6);
            mac[0] = (byte) (mac[0] & 0xfe | 0x02);
            return mac;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /**
     * Runs the hot path over loopback first, so that the first frames of the session do not run interpreted.
     */
    private static void warmUp() throws InterruptedException {
        try {
            Warmup.startLogged(WARMUP_MILLIS).get(WARMUP_MILLIS * 2, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            // logged by the warm-up; only speed is at stake
        } catch (TimeoutException e) {
            LOG.info("The JIT warm-up did not end in time; connecting anyway");
        }
    }

    /**
     * Brings the interfaces up, connects and joins every VLAN. The interfaces come first, so that they exist (for
     * the system to configure) while the server is still being reached, and stay across reconnections.
     */
    public void start() throws ClientFailure, InterruptedException {
        // Before the interfaces: an interface that is up means the client is about to join, as it did before.
        if (options.warmup()) {
            warmUp();
        }
        final List<TapDevice> taps = new ArrayList<>();
        for (var entry : options.vlans().entrySet()) {
            try {
                final var tap = LinuxTap.create(entry.getValue(), offloads());
                taps.add(tap);
                tap.setMac(stableMac(options.clientId(), entry.getKey()));
                tap.setMtu(DEFAULT_TAP_MTU);
                tap.setUp(true);
            } catch (IOException e) {
                taps.forEach(ServalClient::closeQuietly);
                throw new ClientFailure(ClientFailure.NO_TAP, e.getMessage(), e);
            }
        }
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(options.retrySeconds());
        int redirects = 0;
        while (true) {
            try {
                welcome = connectAndLogIn();
                break;
            } catch (ClientFailure e) {
                if (channel != null) {
                    channel.close().awaitUninterruptibly();
                }
                // A full node names a lighter one: go there at once (a few times at most, against ping-pong).
                if (movedTo != null && redirects++ < 3 && goTo(movedTo)) {
                    LOG.info("Redirected: {}", e.getMessage());
                    continue;
                }
                if (e.exitCode() == ClientFailure.AUTH || System.nanoTime() > deadline) {
                    taps.forEach(ServalClient::closeQuietly);
                    throw e;
                }
                LOG.info("{}; trying again", e.getMessage());
                Thread.sleep(1000);
            }
        }
        LOG.info("Connected to {}:{} over {} (node {}), TAP MTU {}", host, port, options.transport(),
            welcome.nodeId(), welcome.tapMtu());
        // One task for the life of the client: it pings whichever connection is current.
        channel.eventLoop().scheduleAtFixedRate(new Runnable() {
            private long seq;

            @Override
            public void run() {
                final var current = channel;
                if (current.isActive()) {
                    current.writeAndFlush(new Message.Keepalive(++seq & 0xFFFFFFFFL));
                }
            }
        }, welcome.keepaliveMillis(), welcome.keepaliveMillis(), TimeUnit.MILLISECONDS);

        int index = 0;
        for (var vlan : options.vlans().keySet()) {
            final var tap = taps.get(index++);
            final var mac = stableMac(options.clientId(), vlan);
            Message.Joined joined;
            while (true) {
                try {
                    joined = join(vlan, mac);
                    break;
                } catch (ClientFailure e) {
                    if (e.exitCode() != ClientFailure.VLAN_REFUSED || System.nanoTime() > deadline) {
                        taps.forEach(ServalClient::closeQuietly);
                        throw e;
                    }
                    LOG.info("{}; trying again", e.getMessage());
                    Thread.sleep(1000);
                }
            }
            setMtu(tap);
            final var attachment = new Attachment(vlan, joined.vlanRef(), tap, mac);
            attachments.add(attachment);
            index(attachment);
            try {
                startReader(attachment);
            } catch (IOException e) {
                taps.forEach(ServalClient::closeQuietly);
                throw new ClientFailure(ClientFailure.NO_TAP, e.getMessage(), e);
            }
            LOG.info("Joined VLAN {} as {} ({})", vlan, tap.name(), attachment.mac);
        }
    }

    private Message.Joined join(final String vlan, final byte[] mac) throws ClientFailure, InterruptedException {
        return request(new Message.Join(requestIds++, macLong(mac), vlan), Message.Joined.class, "JOINED for " + vlan);
    }

    private void setMtu(final TapDevice tap) {
        try {
            if (welcome.tapMtu() != DEFAULT_TAP_MTU) {
                tap.setMtu(welcome.tapMtu());
            }
        } catch (IOException e) {
            LOG.warn("Cannot set the MTU of {} to {}: {}", tap.name(), welcome.tapMtu(), e.getMessage());
        }
    }

    /**
     * The connection was lost without this client closing it: its node died, or the network between them did.
     * Reconnects to a node from the last node list (the least loaded first, the lost one last, then --server),
     * logs in again and joins the same VLANs with the same MACs, so that the interfaces, their addresses and the
     * other members' neighbour caches all stay valid. Gives up after --reconnect seconds.
     *
     * @return whether the client is connected again
     */
    private boolean failover() throws InterruptedException {
        final var lost = welcome == null ? null : welcome.nodeId();
        final long started = System.nanoTime();
        final long deadline = started + TimeUnit.SECONDS.toNanos(options.reconnectSeconds());
        LOG.warn("Lost the connection to node {} at {}:{}; reconnecting", lost, host, port);
        int round = 0;
        while (!closing && System.nanoTime() - deadline < 0) {
            for (var candidate : candidates(lost, round++ > 0)) {
                if (closing) {
                    return false;
                }
                host = candidate.host();
                port = candidate.port();
                try {
                    welcome = connectAndLogIn();
                    rejoin();
                    failovers.incrementAndGet();
                    LOG.info("Reconnected to node {} at {}:{} after {} ms", welcome.nodeId(), host, port,
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
                    return true;
                } catch (ClientFailure e) {
                    // a full node's pointer is not followed here: the candidates are already lightest first
                    movedTo = null;
                    LOG.info("Node at {}:{}: {}", host, port, e.getMessage());
                    final var current = channel;
                    if (current != null) {
                        current.close().awaitUninterruptibly();
                    }
                    if (e.exitCode() == ClientFailure.AUTH) {
                        // A login refused here is refused everywhere: the nodes share the users.
                        return false;
                    }
                }
            }
            Thread.sleep(500);
        }
        return false;
    }

    private record Candidate(String host, int port) {
    }

    /**
     * The nodes of the last list that speak this client's transport.
     */
    private List<Message.NodeEntry> reachableNodes() {
        final int transport = udp() ? Message.NodeEntry.UDP : Message.NodeEntry.TCP;
        return nodes.stream().filter(node -> node.transport() == transport).toList();
    }

    /**
     * Points the next connection at a node of the last node list, on this client's transport.
     *
     * @return false when the list has no such node
     */
    private boolean goTo(final String nodeId) {
        movedTo = null;
        for (var node : reachableNodes()) {
            if (node.nodeId().equals(nodeId)) {
                host = node.host();
                port = node.port();
                return true;
            }
        }
        return false;
    }

    /**
     * Where to go after losing a node: the nodes of the last list that speak this client's transport, least
     * loaded first, the lost node last (it may only have dropped the connection), then --server.
     */
    private List<Candidate> candidates(final String lost, final boolean again) {
        final var usable = new ArrayList<>(reachableNodes());
        usable.sort(java.util.Comparator.<Message.NodeEntry>comparingInt(node -> node.nodeId().equals(lost) ? 1 : 0)
            .thenComparingLong(Message.NodeEntry::loadScore));
        final var result = new ArrayList<Candidate>();
        for (var node : usable) {
            if (again || !node.nodeId().equals(lost) || usable.size() == 1) {
                result.add(new Candidate(node.host(), node.port()));
            }
        }
        result.add(new Candidate(options.host(), options.port()));
        return result;
    }

    /**
     * Joins every VLAN again on a new connection, with the MAC each interface has.
     */
    private void rejoin() throws ClientFailure, InterruptedException {
        byRef.clear();
        for (var attachment : attachments) {
            final var joined = join(attachment.vlan, attachment.macBytes);
            attachment.vlanRef = joined.vlanRef();
            index(attachment);
            setMtu(attachment.tap);
        }
    }

    private static void closeQuietly(final TapDevice tap) {
        try {
            tap.close();
        } catch (IOException e) {
            LOG.debug("Closing {}: {}", tap.name(), e.getMessage());
        }
    }

    /**
     * Whether the TAPs hand out TCP super-frames and partial checksums to pass on whole: over a TCP stream (a UDP
     * datagram cannot carry 64 KB), when the TAP is polled by the event loop (Linux), unless --no-offload.
     */
    private boolean offloads() {
        return options.offload() && !udp() && EPOLL;
    }

    private boolean udp() {
        return "udp".equals(options.transport());
    }

    /**
     * Connects and logs in. Over sealed UDP the password goes over TLS first, for a ticket whose keys then seal
     * the datagrams (docs/protocol.md, "Sealed UDP").
     */
    private Message.Welcome connectAndLogIn() throws ClientFailure, InterruptedException {
        if (!udp() || options.plaintext()) {
            connect(udp(), null);
            return request(login(offloads() ? Message.Hello.OFFLOAD : 0), Message.Welcome.class, "WELCOME");
        }
        connect(false, null);
        final Message.Ticket ticket;
        try {
            ticket = request(login(Message.Hello.TICKET), Message.Ticket.class, "TICKET");
        } finally {
            channel.close().awaitUninterruptibly();
        }
        connect(true, ticket);
        return request(new Message.Hello(1, options.clientId(), 0, "", Message.Hello.AUTH_TICKET, ""),
            Message.Welcome.class, "WELCOME");
    }

    /**
     * How long the server may stay silent before the connection counts as dead: as long as the server waits for
     * this client (expire_after keepalive periods), once it has said so in WELCOME.
     */
    private long idleMillis() {
        final var known = welcome;
        return known == null ? 30_000 : known.keepaliveMillis() * Math.max(2, known.expireAfter());
    }

    private void connect(final boolean datagrams, final Message.Ticket ticket)
            throws ClientFailure, InterruptedException {
        final long idleMillis = idleMillis();
        answers.clear();
        final var bootstrap = new Bootstrap()
            .group(group)
            .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK);
        if (datagrams) {
            // A connected datagram socket: one message per datagram, and the kernel drops anything not from the
            // server. Sealed with the ticket's keys, or bare when both ends were told --plaintext.
            bootstrap.channel(EPOLL ? EpollDatagramChannel.class : NioDatagramChannel.class)
                .option(ChannelOption.SO_RCVBUF, UDP_SOCKET_BUFFER)
                .option(ChannelOption.SO_SNDBUF, UDP_SOCKET_BUFFER)
                .handler(new ChannelInitializer<DatagramChannel>() {
                    @Override
                    protected void initChannel(final DatagramChannel ch) {
                        ch.pipeline().addLast("idle", new IdleStateHandler(idleMillis, 0, 0, TimeUnit.MILLISECONDS));
                        if (ticket != null) {
                            ch.pipeline().addLast("sealed", new SealedDatagramCodec(ticket));
                        } else {
                            ch.pipeline()
                                .addLast("decoder", new DatagramPacketDecoder(new MessageDecoder()))
                                .addLast("encoder", MessageEncoder.INSTANCE);
                        }
                        ch.pipeline().addLast("client", new Inbound());
                    }
                });
        } else {
            bootstrap.channel(EPOLL ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(final SocketChannel ch) {
                        ch.pipeline().addLast("idle", new IdleStateHandler(idleMillis, 0, 0, TimeUnit.MILLISECONDS));
                        if (tls != null) {
                            final var handler = tls.newHandler(ch.alloc(), host, port);
                            if (trust.checksHostName()) {
                                final var parameters = handler.engine().getSSLParameters();
                                parameters.setEndpointIdentificationAlgorithm("HTTPS");
                                handler.engine().setSSLParameters(parameters);
                            }
                            ch.pipeline().addLast(StreamPipeline.TLS, handler);
                        }
                        StreamPipeline.addProtocol(ch.pipeline()).addLast("client", new Inbound());
                    }
                });
        }
        final var future = bootstrap.connect(host, port).await();
        if (!future.isSuccess()) {
            throw new ClientFailure(ClientFailure.SERVER, "cannot reach the server at " + host + ":" + port + ": "
                + future.cause().getMessage(), future.cause());
        }
        channel = future.channel();
        final var handshake = channel.pipeline().get(SslHandler.class);
        if (handshake != null && !handshake.handshakeFuture().await().isSuccess()) {
            channel.close().awaitUninterruptibly();
            throw new ClientFailure(ClientFailure.AUTH, "TLS with " + host + ":" + port + " failed: "
                + tlsReason(handshake.handshakeFuture().cause()));
        }
    }

    private static String tlsReason(final Throwable failure) {
        Throwable deepest = failure;
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof CertificateException) {
                return cause.getMessage();
            }
            deepest = cause;
        }
        final var message = String.valueOf(deepest.getMessage());
        return message.contains("Unsupported or unrecognized SSL message") || message.contains("plaintext")
            ? "the server does not speak TLS (if it runs with dataplane.plaintext = true, use --plaintext)"
            : message;
    }

    /**
     * Sends a request and waits for its answer. Over UDP a request or its answer may be lost, so the request is
     * sent again every second until the answer comes; the server answers a repeated HELLO or JOIN as it did the
     * first, and the answers to the repeats are recognised and skipped.
     */
    private <T extends Message> T request(final Message request, final Class<T> type, final String what)
            throws ClientFailure, InterruptedException {
        final long id = request instanceof Message.Join join ? join.request() : 0;
        final long resendNanos = TimeUnit.SECONDS.toNanos(1);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(ANSWER_TIMEOUT_SECONDS);
        long nextSend = System.nanoTime();
        while (true) {
            final long now = System.nanoTime();
            if (now - deadline >= 0) {
                return answer(null, type, what);
            }
            if (!channel.isActive()) {
                throw new ClientFailure(ClientFailure.SERVER, "the server closed the connection before " + what
                    + (options.plaintext() ? " (does it require encryption? then drop --plaintext)" : ""));
            }
            if (now - nextSend >= 0) {
                channel.writeAndFlush(request);
                nextSend = channel instanceof DatagramChannel ? now + resendNanos : deadline;
            }
            final var answer = answers.poll(Math.min(Math.min(deadline, nextSend) - now,
                TimeUnit.MILLISECONDS.toNanos(200)), TimeUnit.NANOSECONDS);
            final boolean stale = answer instanceof Message.Welcome && !(request instanceof Message.Hello)
                || answer instanceof Message.Joined joined && joined.request() != id
                || answer instanceof Message.Error error && error.request() != id;
            if (answer != null && !stale) {
                return answer(answer, type, what);
            }
        }
    }

    private <T extends Message> T answer(final Message answer, final Class<T> type, final String what)
            throws ClientFailure {
        if (type.isInstance(answer)) {
            return type.cast(answer);
        }
        if (answer instanceof Message.Error error && error.code() == Message.Error.MOVED) {
            movedTo = error.message();
            throw new ClientFailure(ClientFailure.SERVER, "node at " + host + ":" + port + " is full and sends this "
                + "client to node " + error.message());
        }
        if (answer instanceof Message.Error error && error.code() == Message.Error.AUTH_FAILED) {
            throw new ClientFailure(ClientFailure.AUTH, "the server refused the login: " + error.message());
        }
        if (answer instanceof Message.Error error) {
            final boolean vlanRefused = error.code() == Message.Error.UNKNOWN_VLAN
                || error.code() == Message.Error.VLAN_FULL || error.code() == Message.Error.DENIED;
            throw new ClientFailure(vlanRefused ? ClientFailure.VLAN_REFUSED : ClientFailure.SERVER,
                "the server refused: " + error.message());
        }
        throw new ClientFailure(ClientFailure.SERVER, answer == null
            ? "no " + what + " from the server within " + ANSWER_TIMEOUT_SECONDS + " s"
            : "expected " + what + ", got " + answer);
    }

    private void index(final Attachment attachment) {
        byRef.put(attachment.vlanRef, attachment);
    }

    private void startReader(final Attachment attachment) throws IOException {
        final var fd = EPOLL ? attachment.tap.pollableFd() : java.util.OptionalInt.empty();
        if (fd.isPresent()) {
            final var poller = new TapPoller(fd.getAsInt(), attachment.tap.name(), channel.alloc(),
                attachment.tap.offloads(), (frame, offload) -> fromTap(attachment, frame, offload, false),
                () -> channel.flush(), () -> channel.isWritable());
            ((IoEventLoop) channel.eventLoop()).register(poller).addListener(future -> {
                if (future.isSuccess()) {
                    final var registration = (IoRegistration) future.getNow();
                    registration.submit(EpollIoOps.EPOLLIN);
                    attachment.polling = registration;
                    attachment.poller = poller;
                } else {
                    LOG.error("Cannot poll {}: {}", attachment.tap.name(), future.cause().getMessage());
                }
            });
            return;
        }
        final var reader = new Thread(() -> {
            final var frame = new byte[TapDevice.MAX_FRAME];
            try {
                while (!closing) {
                    final int length = attachment.tap.read(frame);
                    if (length >= 14) {
                        fromTap(attachment, Unpooled.copiedBuffer(frame, 0, length), null, true);
                    }
                }
            } catch (IOException e) {
                if (!closing) {
                    LOG.warn("Reading from {} failed: {}", attachment.tap.name(), e.getMessage());
                }
            }
        }, "tap-" + attachment.tap.name());
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Sends a frame read from a TAP to the server, consuming it, unless the neighbour cache answers it here.
     *
     * @param flush whether to flush now; the poller flushes once per burst instead
     */
    private void fromTap(final Attachment attachment, final ByteBuf frame, final Offload offload,
            final boolean flush) {
        if (frame.readableBytes() < 14) {
            frame.release();
            return;
        }
        final var current = channel;
        final var answer = offload != null && offload.segments() ? null
            : attachment.neighbors.answer(current.alloc(), frame, System.nanoTime());
        if (answer != null) {
            frame.release();
            try {
                toTap(attachment, answer, null);
                attachment.answered.incrementAndGet();
            } finally {
                answer.release();
            }
            return;
        }
        if (!current.isWritable()) {
            // also while reconnecting: a frame has nowhere to go, and the host's own retransmissions recover
            frame.release();
            attachment.dropped.incrementAndGet();
            return;
        }
        attachment.fromTap.incrementAndGet();
        final var data = new Message.Data(attachment.vlanRef, frame, offload);
        if (flush) {
            current.writeAndFlush(data, current.voidPromise());
        } else {
            current.write(data, current.voidPromise());
        }
    }

    /**
     * Writes a frame into a TAP (the caller keeps its reference); a failure is counted as a drop.
     */
    private static void toTap(final Attachment attachment, final ByteBuf frame, final Offload offload) {
        if (offload != null && !attachment.tap.offloads()) {
            // Not asked for; cut here rather than lose it.
            Segmenter.resolve(frame.alloc(), frame.retain(), offload, plain -> {
                try {
                    toTap(attachment, plain, null);
                } finally {
                    plain.release();
                }
            });
            return;
        }
        try {
            final var poller = attachment.poller;
            if (poller != null) {
                poller.write(frame, offload);
            } else {
                final var bytes = ByteBufUtil.getBytes(frame);
                attachment.tap.write(bytes, bytes.length);
            }
            attachment.toTap.incrementAndGet();
        } catch (IOException e) {
            attachment.dropped.incrementAndGet();
        }
    }

    /**
     * Blocks until the connection ends.
     *
     * @return true if it ended because this client closed it
     */
    public boolean awaitEnd(final PrintStream status) throws InterruptedException {
        while (true) {
            final var closed = channel.closeFuture();
            while (!closed.await(options.statusSeconds() == 0 ? Long.MAX_VALUE / 2 : options.statusSeconds(),
                    TimeUnit.SECONDS)) {
                printStatus(status);
            }
            if (closing) {
                return true;
            }
            if (options.reconnectSeconds() == 0 || !failover()) {
                return closing;
            }
            printStatus(status);
        }
    }

    public void printStatus(final PrintStream out) {
        out.printf("SERVAL client %s -> %s:%d over %s, node %s, %s, %d failover(s)%n", options.clientId(), host,
            port, options.transport(), welcome == null ? "-" : welcome.nodeId(),
            channel != null && channel.isActive() ? "connected" : "disconnected", failovers.get());
        out.printf("  %-16s %-15s %-17s %12s %12s %9s %9s%n", "VLAN", "interface", "MAC", "frames out",
            "frames in", "dropped", "resolved");
        for (var a : attachments) {
            out.printf("  %-16s %-15s %-17s %12d %12d %9d %9d%n", a.vlan, a.tap.name(), a.mac, a.fromTap.get(),
                a.toTap.get(), a.dropped.get(), a.answered.get());
        }
        out.flush();
    }

    /**
     * Says goodbye, removes the interfaces, stops.
     */
    @Override
    public void close() {
        closing = true;
        if (channel != null && channel.isActive()) {
            channel.writeAndFlush(new Message.Bye(0)).awaitUninterruptibly(1, TimeUnit.SECONDS);
            channel.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
        }
        for (var attachment : attachments) {
            final var polling = attachment.polling;
            if (polling != null) {
                // before the descriptor goes, so that the loop never polls a closed (or reused) one
                group.submit(polling::cancel).awaitUninterruptibly(1, TimeUnit.SECONDS);
            }
            try {
                attachment.tap.close();
            } catch (IOException e) {
                LOG.warn("Removing {}: {}", attachment.tap.name(), e.getMessage());
            }
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
    }

    static long macLong(final byte[] mac) {
        long value = 0;
        for (byte b : mac) {
            value = value << 8 | b & 0xff;
        }
        return value;
    }

    private final class Inbound extends SimpleChannelInboundHandler<Message> {
        @Override
        protected void channelRead0(final ChannelHandlerContext ctx, final Message msg) {
            switch (msg) {
                case Message.Data data -> {
                    final var attachment = byRef.get(data.vlanRef());
                    if (attachment == null) {
                        return;
                    }
                    attachment.neighbors.learn(data.content(), System.nanoTime());
                    toTap(attachment, data.content(), data.offload());
                }
                case Message.Keepalive keepalive -> ctx.writeAndFlush(new Message.KeepaliveAck(keepalive.seq()));
                case Message.KeepaliveAck ack -> {
                    // the idle handler has seen it: the server is alive
                }
                case Message.Bye bye -> {
                    if (bye.reason() == Message.Bye.MOVE) {
                        LOG.info("Node {} is overloaded and asks this client to move to another node",
                            welcome == null ? "?" : welcome.nodeId());
                    } else {
                        LOG.info("The server ended the session");
                    }
                    ctx.close();
                }
                case Message.Nodes list -> {
                    if (trust != null) {
                        // Told by a node this client authenticated: its peers may be trusted too.
                        list.nodes().stream().map(Message.NodeEntry::fingerprint).filter(f -> !f.isEmpty())
                            .forEach(trust::alsoTrust);
                    }
                    // A long list comes in parts (docs/protocol.md, "Node lists in parts").
                    nodes = nodeParts.add(list);
                    LOG.debug("Node list: {}", nodes);
                }
                default -> {
                    if (!answers.offer(msg)) {
                        LOG.warn("Dropping unexpected {}", msg);
                    }
                }
            }
        }

        @Override
        public void userEventTriggered(final ChannelHandlerContext ctx, final Object evt) throws Exception {
            if (evt instanceof IdleStateEvent) {
                LOG.warn("Nothing from the server for {} ms; the connection is dead", idleMillis());
                ctx.close();
                return;
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        public void channelWritabilityChanged(final ChannelHandlerContext ctx) throws Exception {
            if (ctx.channel().isWritable()) {
                for (var attachment : byRef.values()) {
                    final var poller = attachment.poller;
                    if (poller != null) {
                        poller.resume();
                    }
                }
            }
            super.channelWritabilityChanged(ctx);
        }

        @Override
        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause) {
            if (udp() && !(cause instanceof java.net.PortUnreachableException)) {
                // One bad datagram: the next may be fine.
                LOG.debug("Datagram error: {}", cause.getMessage());
                return;
            }
            LOG.warn("Connection error: {}", cause.getMessage());
            ctx.close();
        }
    }
}
