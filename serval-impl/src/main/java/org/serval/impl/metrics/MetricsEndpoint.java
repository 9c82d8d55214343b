/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.impl.metrics;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.serval.dataplane.Bounds;
import org.serval.dataplane.session.Dataplane;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Prometheus endpoint: {@code GET /metrics} answers a registry's scrape in the Prometheus text format, written
 * by the Prometheus client's own writer. It runs on one thread of its own, never on the dataplane's event loops, so
 * a scrape (a few milliseconds) never delays a frame. It binds where it is told; {@code 127.0.0.1} by default
 * (docs/operations.md, "Metrics"), as it has no authentication.
 */
public final class MetricsEndpoint implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsEndpoint.class);

    private final EventLoopGroup group;
    private final Channel server;
    private final PrometheusRegistry registry;
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final AtomicInteger connections = new AtomicInteger();

    private MetricsEndpoint(final PrometheusRegistry registry, final InetSocketAddress address) throws IOException {
        this.registry = registry;
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        final var bound = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(final SocketChannel ch) {
                        if (connections.incrementAndGet() > Bounds.METRICS_CONNECTIONS) {
                            connections.decrementAndGet();
                            ch.close();
                            return;
                        }
                        ch.closeFuture().addListener(closed -> connections.decrementAndGet());
                        ch.pipeline().addLast(new IdleStateHandler(0, 0, Bounds.METRICS_IDLE_SECONDS,
                            TimeUnit.SECONDS) {
                            @Override
                            protected void channelIdle(final ChannelHandlerContext ctx,
                                    final IdleStateEvent evt) {
                                ctx.close();
                            }
                        });
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(
                            Bounds.METRICS_REQUEST_BYTES), new Scrapes());
                    }
                })
                .bind(address).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw new IOException("cannot listen on " + address + ": " + bound.cause().getMessage(), bound.cause());
        }
        server = bound.channel();
    }

    /**
     * Starts serving a node's metrics, SERVAL's ({@link ServalCollector}, its datastore writes' times) and the
     * JVM's, at an address.
     *
     * @throws IOException when the address cannot be bound (in use, not this host's)
     */
    public static MetricsEndpoint start(final Dataplane dataplane, final String nodeId,
            final CommitTimes commitTimes, final InetSocketAddress address) throws IOException {
        final var registry = new PrometheusRegistry();
        JvmMetrics.builder().register(registry);
        registry.register(new ServalCollector(dataplane, nodeId));
        registry.register(commitTimes.histogram());
        return start(registry, address);
    }

    /**
     * Starts serving a registry at an address.
     *
     * @throws IOException when the address cannot be bound (in use, not this host's)
     */
    public static MetricsEndpoint start(final PrometheusRegistry registry, final InetSocketAddress address)
            throws IOException {
        final var endpoint = new MetricsEndpoint(registry, address);
        LOG.info("Metrics for Prometheus at http://{}:{}/metrics", endpoint.localAddress().getHostString(),
            endpoint.localAddress().getPort());
        return endpoint;
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) server.localAddress();
    }

    @Override
    public void close() {
        server.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    private final class Scrapes extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(final ChannelHandlerContext ctx, final FullHttpRequest request) {
            final var path = new QueryStringDecoder(request.uri()).path();
            final FullHttpResponse response;
            if (!request.decoderResult().isSuccess()) {
                response = text(HttpResponseStatus.BAD_REQUEST, "malformed request\n");
            } else if (!"/metrics".equals(path)) {
                response = text(HttpResponseStatus.NOT_FOUND, "SERVAL serves /metrics only\n");
            } else if (!HttpMethod.GET.equals(request.method())) {
                response = text(HttpResponseStatus.METHOD_NOT_ALLOWED, "GET /metrics\n");
                response.headers().set(HttpHeaderNames.ALLOW, "GET");
            } else {
                response = scrape(ctx);
            }
            final boolean keepAlive = HttpUtil.isKeepAlive(request) && response.status() == HttpResponseStatus.OK;
            HttpUtil.setKeepAlive(response, keepAlive);
            final var written = ctx.writeAndFlush(response);
            if (!keepAlive) {
                written.addListener(ChannelFutureListener.CLOSE);
            }
        }

        private FullHttpResponse scrape(final ChannelHandlerContext ctx) {
            final var body = ctx.alloc().buffer();
            boolean written = false;
            try (var out = new ByteBufOutputStream(body)) {
                writer.write(out, registry.scrape(), EscapingScheme.UNDERSCORE_ESCAPING);
                written = true;
            } catch (IOException e) {
                LOG.warn("A scrape failed", e);
            } finally {
                // a collector that threw leaves through exceptionCaught, which closes the connection
                if (!written) {
                    body.release();
                }
            }
            if (!written) {
                return text(HttpResponseStatus.INTERNAL_SERVER_ERROR, "the scrape failed\n");
            }
            final var response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body);
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, writer.getContentType());
            HttpUtil.setContentLength(response, body.readableBytes());
            return response;
        }

        private static FullHttpResponse text(final HttpResponseStatus status, final String message) {
            final var response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(message, StandardCharsets.UTF_8));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN + "; charset=utf-8");
            HttpUtil.setContentLength(response, response.content().readableBytes());
            return response;
        }

        @Override
        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause) {
            if (cause instanceof IOException) {
                // a scraper that hung up: nothing to tell it
                LOG.debug("Metrics connection from {} closed: {}", ctx.channel().remoteAddress(), cause.toString());
            } else {
                LOG.warn("A scrape failed", cause);
            }
            ctx.close();
        }
    }
}
