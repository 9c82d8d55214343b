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
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.serval.dataplane.protocol.Message;
import org.serval.dataplane.protocol.StreamPipeline;
import org.serval.dataplane.security.ServerIdentity;

/**
 * A node that does just enough of a login over real TLS on loopback: it answers HELLO with its node list (first,
 * as a full node does, so that the client has it before the answer) and WELCOME. It can also push a node list to
 * every client connected, as a node does when its cluster changes.
 */
final class FakeNode implements AutoCloseable {
    private static final long PUSHED = 77;

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;
    private final String nodeId;
    private final List<Channel> children = new CopyOnWriteArrayList<>();
    private final Map<Channel, CompletableFuture<Void>> acked = new ConcurrentHashMap<>();

    FakeNode(final String nodeId, final ServerIdentity identity, final String address, final int port,
            final Supplier<List<Message.NodeEntry>> nodes) throws IOException, InterruptedException {
        this.nodeId = nodeId;
        final SslContext tls = identity.serverContext();
        final var bound = new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(final SocketChannel ch) {
                    children.add(ch);
                    ch.pipeline().addLast(StreamPipeline.TLS, tls.newHandler(ch.alloc()));
                    StreamPipeline.addProtocol(ch.pipeline()).addLast(new SimpleChannelInboundHandler<Message>() {
                        @Override
                        protected void channelRead0(final ChannelHandlerContext ctx, final Message msg) {
                            if (msg instanceof Message.Hello) {
                                ctx.write(new Message.Nodes(nodes.get()));
                                // what lets the client log in at the other nodes of the list
                                ctx.write(new Message.Resume(86_400, "resume-" + nodeId));
                                ctx.writeAndFlush(new Message.Welcome(1, nodeId, 5000, 3, 1400));
                            } else if (msg instanceof Message.KeepaliveAck ack && ack.seq() == PUSHED) {
                                acked.get(ctx.channel()).complete(null);
                            }
                        }
                    });
                }
            })
            .bind(address, port).sync();
        server = bound.channel();
    }

    /**
     * Sends a node list on every connection open, then a keepalive; the future completes when each has answered
     * that keepalive, and so has read the list before it.
     */
    CompletableFuture<Void> push(final List<Message.NodeEntry> nodes) {
        final List<CompletableFuture<Void>> answers = new ArrayList<>();
        for (var child : children) {
            if (child.isActive()) {
                final var answered = new CompletableFuture<Void>();
                acked.put(child, answered);
                answers.add(answered);
                child.write(new Message.Nodes(nodes));
                child.writeAndFlush(new Message.Keepalive(PUSHED));
            }
        }
        return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new));
    }

    int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    String nodeId() {
        return nodeId;
    }

    @Override
    public void close() {
        server.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
    }
}
