/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.serval.dataplane.Bounds;
import org.serval.dataplane.protocol.DatagramTrain;
import org.serval.dataplane.protocol.Message;
import org.serval.dataplane.protocol.MessageCodec;
import org.serval.dataplane.protocol.ProtocolException;
import org.serval.dataplane.security.SealedChannel;
import org.serval.dataplane.security.TicketBook;
import org.serval.dataplane.session.ClientSession;
import org.serval.dataplane.session.Dataplane;
import org.serval.dataplane.session.Link;
import org.serval.dataplane.session.Outbox;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one stage of a UDP socket's pipeline: hands each datagram to its client's session.
 *
 * <p>Sealed (the default): every datagram is AES-GCM sealed ({@link SealedChannel}) and names its session; a
 * session starts with the first datagram that opens under the keys of a ticket the client got over TLS. It follows
 * its client to a new address (a NAT rebinding) only once that address proved it receives: a datagram that opens
 * from there earns it a sealed challenge ({@link PathCheck}), and the session moves when the client echoes it from
 * there. Datagrams that are not sealed, name no session, do not open, or repeat a counter are dropped. A sealed
 * session lives {@link Bounds#UDP_SESSION_LIFETIME_SECONDS} at most, then the client gets a new ticket over TLS,
 * where its credentials are checked again. Plaintext (only when configured): one session per client address,
 * created only by a HELLO; until the client is welcome no answer to an address is larger than the datagram it
 * answers, nor are all of them together larger than what came from there, so a spoofed source gains no
 * amplification.
 *
 * <p>Either way a dropped datagram is counted and logged at most once a second, so that a flood of them cannot
 * flood the log, and the session it came from, if any, carries on.
 */
final class DatagramPeers extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(DatagramPeers.class);
    private static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
    // docs/protocol.md: BYE reason 1 tells a client its session is unknown here (the server restarted).
    static final int BYE_UNKNOWN_SESSION = 1;
    // Per client, beyond what the shared socket's channel holds.
    private static final long OUTBOX_BYTES = Bounds.UDP_OUTBOX_BYTES;

    /**
     * One client: a session id when sealed, an address when not.
     */
    final class Peer implements Link, Outbox.Sink<Message> {
        final Object key;
        final ClientSession session;
        final SealedChannel seal;
        final TicketBook.Issued issued;
        final Outbox<Message> outbox;
        // A burst's datagrams leave in GSO runs: the segments of a TCP super-frame as one send.
        final DatagramTrain train;
        volatile InetSocketAddress address;
        final long started;
        long lastHeard;
        boolean closed;
        // Sealed: where the session may move once the client proves it is there.
        final PathCheck path = new PathCheck();
        // Plaintext, until WELCOME or NODES: bytes received from and sent to the address, the last datagram's size.
        boolean established;
        long preAuthIn;
        long preAuthOut;
        int lastRequest;

        Peer(final Object key, final InetSocketAddress address, final long now, final SealedChannel seal,
                final TicketBook.Issued issued) {
            this.key = key;
            this.address = address;
            this.seal = seal;
            this.issued = issued;
            // A ticket authenticated the client before its session began.
            established = seal != null;
            started = now;
            lastHeard = now;
            outbox = Outbox.of(channel.eventLoop(), this, OUTBOX_BYTES);
            train = new DatagramTrain(channel, address);
            session = new ClientSession(dataplane, this);
        }

        DatagramPeers owner() {
            return DatagramPeers.this;
        }

        @Override
        public String transport() {
            return "udp";
        }

        @Override
        public InetSocketAddress remote() {
            return address;
        }

        @Override
        public EventExecutor executor() {
            return channel.eventLoop();
        }

        @Override
        public boolean isWritable() {
            return !closed && channel.isWritable() && outbox.hasRoom();
        }

        @Override
        public boolean secure() {
            return seal != null;
        }

        @Override
        public TicketBook.Issued ticket() {
            return issued;
        }

        @Override
        public void send(final Message message) {
            // Sealing state belongs to the loop, so frames from other clients' loops are sealed there, and a
            // burst leaves in one flush (one sendmmsg).
            outbox.send(message);
        }

        @Override
        public void write(final Message message) {
            if (closed) {
                ReferenceCountUtil.release(message);
                return;
            }
            if (!established) {
                // The session sends WELCOME, or NODES before ERROR moved, only once the client has logged in.
                if (!(message instanceof Message.Welcome || message instanceof Message.Nodes)) {
                    writeUnauthenticated(message);
                    return;
                }
                established = true;
            }
            var bytes = MessageCodec.toBuffer(channel.alloc(), message);
            if (seal != null) {
                bytes = seal.seal(channel.alloc(), bytes);
            }
            train.to(address);
            train.add(bytes);
        }

        private void writeUnauthenticated(final Message message) {
            final var bytes = fitting(message, Math.min(lastRequest, preAuthIn - preAuthOut));
            if (bytes != null) {
                preAuthOut += bytes.readableBytes();
                channel.write(new DatagramPacket(bytes, address), channel.voidPromise());
            }
        }

        void heardUnauthenticated(final int bytes) {
            if (!established) {
                preAuthIn += bytes;
                lastRequest = bytes;
            }
        }

        @Override
        public void flush() {
            train.depart();
            channel.flush();
        }

        @Override
        public void sendAndClose(final Message message) {
            send(message);
            close();
        }

        @Override
        public void close() {
            if (channel.eventLoop().inEventLoop()) {
                // what was sent before the close still leaves
                outbox.drain();
                end(this);
            } else {
                channel.eventLoop().execute(this::close);
            }
        }
    }

    private final Dataplane dataplane;
    private final int maxPeers;
    private final long expireNanos;
    private final long lifetimeNanos;
    private final ConcurrentHashMap<Object, Peer> peers;
    private final TicketBook tickets;
    // Touched only on the socket's event loop.
    private long malformed;
    private long strays;
    private long refused;
    private long withheld;
    private final Channel channel;
    private ScheduledFuture<?> sweeper;
    private long lastLog;
    private long unlogged;

    /**
     * A socket's stage.
     *
     * @param peers the clients of every socket of the transport, so that a client whose address changes finds its
     *     session whichever socket the kernel now gives it to
     * @param tickets where sealed sessions come from, or null for plaintext
     * @param maxPeers how many clients the transport serves at most
     * @param lifetimeNanos how long a sealed session lives
     */
    DatagramPeers(final Dataplane dataplane, final Channel channel, final ConcurrentHashMap<Object, Peer> peers,
            final TicketBook tickets, final int maxPeers, final long lifetimeNanos) {
        this.dataplane = dataplane;
        this.channel = channel;
        this.peers = peers;
        this.tickets = tickets;
        this.maxPeers = maxPeers;
        this.lifetimeNanos = lifetimeNanos;
        final var settings = dataplane.settings();
        expireNanos = TimeUnit.MILLISECONDS.toNanos((long) settings.keepaliveMillis() * settings.expireAfter());
    }

    @Override
    public void handlerAdded(final ChannelHandlerContext ctx) {
        // UDP has no connection to lose: silence is the only sign of a client gone, checked twice a period.
        // The same sweep ends sessions past their lifetime, within half of it.
        final long period = Math.max(50, Math.min(dataplane.settings().keepaliveMillis(),
            TimeUnit.NANOSECONDS.toMillis(lifetimeNanos)) / 2);
        sweeper = ctx.executor().scheduleAtFixedRate(this::expireSilent, period, period, TimeUnit.MILLISECONDS);
    }

    /**
     * Answers a datagram from an address without a session, with no more bytes than it came with.
     */
    private void sendPlain(final InetSocketAddress to, final Message message, final int request) {
        final var bytes = fitting(message, request);
        if (bytes != null) {
            channel.writeAndFlush(new DatagramPacket(bytes, to), channel.voidPromise());
        }
    }

    /**
     * A message encoded within {@code allowance} bytes, for a source that has not authenticated (and whose address
     * may be a victim's): an ERROR too long loses its text, anything else too long is not sent.
     *
     * @return the bytes, or null when even that does not fit
     */
    private ByteBuf fitting(final Message message, final long allowance) {
        var bytes = MessageCodec.toBuffer(channel.alloc(), message);
        if (bytes.readableBytes() > allowance && message instanceof Message.Error error) {
            bytes.release();
            bytes = MessageCodec.toBuffer(channel.alloc(), new Message.Error(error.request(), error.code(), ""));
        }
        if (bytes.readableBytes() > allowance) {
            bytes.release();
            withheld++;
            return null;
        }
        return bytes;
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg) {
        if (!(msg instanceof DatagramPacket packet)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        try {
            if (tickets == null) {
                receivePlain(packet.sender(), packet.content());
            } else {
                receiveSealed(packet.sender(), packet.content());
            }
        } finally {
            packet.release();
        }
    }

    private void receivePlain(final InetSocketAddress from, final ByteBuf content) {
        final int size = content.readableBytes();
        final Message message;
        try {
            message = MessageCodec.decode(content);
        } catch (ProtocolException e) {
            malformed++;
            logDropped(from, e.getMessage());
            return;
        }
        try {
            final long now = System.nanoTime();
            var peer = peers.get(from);
            if (peer == null) {
                if (!(message instanceof Message.Hello)) {
                    strays++;
                    if (message instanceof Message.Keepalive) {
                        // A client whose session this server does not know (it restarted, or expired the client)
                        // learns so at its next keepalive, with an answer no larger than the question.
                        sendPlain(from, new Message.Bye(BYE_UNKNOWN_SESSION), size);
                    }
                    return;
                }
                if (peers.size() >= maxPeers) {
                    logDropped(from, "the server serves " + maxPeers + " UDP clients already");
                    sendPlain(from, new Message.Error(0, Message.Error.LIMIT, "the server is full"), size);
                    return;
                }
                // Only this socket's loop adds peers of this address, so this one is new.
                peer = peers.computeIfAbsent(from, key -> new Peer(from, from, now, null, null));
            }
            peer.lastHeard = now;
            peer.heardUnauthenticated(size);
            peer.session.receive(message);
        } finally {
            ReferenceCountUtil.release(message);
        }
    }

    private void receiveSealed(final InetSocketAddress from, final ByteBuf content) {
        if (!SealedChannel.isSealed(content)) {
            refused++;
            logDropped(from, "not sealed, and this server requires encryption (a client told --plaintext?)");
            return;
        }
        final long session = SealedChannel.sessionOf(content);
        final var peer = peers.get(session);
        if (peer == null) {
            startSealed(from, session, content);
        } else if (peer.owner() == this) {
            openSealed(peer, from, content);
        } else {
            // The client's address changed and the kernel hashed it to another socket: its session lives on its
            // first socket's loop.
            content.retain();
            peer.owner().channel.eventLoop().execute(() -> {
                try {
                    peer.owner().openSealed(peer, from, content);
                } finally {
                    content.release();
                }
            });
        }
    }

    private void startSealed(final InetSocketAddress from, final long session, final ByteBuf content) {
        if (SealedChannel.isPath(content)) {
            // a session starts with a HELLO, never with a path response
            strays++;
            logDropped(from, "a path datagram for session " + session + ", which has not started");
            return;
        }
        final var issued = tickets.peek(session);
        if (issued.isEmpty()) {
            strays++;
            logDropped(from, "sealed for session " + session + ", which is unknown here");
            return;
        }
        if (peers.size() >= maxPeers) {
            logDropped(from, "the server serves " + maxPeers + " UDP clients already");
            return;
        }
        final var ticket = issued.orElseThrow().ticket();
        final var seal = new SealedChannel(session, ticket.serverKey(), ticket.clientKey(),
            SealedChannel.DEFAULT_REKEY_MESSAGES, SealedChannel.DEFAULT_REKEY_NANOS);
        final var plain = seal.open(channel.alloc(), content);
        if (plain == null) {
            refused++;
            logDropped(from, "does not open under the keys of session " + session);
            return;
        }
        try {
            if (!tickets.redeem(session)) {
                return;
            }
            final var peer = new Peer(session, from, System.nanoTime(), seal, issued.orElseThrow());
            if (peers.putIfAbsent(session, peer) == null) {
                deliver(peer, from, plain);
            }
        } finally {
            plain.release();
        }
    }

    private void openSealed(final Peer peer, final InetSocketAddress from, final ByteBuf content) {
        if (peer.closed) {
            return;
        }
        final int size = content.readableBytes();
        final boolean path = SealedChannel.isPath(content);
        final var plain = peer.seal.open(channel.alloc(), content);
        if (plain == null) {
            refused++;
            logDropped(from, "tampered with, replayed or too old for session " + peer.key + " ("
                + peer.seal.forged() + " forged and " + peer.seal.replayed() + " replayed so far)");
            return;
        }
        try {
            final long now = System.nanoTime();
            if (path) {
                final var token = SealedChannel.pathToken(plain, SealedChannel.PATH_RESPONSE);
                if (token.isPresent() && peer.path.validates(from, token.getAsLong())) {
                    LOG.info("Client {} of session {} moved from {} to {}", peer.issued.clientId(), peer.key,
                        peer.address, from);
                    peer.address = from;
                }
                peer.lastHeard = now;
                return;
            }
            if (!from.equals(peer.address) && peer.path.heard(from, size, now)) {
                // The session stays where it is until this address answers; the message is the client's all the same.
                final var challenge = peer.seal.sealPath(channel.alloc(), SealedChannel.PATH_CHALLENGE,
                    peer.path.token());
                peer.path.challenged(challenge.readableBytes(), now);
                LOG.debug("Session {} heard from {}, not its address {}: challenged it", peer.key, from, peer.address);
                channel.writeAndFlush(new DatagramPacket(challenge, from), channel.voidPromise());
            }
            deliver(peer, from, plain);
        } finally {
            plain.release();
        }
    }

    private void deliver(final Peer peer, final InetSocketAddress from, final ByteBuf plain) {
        final Message message;
        try {
            message = MessageCodec.decode(plain);
        } catch (ProtocolException e) {
            // Authentic but malformed: the client itself is broken, which ends its session as over TCP.
            malformed++;
            logDropped(from, e.getMessage());
            peer.session.malformed(e.getMessage());
            return;
        }
        try {
            peer.lastHeard = System.nanoTime();
            peer.session.receive(message);
        } finally {
            ReferenceCountUtil.release(message);
        }
    }

    private void logDropped(final InetSocketAddress from, final String why) {
        final long now = System.nanoTime();
        if (now - lastLog < LOG_INTERVAL_NANOS) {
            unlogged++;
            return;
        }
        LOG.warn("Dropped a datagram from {}: {}{}", from, why,
            unlogged == 0 ? "" : " (and " + unlogged + " more since the last report)");
        lastLog = now;
        unlogged = 0;
    }

    private void end(final Peer peer) {
        if (!peer.closed) {
            peer.closed = true;
            peer.train.discard();
            peers.remove(peer.key, peer);
            if (peer.seal != null) {
                tickets.ended(peer.seal.session());
            }
            peer.session.ended();
        }
    }

    private void expireSilent() {
        final long now = System.nanoTime();
        for (var peer : new ArrayList<>(peers.values())) {
            if (peer.owner() != this) {
                continue;
            }
            if (now - peer.lastHeard > expireNanos) {
                peer.session.expired();
            } else if (peer.seal != null && now - peer.started > lifetimeNanos && !peer.closed) {
                // Its keys were handed out once, on credentials checked once: a fresh ticket checks them again.
                LOG.info("Session {} of client {} is {} s old; ending it for a new ticket", peer.key,
                    peer.issued.clientId(), TimeUnit.NANOSECONDS.toSeconds(now - peer.started));
                peer.sendAndClose(new Message.Bye(Message.Bye.CLOSED));
            }
        }
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx) throws Exception {
        if (sweeper != null) {
            sweeper.cancel(false);
        }
        for (var peer : new ArrayList<>(peers.values())) {
            if (peer.owner() == this) {
                end(peer);
            }
        }
        LOG.debug("UDP socket {} closed; {} malformed, {} refused and {} stray datagrams dropped in its life, {} "
            + "answers to unauthenticated sources withheld as larger than their questions",
            ctx.channel().localAddress(), malformed, refused, strays, withheld);
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause) {
        // An ICMP port-unreachable or the like surfaces here; one client's trouble must not end the socket.
        LOG.debug("UDP socket {}: {}", ctx.channel().localAddress(), cause.getMessage());
    }
}
