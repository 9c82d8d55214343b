/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.serval.dataplane.protocol.Message;
import org.serval.dataplane.protocol.StreamPipeline;
import org.serval.dataplane.security.ServerIdentity;

/**
 * Failover over real TLS on loopback, through the client's own connection and failover: the password goes to
 * --server only; a node learned from a node list gets the resumption credential, or nothing.
 */
class ResumedFailoverTest {
    private static final String PASSWORD = "secret";

    /**
     * A node that records every HELLO it gets and answers as a test says: a password login gets the node list,
     * WELCOME and (when it issues) RESUME; a resumed one is let in or refused as a wrong password would be.
     */
    private static final class RecordingNode implements AutoCloseable {
        final String nodeId;
        final ServerIdentity identity = ServerIdentity.ephemeral();
        final List<Message.Hello> hellos = new CopyOnWriteArrayList<>();
        volatile List<Message.NodeEntry> nodes = List.of();
        volatile boolean issues = true;
        volatile boolean acceptsResume = true;
        private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        private final Channel server;

        RecordingNode(final String nodeId) throws Exception {
            this.nodeId = nodeId;
            final var tls = identity.serverContext();
            server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(final SocketChannel ch) {
                        ch.pipeline().addLast(StreamPipeline.TLS, tls.newHandler(ch.alloc()));
                        StreamPipeline.addProtocol(ch.pipeline()).addLast(new Answers());
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
        }

        private final class Answers extends SimpleChannelInboundHandler<Message> {
            @Override
            protected void channelRead0(final ChannelHandlerContext ctx, final Message msg) {
                if (!(msg instanceof Message.Hello hello)) {
                    return;
                }
                hellos.add(hello);
                final boolean resuming = hello.authMethod() == Message.Hello.AUTH_RESUME;
                if (resuming && !acceptsResume) {
                    ctx.writeAndFlush(new Message.Error(0, Message.Error.AUTH_FAILED,
                        "unknown user or wrong password"));
                    return;
                }
                // The list and the credential before WELCOME (a node sends them after it), so that the client has
                // them when its login returns and the test goes on.
                ctx.write(new Message.Nodes(nodes));
                if (issues) {
                    ctx.write(new Message.Resume(86_400, "credential-from-" + nodeId));
                }
                ctx.writeAndFlush(new Message.Welcome(1, nodeId, 5000, 3, 1400));
            }
        }

        int port() {
            return ((InetSocketAddress) server.localAddress()).getPort();
        }

        Endpoint endpoint() {
            return new Endpoint("127.0.0.1", port());
        }

        Message.NodeEntry entry() {
            return new Message.NodeEntry(nodeId, Message.NodeEntry.TCP, "127.0.0.1", port(), 0, 0,
                identity.fingerprint());
        }

        boolean sawThePassword() {
            return hellos.stream().anyMatch(hello -> hello.authData().contains(PASSWORD)
                || hello.authMethod() == Message.Hello.AUTH_PASSWORD);
        }

        @Override
        public void close() {
            server.close().awaitUninterruptibly();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
    }

    private final List<RecordingNode> nodes = new ArrayList<>();
    private RecordingNode configured;
    private RecordingNode learnedB;
    private RecordingNode learnedC;
    private Connection connection;
    private Failover failover;
    private final FakeClock clock = new FakeClock();
    private final Backoff backoff = new Backoff(Backoff.FIRST_MILLIS, Backoff.CEILING_MILLIS, new Random(5), clock);

    @BeforeEach
    void setUp() throws Exception {
        configured = node("a");
        learnedB = node("b");
        learnedC = node("c");
        final var list = List.of(configured.entry(), learnedB.entry(), learnedC.entry());
        nodes.forEach(node -> node.nodes = list);
        final var options = new ClientOptions("127.0.0.1", configured.port(), "tcp", "t1", Map.of("red", "serval0"),
            0, 0, 0, "alice", PASSWORD, configured.identity.fingerprint(), null, false, null, false, false);
        final var failovers = new Failover[1];
        connection = new Connection(options, new Connection.Listener() {
            @Override
            public void data(final Message.Data data) {
                // no frames here
            }

            @Override
            public void writable() {
                // nothing waits
            }

            @Override
            public void nodes(final Message.Nodes nodeList) {
                failovers[0].received(nodeList);
            }
        });
        failover = new Failover(configured.endpoint(), false, connection.trust());
        failovers[0] = failover;
    }

    private RecordingNode node(final String id) throws Exception {
        final var node = new RecordingNode(id);
        nodes.add(node);
        return node;
    }

    @AfterEach
    void tearDown() {
        connection.close();
        nodes.forEach(RecordingNode::close);
    }

    private Endpoint failOverFrom(final String lost) throws Exception {
        return failover.reconnect(lost, clock.in(60_000), () -> false, to -> connection.logIn(to, false), backoff);
    }

    @Test
    void aLearnedNodeGetsTheCredentialAndNeverThePassword() throws Exception {
        assertEquals("a", connection.logIn(configured.endpoint(), false).nodeId());
        assertEquals(Message.Hello.AUTH_PASSWORD, configured.hellos.get(0).authMethod(), "--server: the password");

        // The learned nodes list only themselves: from there on, failover goes from learned node to learned node.
        learnedB.nodes = List.of(learnedB.entry(), learnedC.entry());
        learnedC.nodes = learnedB.nodes;
        assertEquals(learnedB.endpoint(), failOverFrom("a"));
        assertEquals(1, learnedB.hellos.size());
        final var hello = learnedB.hellos.get(0);
        assertEquals(Message.Hello.AUTH_RESUME, hello.authMethod());
        assertEquals("credential-from-a", hello.authData());
        assertEquals("alice", hello.user());
        assertEquals("t1", hello.clientId());

        // and on, with the credential the learned node gave, which replaced the first
        assertEquals(learnedC.endpoint(), failOverFrom("b"));
        assertEquals(Message.Hello.AUTH_RESUME, learnedC.hellos.get(0).authMethod());
        assertEquals("credential-from-b", learnedC.hellos.get(0).authData());
        assertFalse(learnedB.sawThePassword() || learnedC.sawThePassword(), "no learned node saw the password");
        assertEquals(1, configured.hellos.size());
    }

    @Test
    void whenTheLearnedNodesRefuseTheCredentialOnlyTheConfiguredServerGetsThePassword() throws Exception {
        connection.logIn(configured.endpoint(), false);
        learnedB.acceptsResume = false;
        learnedC.acceptsResume = false;
        assertEquals(configured.endpoint(), failOverFrom("a"), "the others first, then --server");
        assertEquals(1, learnedB.hellos.size(), "each learned node asked once");
        assertEquals(1, learnedC.hellos.size());
        assertFalse(learnedB.sawThePassword() || learnedC.sawThePassword());
        assertEquals(Message.Hello.AUTH_PASSWORD, configured.hellos.get(configured.hellos.size() - 1).authMethod());
    }

    @Test
    void withoutACredentialALearnedNodeGetsNoHello() throws Exception {
        configured.issues = false;
        connection.logIn(configured.endpoint(), false);
        assertEquals(configured.endpoint(), failOverFrom("a"));
        assertTrue(learnedB.hellos.isEmpty() && learnedC.hellos.isEmpty(), "no HELLO at a learned node");
        assertEquals(2, configured.hellos.size());
        assertTrue(configured.hellos.stream().allMatch(hello -> hello.authMethod() == Message.Hello.AUTH_PASSWORD));
    }
}
