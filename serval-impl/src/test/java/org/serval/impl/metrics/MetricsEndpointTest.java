/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.impl.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.serval.api.ClientRegistry;
import org.serval.api.LocalSecurityView;
import org.serval.api.LocalVlanView;
import org.serval.dataplane.security.TicketBook;
import org.serval.dataplane.session.Dataplane;
import org.serval.dataplane.session.DataplaneSettings;
import org.serval.dataplane.session.Gatekeeper;
import org.serval.dataplane.switching.SwitchPort;
import org.serval.impl.osgi.OSGiServalController;

/**
 * The endpoint over a real socket on 127.0.0.1, scraping a real dataplane whose switch is fed frames: the counters
 * the switch keeps are what Prometheus reads, and they move between scrapes.
 */
class MetricsEndpointTest {
    private static final int FRAME_BYTES = 60;

    /**
     * A member that takes and releases what it is sent.
     */
    private static final class Member implements SwitchPort {
        private final String name;

        Member(final String name) {
            this.name = name;
        }

        @Override
        public void deliver(final ByteBuf frame) {
            frame.release();
        }

        @Override
        public String owner() {
            return name;
        }
    }

    private static final ClientRegistry NO_REGISTRY = new ClientRegistry() {
        @Override
        public CompletionStage<Void> connected(final String clientId, final String user, final String transport,
                final String remoteAddress, final int remotePort) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletionStage<Void> joined(final String clientId, final String vlan, final long mac) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletionStage<Void> left(final String clientId, final String vlan) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletionStage<Void> disconnected(final String clientId, final String reason) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void counters(final String clientId, final TrafficCounters counters) {
            // not published in this test
        }
    };

    private final Gatekeeper gatekeeper = new Gatekeeper(new LocalSecurityView(), new TicketBook(64, 30), 1);
    private final Dataplane dataplane = new Dataplane(DataplaneSettings.defaults("n1"), new LocalVlanView(),
        NO_REGISTRY, gatekeeper);
    private final HttpClient http = HttpClient.newHttpClient();
    private final CommitTimes commitTimes = new CommitTimes();
    private MetricsEndpoint endpoint;

    @BeforeEach
    void start() throws IOException {
        endpoint = MetricsEndpoint.start(dataplane, "n1", commitTimes, new InetSocketAddress("127.0.0.1", 0));
    }

    @AfterEach
    void stop() {
        endpoint.close();
        gatekeeper.close();
    }

    private static ByteBuf frame(final long dst, final long src) {
        final var frame = Unpooled.buffer(FRAME_BYTES);
        frame.writeShort((int) (dst >>> 32)).writeInt((int) dst);
        frame.writeShort((int) (src >>> 32)).writeInt((int) src);
        // an experimental EtherType: no protocol the switch or its filter looks into
        frame.writeShort(0x88B5);
        frame.writeZero(FRAME_BYTES - frame.writerIndex());
        return frame;
    }

    private HttpResponse<String> get(final String path) throws IOException, InterruptedException {
        final var address = endpoint.localAddress();
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + address.getPort() + path)).build(),
            HttpResponse.BodyHandlers.ofString());
    }

    private static double value(final String scrape, final String series) {
        final var matcher = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(scrape);
        assertTrue(matcher.find(), () -> "no " + series + " in\n" + scrape);
        return Double.parseDouble(matcher.group(1));
    }

    @Test
    void aScrapeReadsTheSwitchCountersAndTheyMove() throws IOException, InterruptedException {
        final var red = dataplane.switchFor("red");
        final var aa = new Member("a");
        final var bb = new Member("b");
        red.attach(aa);
        red.attach(bb);
        red.receive(aa, frame(0xFFFFFFFFFFFFL, 0x0A), 0);

        final var first = get("/metrics");
        assertEquals(200, first.statusCode());
        assertTrue(first.headers().firstValue("Content-Type").orElseThrow().startsWith("text/plain; version=0.0.4"));
        final var body = first.body();
        assertEquals(2, value(body, "serval_vlan_members{vlan=\"red\"}"));
        assertEquals(1, value(body, "serval_vlan_frames_total{outcome=\"flooded\",vlan=\"red\"}"));
        assertEquals(FRAME_BYTES, value(body, "serval_vlan_bytes_total{outcome=\"flooded\",vlan=\"red\"}"));
        assertEquals(0, value(body, "serval_vlan_frames_total{outcome=\"forwarded\",vlan=\"red\"}"));
        assertEquals(0, value(body, "serval_clients"));
        assertEquals(0, value(body, "serval_sessions{transport=\"udp\"}"));
        assertEquals(0, value(body, "serval_login_failures_total"));
        assertEquals(1, value(body, "serval_node_info{node=\"n1\"}"));
        assertTrue(body.contains("# TYPE jvm_memory_used_bytes gauge"), "the JVM's metrics too");

        red.receive(bb, frame(0x0A, 0x0B), 0);
        red.receive(aa, frame(0x0B, 0x0A), 0);
        final var second = get("/metrics").body();
        assertEquals(2, value(second, "serval_vlan_frames_total{outcome=\"forwarded\",vlan=\"red\"}"));
        assertEquals(2 * FRAME_BYTES, value(second, "serval_vlan_bytes_total{outcome=\"forwarded\",vlan=\"red\"}"));
        assertEquals(1, value(second, "serval_vlan_frames_total{outcome=\"flooded\",vlan=\"red\"}"));
    }

    @Test
    void datastoreWritesAreAHistogramInSeconds() throws IOException, InterruptedException {
        commitTimes.observe(3_000_000);
        commitTimes.observe(40_000_000);
        final var body = get("/metrics").body();
        assertEquals(2, value(body, "serval_datastore_write_seconds_count"));
        assertEquals(0.043, value(body, "serval_datastore_write_seconds_sum"), 1e-9);
        assertEquals(1, value(body, "serval_datastore_write_seconds_bucket{le=\"0.005\"}"));
        assertEquals(2, value(body, "serval_datastore_write_seconds_bucket{le=\"0.05\"}"));
    }

    @Test
    void onlyGetMetricsIsServed() throws IOException, InterruptedException {
        assertEquals(404, get("/").statusCode());
        final var address = endpoint.localAddress();
        final var post = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + address.getPort()
            + "/metrics")).POST(HttpRequest.BodyPublishers.ofString("x")).build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(405, post.statusCode());
    }

    @Test
    void theDefaultAddressIsThisHostOnly() throws IOException {
        assertTrue(InetAddress.getByName(OSGiServalController.DEFAULT_METRICS_ADDRESS).isLoopbackAddress());
    }

    @Test
    void aTakenPortIsAnErrorNotAHang() {
        final var taken = endpoint.localAddress();
        final var failure = assertThrows(IOException.class,
            () -> MetricsEndpoint.start(dataplane, "n1", commitTimes, taken));
        assertTrue(failure.getMessage().contains("cannot listen"), failure.getMessage());
    }
}
