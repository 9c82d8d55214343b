/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.util.ReferenceCountUtil;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.serval.api.LocalVlanView;
import org.serval.api.VlanInfo;
import org.serval.dataplane.Bounds;
import org.serval.dataplane.protocol.LeakCheck;
import org.serval.dataplane.protocol.Message;
import org.serval.dataplane.protocol.Wire;
import org.serval.dataplane.resolution.Frames;
import org.serval.dataplane.security.SealedChannel;
import org.serval.dataplane.security.SealedDatagramCodec;
import org.serval.dataplane.security.ServerIdentity;
import org.serval.dataplane.security.ServerTrust;
import org.serval.dataplane.session.Dataplane;
import org.serval.dataplane.session.DataplaneSettings;
import org.serval.dataplane.session.TestUsers;
import org.serval.dataplane.session.ViewRegistry;

/**
 * Sealed UDP sessions and the addresses they live at, on real loopback sockets: a datagram relayed from elsewhere
 * (an on-path attacker aiming the session's traffic at a victim) does not move a session, and the other address
 * gets no more than three times what came from it; a real NAT rebinding moves it once the client echoes the
 * server's challenge; a session ends at the end of its lifetime.
 */
@ExtendWith(LeakCheck.class)
class SealedRoamingTest {
    @TempDir
    Path dir;
    private final LocalVlanView view = new LocalVlanView();
    private final ViewRegistry registry = new ViewRegistry(view);
    private ServerIdentity identity;
    private TcpTransport tcp;
    private UdpTransport udp;
    private EventLoopGroup clientLoop;

    private void start(final long lifetimeNanos) throws Exception {
        view.putVlan(new VlanInfo("red", 10, "", 256, false, null));
        identity = ServerIdentity.loadOrCreate(dir.resolve("tls/serval.p12"), "secret".toCharArray());
        final var dataplane = new Dataplane(DataplaneSettings.defaults("n1"), view, registry,
            TestUsers.gatekeeper(TestUsers.view()));
        tcp = TcpTransport.start(dataplane, new InetSocketAddress("127.0.0.1", 0), 1, identity.serverContext());
        udp = UdpTransport.start(dataplane, new InetSocketAddress("127.0.0.1", 0), 2, 16, true, lifetimeNanos);
    }

    private void start() throws Exception {
        start(TimeUnit.SECONDS.toNanos(Bounds.UDP_SESSION_LIFETIME_SECONDS));
    }

    @AfterEach
    void stop() {
        if (clientLoop != null) {
            clientLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        tcp.close();
        udp.close();
    }

    private Message.Ticket ticket(final String clientId) throws Exception {
        final var context = SSLContext.getInstance("TLSv1.3");
        context.init(null, new TrustManager[] {ServerTrust.pinned(identity.fingerprint())}, null);
        try (var socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1",
                tcp.localAddress().getPort())) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(Wire.bytes(new Message.Hello(1, clientId, Message.Hello.TICKET,
                TestUsers.USER, Message.Hello.AUTH_PASSWORD, TestUsers.PASSWORD)));
            final var in = new DataInputStream(socket.getInputStream());
            final var message = new byte[2048];
            in.readFully(message, 0, 4);
            final int length = (message[2] & 0xff) << 8 | message[3] & 0xff;
            in.readFully(message, 4, length);
            return assertInstanceOf(Message.Ticket.class, Wire.decode(message, 4 + length));
        }
    }

    /**
     * A client sealing by hand, so that a test can send its datagrams from another socket.
     */
    private final class Client implements AutoCloseable {
        final DatagramSocket socket;
        final SealedChannel seal;

        Client(final String id) throws Exception {
            final var ticket = ticket(id);
            seal = new SealedChannel(ticket.session(), ticket.clientKey(), ticket.serverKey(), Long.MAX_VALUE,
                Long.MAX_VALUE);
            socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
            socket.setSoTimeout(2000);
            socket.connect(udp.localAddress());
            send(new Message.Hello(1, id, 0, "", Message.Hello.AUTH_TICKET, ""));
            assertInstanceOf(Message.Welcome.class, receive());
        }

        byte[] sealed(final Message message) {
            final var sealed = seal.seal(ByteBufAllocator.DEFAULT, Unpooled.wrappedBuffer(Wire.bytes(message)));
            try {
                return ByteBufUtil.getBytes(sealed);
            } finally {
                sealed.release();
            }
        }

        byte[] send(final Message message) throws IOException {
            final var datagram = sealed(message);
            socket.send(new DatagramPacket(datagram, datagram.length));
            return datagram;
        }

        Message receive() throws IOException {
            final var packet = new DatagramPacket(new byte[4096], 4096);
            socket.receive(packet);
            final var plain = seal.open(ByteBufAllocator.DEFAULT, Unpooled.wrappedBuffer(packet.getData(), 0,
                packet.getLength()));
            try {
                return Wire.decode(ByteBufUtil.getBytes(plain), plain.readableBytes());
            } finally {
                plain.release();
            }
        }

        int join() throws IOException {
            send(new Message.Join(1, 0x020000000000L + socket.getLocalPort(), "red"));
            return assertInstanceOf(Message.Joined.class, receive()).vlanRef();
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    private static Message.Data frame(final int vlanRef, final long src) {
        return new Message.Data(vlanRef, Frames.plain(0xFFFFFFFFFFFFL, src, 0x0800));
    }

    /**
     * Everything a socket receives until it has been quiet for a while, as datagrams.
     */
    private static List<byte[]> drain(final DatagramSocket socket, final int quietMillis) throws IOException {
        final var got = new ArrayList<byte[]>();
        socket.setSoTimeout(quietMillis);
        while (true) {
            final var packet = new DatagramPacket(new byte[4096], 4096);
            try {
                socket.receive(packet);
            } catch (SocketTimeoutException e) {
                return got;
            }
            final var datagram = new byte[packet.getLength()];
            System.arraycopy(packet.getData(), 0, datagram, 0, datagram.length);
            got.add(datagram);
        }
    }

    @Test
    void aRelayedDatagramDoesNotMoveTheSessionAndItsSourceGetsAtMostThreeTimesItsBytes() throws Exception {
        start();
        try (var alice = new Client("alice"); var bob = new Client("bob");
                var victim = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            final int aliceRef = alice.join();
            final int bobRef = bob.join();
            victim.connect(udp.localAddress());
            // An on-path attacker holds back some of alice's datagrams and sends them on from the victim's address,
            // hoping the session follows them there; and replays one alice did send, as well.
            long relayed = 0;
            final var replayed = alice.send(new Message.Keepalive(1));
            assertInstanceOf(Message.KeepaliveAck.class, alice.receive());
            victim.send(new DatagramPacket(replayed, replayed.length));
            relayed += replayed.length;
            for (int i = 0; i < 4; i++) {
                final var held = alice.sealed(i % 2 == 0 ? new Message.Keepalive(100 + i) : frame(aliceRef,
                    0x02000000000AL));
                victim.send(new DatagramPacket(held, held.length));
                relayed += held.length;
                // spaced so that each may earn a challenge of its own
                Thread.sleep(Bounds.UDP_CHALLENGE_INTERVAL_MILLIS + 20);
            }
            // The session's traffic goes on to alice, where it always was: the answers to the relayed keepalives,
            // and a stream of frames from bob.
            for (int i = 0; i < 20; i++) {
                bob.send(frame(bobRef, 0x02000000000BL));
            }
            final var atVictim = drain(victim, 300);
            final long bytes = atVictim.stream().mapToLong(d -> d.length).sum();
            assertTrue(bytes <= (long) Bounds.UDP_UNVALIDATED_FACTOR * relayed,
                "the victim got " + bytes + " bytes for the " + relayed + " relayed from it");
            assertTrue(!atVictim.isEmpty(), "it was challenged");
            for (var datagram : atVictim) {
                assertTrue(SealedChannel.isPath(Unpooled.wrappedBuffer(datagram)), "only challenges went there");
            }
            int acks = 0;
            int frames = 0;
            while (frames < 20 || acks < 2) {
                final var message = alice.receive();
                if (message instanceof Message.KeepaliveAck) {
                    acks++;
                } else if (message instanceof Message.Data data) {
                    frames++;
                    data.release();
                } else {
                    ReferenceCountUtil.release(message);
                }
            }
            assertEquals(2, acks, "the relayed keepalives were answered at alice's address");
            final var atBob = bob.receive();
            assertInstanceOf(Message.Data.class, atBob, "the relayed frames themselves were forwarded");
            ReferenceCountUtil.release(atBob);

            // and the session is where it was
            alice.send(new Message.Keepalive(7));
            assertEquals(new Message.KeepaliveAck(7), alice.receive());
            assertEquals(List.of(), drain(victim, 100), "nothing more for the victim");
        }
    }

    /**
     * A NAT between a client and the server, whose public port changes at {@link #rebind}.
     */
    private static final class Nat implements AutoCloseable {
        final DatagramSocket inside;
        final SocketAddress server;
        volatile DatagramSocket outside;
        volatile SocketAddress client;
        volatile boolean closed;
        final Thread up;
        final Thread down;

        Nat(final SocketAddress server) throws IOException {
            this.server = server;
            inside = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
            outside = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
            up = new Thread(this::up, "nat-up");
            down = new Thread(this::down, "nat-down");
            up.start();
            down.start();
        }

        private void up() {
            final var packet = new DatagramPacket(new byte[4096], 4096);
            while (!closed) {
                try {
                    inside.receive(packet);
                    client = packet.getSocketAddress();
                    outside.send(new DatagramPacket(packet.getData(), packet.getLength(), server));
                } catch (IOException e) {
                    // lost, as through a NAT that is changing its mind
                }
            }
        }

        private void down() {
            final var packet = new DatagramPacket(new byte[4096], 4096);
            while (!closed) {
                try {
                    outside.receive(packet);
                    inside.send(new DatagramPacket(packet.getData(), packet.getLength(), client));
                } catch (IOException e) {
                    // the old port closed under the read: carry on with the new one
                }
            }
        }

        int publicPort() {
            return outside.getLocalPort();
        }

        void rebind() throws IOException {
            final var old = outside;
            outside = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
            old.close();
        }

        @Override
        public void close() throws InterruptedException {
            closed = true;
            inside.close();
            outside.close();
            up.join();
            down.join();
        }
    }

    @Test
    void aNatRebindingMovesTheSessionOnceTheClientEchoesTheChallenge() throws Exception {
        start();
        final BlockingQueue<Message> received = new LinkedBlockingQueue<>();
        clientLoop = new NioEventLoopGroup(1);
        try (var nat = new Nat(udp.localAddress()); var bob = new Client("bob")) {
            final int bobRef = bob.join();
            final var ticket = ticket("carol");
            // The client's own pipeline: the sealed codec, which answers challenges, and a handler for the rest.
            final Channel carol = new Bootstrap().group(clientLoop).channel(NioDatagramChannel.class)
                .handler(new ChannelInitializer<DatagramChannel>() {
                    @Override
                    protected void initChannel(final DatagramChannel ch) {
                        ch.pipeline().addLast(new SealedDatagramCodec(ticket))
                            .addLast(new SimpleChannelInboundHandler<Message>(false) {
                                @Override
                                protected void channelRead0(final ChannelHandlerContext ctx, final Message msg) {
                                    received.add(msg);
                                }
                            });
                    }
                }).connect(nat.inside.getLocalSocketAddress()).sync().channel();
            try {
                carol.writeAndFlush(new Message.Hello(1, "carol", 0, "", Message.Hello.AUTH_TICKET, ""));
                assertInstanceOf(Message.Welcome.class, received.poll(5, TimeUnit.SECONDS));
                carol.writeAndFlush(new Message.Join(1, 0x02000000000CL, "red"));
                final int carolRef = assertInstanceOf(Message.Joined.class, next(received)).vlanRef();
                bob.send(frame(bobRef, 0x02000000000BL));
                releaseData(next(received), "a frame before the rebinding");

                final int before = nat.publicPort();
                nat.rebind();
                assertNotEquals(before, nat.publicPort());
                // The client notices nothing but keeps sending; its keepalives from the new port earn a challenge,
                // which its codec echoes, and then the answers find it again.
                Message answer = null;
                for (int seq = 1; seq <= 20 && !(answer instanceof Message.KeepaliveAck); seq++) {
                    carol.writeAndFlush(new Message.Keepalive(seq));
                    answer = received.poll(Bounds.UDP_CHALLENGE_INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
                }
                assertInstanceOf(Message.KeepaliveAck.class, answer, "the session moved to the new port");
                bob.send(frame(bobRef, 0x02000000000BL));
                releaseData(next(received), "a frame after the rebinding");
                carol.writeAndFlush(frame(carolRef, 0x02000000000CL));
                final var atBob = bob.receive();
                assertInstanceOf(Message.Data.class, atBob, "carol's frames still reach bob");
                ReferenceCountUtil.release(atBob);
            } finally {
                carol.close().sync();
                received.forEach(ReferenceCountUtil::release);
            }
        }
    }

    private static Message next(final BlockingQueue<Message> received) throws InterruptedException {
        final var message = received.poll(5, TimeUnit.SECONDS);
        if (message == null) {
            fail("nothing arrived");
        }
        return message;
    }

    private static void releaseData(final Message message, final String what) {
        try {
            assertInstanceOf(Message.Data.class, message, what);
        } finally {
            ReferenceCountUtil.release(message);
        }
    }

    @Test
    void aSessionEndsAtTheEndOfItsLifetime() throws Exception {
        start(TimeUnit.MILLISECONDS.toNanos(300));
        try (var alice = new Client("alice")) {
            alice.join();
            final long start = System.nanoTime();
            Message message;
            do {
                // keepalives keep it from expiring for silence: only its age ends it
                alice.send(new Message.Keepalive(1));
                message = alice.receive();
                Thread.sleep(50);
            } while (message instanceof Message.KeepaliveAck
                && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5));
            assertEquals(new Message.Bye(Message.Bye.CLOSED), message, "the server ended the session");
            assertTrue(registry.events.contains("disconnected alice closed"), registry.events.toString());
        }
    }
}
