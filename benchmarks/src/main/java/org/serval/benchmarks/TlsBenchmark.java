/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.benchmarks;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.serval.dataplane.security.ServerIdentity;
import org.serval.dataplane.security.ServerTrust;

/**
 * TLS 1.3 on each engine SERVAL can use (security/TlsProvider): one message sealed by a client's {@link SslHandler}
 * and opened by a server's, the contexts being the ones the client and server build (pinned trust, the server's
 * identity), over pooled direct buffers as on the wire. A byte between two clients of one node crosses this twice.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TlsBenchmark {
    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;

    @Param({ "JDK", "OPENSSL" })
    public SslProvider engine;

    // a frame, and a TCP super-frame (up to 64 KB, cut into 16 KB records)
    @Param({ "1400", "65536" })
    public int messageBytes;

    private EmbeddedChannel client;
    private EmbeddedChannel server;
    private ByteBuf message;
    private long opened;

    @Setup
    public void setUp() throws Exception {
        final var identity = ServerIdentity.ephemeral();
        final var sealing = ServerTrust.pinned(identity.fingerprint()).clientContext(null, engine).newHandler(alloc);
        client = new EmbeddedChannel(sealing);
        server = new EmbeddedChannel(identity.serverContext(engine).newHandler(alloc),
            new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(final ChannelHandlerContext ctx, final Object msg) {
                    final var plain = (ByteBuf) msg;
                    opened += plain.readableBytes();
                    plain.release();
                }
            });
        for (int i = 0; i < 20 && !sealing.handshakeFuture().isDone(); i++) {
            carry(client, server);
            carry(server, client);
        }
        carry(client, server);
        if (!sealing.handshakeFuture().isSuccess()) {
            throw new IllegalStateException("no handshake on " + engine, sealing.handshakeFuture().cause());
        }
        message = alloc.directBuffer(messageBytes).writeZero(messageBytes);
    }

    @TearDown
    public void tearDown() {
        message.release();
        client.finishAndReleaseAll();
        server.finishAndReleaseAll();
    }

    private static void carry(final EmbeddedChannel from, final EmbeddedChannel to) {
        for (Object record; (record = from.readOutbound()) != null; ) {
            to.writeInbound(record);
        }
        from.runPendingTasks();
        to.runPendingTasks();
    }

    @Benchmark
    public long sealAndOpen() {
        client.writeAndFlush(message.retainedDuplicate());
        carry(client, server);
        return opened;
    }
}
