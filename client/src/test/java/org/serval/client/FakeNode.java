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
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.serval.dataplane.protocol.Message;
import org.serval.dataplane.protocol.StreamPipeline;
import org.serval.dataplane.security.ServerIdentity;

/**
 * A node that does just enough of a login over real TLS on loopback: it answers HELLO with its node list (first,
 * as a full node does, so that the client has it before the answer) and WELCOME.
 */
final class FakeNode implements AutoCloseable {
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;
    private final String nodeId;

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
                    ch.pipeline().addLast(StreamPipeline.TLS, tls.newHandler(ch.alloc()));
                    StreamPipeline.addProtocol(ch.pipeline()).addLast(new SimpleChannelInboundHandler<Message>() {
                        @Override
                        protected void channelRead0(final ChannelHandlerContext ctx, final Message msg) {
                            if (msg instanceof Message.Hello) {
                                ctx.write(new Message.Nodes(nodes.get()));
                                ctx.writeAndFlush(new Message.Welcome(1, nodeId, 5000, 3, 1400));
                            }
                        }
                    });
                }
            })
            .bind(address, port).sync();
        server = bound.channel();
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
