/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.client;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.serval.dataplane.protocol.Message;
import org.serval.dataplane.protocol.StreamPipeline;

/**
 * A plaintext server on loopback that does what the client's requests need: login, JOIN of the VLANs it has
 * (others refused as unknown), LEAVE, LIST_VLANS two to a page, CREATE_VLAN, DELETE_VLAN, LIST_MEMBERS, keepalives;
 * and it can push a message (ASSIGN, REMOVED, BYE) to every client connected. It records what it received.
 */
final class FakeServer implements AutoCloseable {
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;
    private final List<Channel> children = new CopyOnWriteArrayList<>();
    final Set<String> vlans = new ConcurrentSkipListSet<>();
    final List<Message> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger refs = new AtomicInteger(10);
    // JOINs wait for releaseJoins while set, as at a server that takes its time.
    volatile boolean holdJoins;
    // HELLOs wait for releaseHellos while set: the client is connected and not yet logged in.
    volatile boolean holdHellos;
    private final List<Runnable> held = new CopyOnWriteArrayList<>();

    FakeServer(final String... vlans) throws InterruptedException {
        this.vlans.addAll(List.of(vlans));
        server = new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(final SocketChannel ch) {
                    children.add(ch);
                    StreamPipeline.addProtocol(ch.pipeline()).addLast(new SimpleChannelInboundHandler<Message>() {
                        @Override
                        protected void channelRead0(final ChannelHandlerContext ctx, final Message msg) {
                            if (!(msg instanceof Message.Keepalive) && !(msg instanceof Message.KeepaliveAck)) {
                                received.add(msg);
                            }
                            if (msg instanceof Message.Hello && holdHellos) {
                                held.add(() -> ctx.writeAndFlush(answer(msg)));
                                return;
                            }
                            if (msg instanceof Message.Join join && holdJoins) {
                                held.add(() -> ctx.writeAndFlush(new Message.Joined(join.request(),
                                    refs.incrementAndGet(), join.vlan())));
                                return;
                            }
                            final var answer = answer(msg);
                            if (answer != null) {
                                ctx.writeAndFlush(answer);
                            }
                        }
                    });
                }
            })
            .bind("127.0.0.1", 0).sync().channel();
    }

    private Message answer(final Message msg) {
        return switch (msg) {
            case Message.Hello hello -> new Message.Welcome(1, "fake", 5000, 3, 1400);
            case Message.Keepalive keepalive -> new Message.KeepaliveAck(keepalive.seq());
            case Message.Join join -> vlans.contains(join.vlan())
                ? new Message.Joined(join.request(), refs.incrementAndGet(), join.vlan())
                : new Message.Error(join.request(), Message.Error.UNKNOWN_VLAN, "no VLAN " + join.vlan());
            case Message.Leave leave -> new Message.Left(leave.request(), leave.vlanRef());
            case Message.ListVlans list -> page(list);
            case Message.CreateVlan create -> vlans.add(create.name()) ? new Message.Done(create.request())
                : new Message.Error(create.request(), Message.Error.EXISTS, "VLAN " + create.name() + " exists");
            case Message.DeleteVlan delete -> vlans.remove(delete.name()) ? new Message.Done(delete.request())
                : new Message.Error(delete.request(), Message.Error.UNKNOWN_VLAN, "no VLAN " + delete.name());
            case Message.ListMembers list -> new Message.Members(list.request(), List.of(new Message.MemberEntry(
                "peer", "bob", 0x025356000002L, "fake", List.of(InetAddress.getLoopbackAddress()))), false);
            default -> null;
        };
    }

    private Message.Vlans page(final Message.ListVlans list) {
        final var after = list.after() == null ? "" : list.after();
        final var rest = new ArrayList<>(new TreeSet<>(vlans).tailSet(after, false));
        final var page = rest.subList(0, Math.min(2, rest.size()));
        return new Message.Vlans(list.request(), page.stream().map(name -> new Message.VlanEntry(name, 1, true))
            .toList(), list.after() != null, rest.size() > page.size());
    }

    /**
     * Answers the JOINs held so far.
     */
    void releaseJoins() {
        release();
    }

    /**
     * Answers the HELLOs held so far.
     */
    void releaseHellos() {
        release();
    }

    private void release() {
        holdJoins = false;
        holdHellos = false;
        for (var answer : held) {
            answer.run();
        }
        held.clear();
    }

    /**
     * Sends a message to every client connected.
     */
    void push(final Message message) {
        for (var child : children) {
            if (child.isActive()) {
                child.writeAndFlush(message);
            }
        }
    }

    /**
     * The messages of a type received so far.
     */
    <T extends Message> List<T> received(final Class<T> type) {
        return received.stream().filter(type::isInstance).map(type::cast).toList();
    }

    int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    @Override
    public void close() {
        server.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
    }
}
