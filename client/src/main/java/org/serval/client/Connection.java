/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.client;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.io.IOException;
import java.security.cert.CertificateException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLException;
import org.serval.dataplane.Bounds;
import org.serval.dataplane.protocol.Message;
import org.serval.dataplane.protocol.StreamPipeline;
import org.serval.dataplane.security.ClientKeys;
import org.serval.dataplane.security.ServerTrust;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's link to one node at a time: connects (TCP with TLS, or UDP sealed with a ticket fetched over TLS),
 * logs in, sends requests and matches their answers, answers the server's keepalives, and hands everything else
 * (frames, the node list, writability) to a {@link Listener}. One object for the life of the client; each
 * {@link #logIn} replaces the channel, on the same single event loop, which the TAP pollers share.
 */
final class Connection implements AutoCloseable {
    /**
     * What the connection passes on. Called on the event loop.
     */
    interface Listener {
        /**
         * A frame from the server; the caller keeps (and releases) its content.
         */
        void data(Message.Data data);

        /**
         * The end of one read from the server: the frames passed on since may now be written out together.
         */
        default void readComplete() {
            // a listener that writes each frame as it comes
        }

        /**
         * The current channel takes writes again.
         */
        void writable();

        /**
         * A node list from the node this client is connected to now, over a connection whose server it has
         * authenticated (or a plaintext one, with nothing to trust).
         */
        void nodes(Message.Nodes list);

        /**
         * The server changed this client's memberships: ASSIGN (join this VLAN) or REMOVED (the membership ended).
         * Called on the event loop, which it must not block.
         */
        default void membership(final Message message) {
            // a client that does not follow the server's changes
        }

        /**
         * The server ended the session with BYE and this reason (the channel closes next).
         */
        default void bye(final int reason) {
            // the channel's closing says enough
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(Connection.class);
    static final long ANSWER_TIMEOUT_SECONDS = 10;
    // Native epoll on Linux: the TAP interfaces are then polled by the connection's own event loop (TapPoller).
    static final boolean EPOLL = Epoll.isAvailable();
    // Pending writes to the server per connection; above this, frames read from a TAP are dropped, not queued.
    private static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(64 * 1024, 256 * 1024);
    private static final int UDP_SOCKET_BUFFER = 1024 * 1024;

    private final ClientOptions options;
    private final Listener listener;
    private final ServerTrust trust;
    // The client certificate's keys for a certificate login, else null.
    private final KeyManagerFactory keys;
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1,
        EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    private final BlockingQueue<Message> answers = new LinkedBlockingQueue<>(64);
    private volatile Channel channel;
    // the channel of the last successful login: connected() is true only while it is the current channel and active
    private volatile Channel loggedIn;
    private volatile Message.Welcome welcome;
    // Where the client is connected (or connecting) now: --server at first, then a node from the node list.
    private volatile Endpoint endpoint;
    // The node a full node sent this client to (ERROR moved), until the client has gone there.
    private volatile String movedTo;
    // Which login goes where: the configured one to --server only, a resumption credential to the others.
    private final Resumption resumption;
    private long requestIds = 1;

    /**
     * A connection that trusts servers as the options say (pin, CA, or plaintext), not yet connected.
     *
     * @throws ClientFailure when the CA file or the client certificate cannot be read
     */
    Connection(final ClientOptions options, final Listener listener) throws ClientFailure {
        this.options = options;
        this.listener = listener;
        endpoint = new Endpoint(options.host(), options.port());
        resumption = new Resumption(endpoint, options.clientId(), options.user(), options.certificate() != null,
            System::nanoTime);
        if (options.plaintext()) {
            LOG.warn("Connecting WITHOUT ENCRYPTION (--plaintext): frames and the password cross the network in "
                + "the clear");
            trust = null;
            keys = null;
            return;
        }
        try {
            trust = options.pin() != null ? ServerTrust.pinned(options.pin())
                : options.ca() != null ? ServerTrust.authorities(options.ca()) : ServerTrust.nothing();
            keys = options.certificate() == null ? null : ClientKeys.load(options.certificate());
            // early, for a configuration that cannot work to fail at start
            trust.clientContext(keys);
        } catch (IOException e) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw new ClientFailure(ClientFailure.USAGE, e.getMessage(), e);
        }
    }

    /**
     * How this client trusts servers, or null over plaintext.
     */
    ServerTrust trust() {
        return trust;
    }

    Channel channel() {
        return channel;
    }

    /**
     * The WELCOME of the last login, or null before the first.
     */
    Message.Welcome welcome() {
        return welcome;
    }

    Endpoint endpoint() {
        return endpoint;
    }

    /**
     * Whether this client is logged in on a live channel: a channel that is connected but has no WELCOME yet does not
     * count, as a JOIN sent on it would be refused.
     */
    boolean connected() {
        final var current = loggedIn;
        return current != null && current == channel && current.isActive();
    }

    /**
     * The event loop that runs the connection, the keepalives and the TAP pollers.
     */
    EventLoopGroup group() {
        return group;
    }

    /**
     * The node id a full node named (ERROR moved) in the last failed login, once; null when there is none.
     */
    String takeMovedTo() {
        final var moved = movedTo;
        movedTo = null;
        return moved;
    }

    boolean udp() {
        return "udp".equals(options.transport());
    }

    /**
     * Connects to a node and logs in. Over sealed UDP the password goes over TLS first, for a ticket whose keys then
     * seal the datagrams (docs/protocol.md, "Sealed UDP"). On failure the channel is closed.
     *
     * @param offload whether to ask for offloads (HELLO flag) over a stream
     */
    Message.Welcome logIn(final Endpoint to, final boolean offload) throws ClientFailure, InterruptedException {
        endpoint = to;
        try {
            final var answer = connectAndLogIn(offload);
            welcome = answer;
            loggedIn = channel;
            return answer;
        } catch (ClientFailure e) {
            final var current = channel;
            if (current != null) {
                current.close().awaitUninterruptibly();
            }
            throw e;
        }
    }

    /**
     * Joins a VLAN with a MAC.
     */
    Message.Joined join(final String vlan, final long mac) throws ClientFailure, InterruptedException {
        return request(new Message.Join(requestIds++, mac, vlan), Message.Joined.class, "JOINED for " + vlan);
    }

    /**
     * Leaves a VLAN: LEAVE, answered by LEFT.
     */
    Message.Left leave(final int vlanRef, final String vlan) throws ClientFailure, InterruptedException {
        return request(new Message.Leave(requestIds++, vlanRef), Message.Left.class, "LEFT for " + vlan);
    }

    /**
     * One page of the VLANs the user may see, after the name {@code after} ("" for the first).
     */
    Message.Vlans listVlans(final String after) throws ClientFailure, InterruptedException {
        return request(new Message.ListVlans(requestIds++, "", after), Message.Vlans.class, "VLANS");
    }

    /**
     * Creates a VLAN owned by this client's user.
     */
    void createVlan(final String name, final boolean open) throws ClientFailure, InterruptedException {
        request(new Message.CreateVlan(requestIds++, open, name), Message.Done.class, "DONE for " + name);
    }

    /**
     * Deletes a VLAN.
     */
    void deleteVlan(final String name) throws ClientFailure, InterruptedException {
        request(new Message.DeleteVlan(requestIds++, name), Message.Done.class, "DONE for " + name);
    }

    /**
     * One page of a VLAN's members, after the client id {@code after} ("" for the first).
     */
    Message.Members listMembers(final String vlan, final String after) throws ClientFailure, InterruptedException {
        return request(new Message.ListMembers(requestIds++, vlan, after), Message.Members.class, "MEMBERS of "
            + vlan);
    }

    /**
     * Starts pinging the server every keepalive period of the current WELCOME, for the life of the client: the task
     * pings whichever connection is current.
     */
    void startKeepalives() {
        final long period = welcome.keepaliveMillis();
        channel.eventLoop().scheduleAtFixedRate(new Runnable() {
            private long seq;

            @Override
            public void run() {
                final var current = channel;
                if (current.isActive()) {
                    current.writeAndFlush(new Message.Keepalive(++seq & 0xFFFFFFFFL));
                }
            }
        }, period, period, TimeUnit.MILLISECONDS);
    }

    /**
     * Says goodbye to the server and closes the channel; the event loop goes on (for the TAP pollers to be
     * cancelled on it) until {@link #close()}.
     */
    void bye() {
        final var current = channel;
        if (current != null && current.isActive()) {
            current.writeAndFlush(new Message.Bye(0)).awaitUninterruptibly(1, TimeUnit.SECONDS);
            current.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
        }
    }

    /**
     * Stops the event loop.
     */
    @Override
    public void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
    }

    /**
     * The HELLO that logs in where the client is connecting: the configured login at --server, else the resumption
     * credential ({@link Resumption}).
     */
    private Message.Hello hello(final int flags) throws ClientFailure {
        return resumption.hello(endpoint, flags, this::configuredHello);
    }

    /**
     * The configured login: with the client certificate when there is one, else with the password.
     */
    private Message.Hello configuredHello(final int flags) {
        return options.certificate() != null
            ? new Message.Hello(1, options.clientId(), flags | Message.Hello.MANAGED, options.user(),
                Message.Hello.AUTH_CERTIFICATE, "")
            : new Message.Hello(1, options.clientId(), flags | Message.Hello.MANAGED, options.user(),
                Message.Hello.AUTH_PASSWORD, options.password());
    }

    private Message.Welcome connectAndLogIn(final boolean offload) throws ClientFailure, InterruptedException {
        if (!udp() || options.plaintext()) {
            connect(udp(), null);
            return request(hello(offload ? Message.Hello.OFFLOAD : 0), Message.Welcome.class, "WELCOME");
        }
        connect(false, null);
        final Message.Ticket ticket;
        try {
            ticket = request(hello(Message.Hello.TICKET), Message.Ticket.class, "TICKET");
        } finally {
            channel.close().awaitUninterruptibly();
        }
        connect(true, ticket);
        return request(new Message.Hello(1, options.clientId(), Message.Hello.MANAGED, "", Message.Hello.AUTH_TICKET,
            ""),
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
        final var to = endpoint;
        answers.clear();
        // A context of its own for every connection, so that no TLS session is resumed: resumption skips the
        // certificate check, and a node dropped from the node list since must be checked against the list.
        final SslContext tls;
        try {
            tls = datagrams || trust == null ? null : trust.clientContext(keys);
        } catch (SSLException e) {
            throw new ClientFailure(ClientFailure.AUTH, "cannot set up TLS: " + e.getMessage(), e);
        }
        // The TLS handler as created, not as found in the pipeline later: a refused handshake closes the channel,
        // and a closed channel's pipeline is emptied, which would read as "no TLS" and hide the refusal.
        final var tlsHandler = new AtomicReference<SslHandler>();
        final var bootstrap = new Bootstrap()
            .group(group)
            .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK);
        if (datagrams) {
            // A connected datagram socket: one message per datagram, and the kernel drops anything not from the
            // server. Sealed with the ticket's keys, or bare when both ends were told --plaintext.
            if (EPOLL) {
                // GRO: the server's GSO runs come up in one read, cut into datagrams by Netty.
                bootstrap.option(EpollChannelOption.UDP_GRO, true)
                    .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(Bounds.UDP_GRO_READ_BYTES));
            }
            bootstrap.channel(EPOLL ? EpollDatagramChannel.class : NioDatagramChannel.class)
                .option(ChannelOption.SO_RCVBUF, UDP_SOCKET_BUFFER)
                .option(ChannelOption.SO_SNDBUF, UDP_SOCKET_BUFFER)
                .handler(new ChannelInitializer<DatagramChannel>() {
                    @Override
                    protected void initChannel(final DatagramChannel ch) {
                        ch.pipeline().addLast("idle", new IdleStateHandler(idleMillis, 0, 0, TimeUnit.MILLISECONDS));
                        DatagramPipeline.addProtocol(ch.pipeline(), ticket);
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
                            // The engine carries the endpoint as dialled: a host name checked against a CA, and
                            // the host and port a node list's fingerprint is trusted at (ServerTrust).
                            final var handler = tls.newHandler(ch.alloc(), to.host(), to.port());
                            if (trust.checksHostName()) {
                                final var parameters = handler.engine().getSSLParameters();
                                parameters.setEndpointIdentificationAlgorithm("HTTPS");
                                handler.engine().setSSLParameters(parameters);
                            }
                            tlsHandler.set(handler);
                            ch.pipeline().addLast(StreamPipeline.TLS, handler);
                        }
                        StreamPipeline.addProtocol(ch.pipeline()).addLast("client", new Inbound());
                    }
                });
        }
        final var future = bootstrap.connect(to.host(), to.port()).await();
        if (!future.isSuccess()) {
            throw new ClientFailure(ClientFailure.SERVER, "cannot reach the server at " + to + ": "
                + future.cause().getMessage(), future.cause());
        }
        channel = future.channel();
        final var handshake = tlsHandler.get();
        if (handshake != null && !handshake.handshakeFuture().await().isSuccess()) {
            channel.close().awaitUninterruptibly();
            throw new ClientFailure(ClientFailure.AUTH, "TLS with " + to + " failed: "
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
        final long id = requestId(request);
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
            // An answer to another request, or a message that answers none (such as a RESUME), is skipped.
            final boolean stale = answer instanceof Message.Welcome || answer instanceof Message.Ticket
                ? !(request instanceof Message.Hello)
                : answer != null && requestId(answer) != id;
            if (answer != null && !stale) {
                return answer(answer, type, what);
            }
        }
    }

    /**
     * The request id a request or an answer carries, 0 for HELLO (which has none; the answers to it carry 0 in
     * ERROR), -1 for a message that is not about a request.
     */
    static long requestId(final Message message) {
        return switch (message) {
            case Message.Hello hello -> 0;
            case Message.Join join -> join.request();
            case Message.Joined joined -> joined.request();
            case Message.Leave leave -> leave.request();
            case Message.Left left -> left.request();
            case Message.ListVlans list -> list.request();
            case Message.Vlans vlans -> vlans.request();
            case Message.CreateVlan create -> create.request();
            case Message.DeleteVlan delete -> delete.request();
            case Message.Done done -> done.request();
            case Message.ListMembers list -> list.request();
            case Message.Members members -> members.request();
            case Message.Resolved resolved -> resolved.request();
            case Message.Error error -> error.request();
            default -> -1;
        };
    }

    private <T extends Message> T answer(final Message answer, final Class<T> type, final String what)
            throws ClientFailure {
        if (type.isInstance(answer)) {
            return type.cast(answer);
        }
        if (answer instanceof Message.Error error && error.code() == Message.Error.MOVED) {
            movedTo = error.message();
            throw new ClientFailure(ClientFailure.SERVER, "node at " + endpoint + " is full and sends this "
                + "client to node " + error.message(), error.code());
        }
        if (answer instanceof Message.Error error && error.code() == Message.Error.AUTH_FAILED) {
            throw new ClientFailure(ClientFailure.AUTH, "the server refused the login: " + error.message(),
                error.code());
        }
        if (answer instanceof Message.Error error) {
            final boolean vlanRefused = error.code() == Message.Error.UNKNOWN_VLAN
                || error.code() == Message.Error.VLAN_FULL || error.code() == Message.Error.DENIED
                || error.code() == Message.Error.EXISTS;
            throw new ClientFailure(vlanRefused ? ClientFailure.VLAN_REFUSED : ClientFailure.SERVER,
                "the server refused: " + error.message(), error.code());
        }
        throw new ClientFailure(ClientFailure.SERVER, answer == null
            ? "no " + what + " from the server within " + ANSWER_TIMEOUT_SECONDS + " s"
            : "expected " + what + ", got " + answer);
    }

    private final class Inbound extends SimpleChannelInboundHandler<Message> {
        @Override
        protected void channelRead0(final ChannelHandlerContext ctx, final Message msg) {
            switch (msg) {
                case Message.Data data -> listener.data(data);
                case Message.Keepalive keepalive -> ctx.writeAndFlush(new Message.KeepaliveAck(keepalive.seq()));
                case Message.KeepaliveAck ack -> {
                    // the idle handler has seen it: the server is alive
                }
                case Message.Bye bye -> {
                    final var known = welcome;
                    listener.bye(bye.reason());
                    if (bye.reason() == Message.Bye.ADMIN) {
                        LOG.warn("An administrator disconnected this client (BYE admin)");
                    } else if (bye.reason() == Message.Bye.MOVE) {
                        LOG.info("Node {} is overloaded and asks this client to move to another node",
                            known == null ? "?" : known.nodeId());
                    } else {
                        LOG.info("The server ended the session");
                    }
                    ctx.close();
                }
                case Message.Assign assign -> {
                    if (ctx.channel() == channel) {
                        listener.membership(assign);
                    }
                }
                case Message.Removed removed -> {
                    if (ctx.channel() == channel) {
                        listener.membership(removed);
                    }
                }
                case Message.Nodes list -> {
                    // Only the node this client is connected to now speaks for the cluster; a list still in
                    // flight on a connection already given up is not its word any more.
                    if (ctx.channel() == channel) {
                        listener.nodes(list);
                    }
                }
                case Message.Resume resume -> {
                    if (ctx.channel() == channel) {
                        resumption.received(resume);
                    }
                }
                default -> {
                    if (!answers.offer(msg)) {
                        LOG.warn("Dropping unexpected {}", msg);
                    }
                }
            }
        }

        @Override
        public void channelReadComplete(final ChannelHandlerContext ctx) throws Exception {
            listener.readComplete();
            super.channelReadComplete(ctx);
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
                listener.writable();
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
