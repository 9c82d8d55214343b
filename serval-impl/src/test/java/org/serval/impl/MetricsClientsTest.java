/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.impl;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.mockito.Mockito.mock;
import static org.serval.impl.RawSession.read;
import static org.serval.impl.RawSession.write;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.opendaylight.mdsal.binding.api.NotificationPublishService;
import org.opendaylight.mdsal.binding.api.RpcProviderService;
import org.opendaylight.mdsal.binding.dom.adapter.test.AbstractConcurrentDataBrokerTest;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.SetPasswordInputBuilder;
import org.opendaylight.yangtools.concepts.Registration;
import org.serval.dataplane.protocol.Message;
import org.serval.dataplane.session.DataplaneSettings;
import org.serval.impl.metrics.ServalCollector;

/**
 * The node and client metrics of a real node with clients logged in over its TCP listener: logins and failures
 * counted, the clients and sessions gauges, and the bound on per-client series (the clients beyond it counted, not
 * labelled).
 */
public class MetricsClientsTest extends AbstractConcurrentDataBrokerTest {
    private static final Registration NO_REGISTRATION = () -> { };

    private ServalController controller;
    private final List<Socket> sockets = new ArrayList<>();

    public MetricsClientsTest() {
        super(true);
    }

    @Before
    public void start() throws Exception {
        final var rpcProvider = mock(RpcProviderService.class,
            invocation -> invocation.getMethod().getReturnType() == Registration.class ? NO_REGISTRATION : null);
        controller = new ServalController(getDataBroker(), getDomBroker(), rpcProvider,
            mock(NotificationPublishService.class), DataplaneSettings.defaults("node-1"), 1000,
            new ServalController.Sockets(new InetSocketAddress("127.0.0.1", 0), null, null, "127.0.0.1", 1), null,
            1000);
        assertTrue(controller.userRpcs().setPassword(new SetPasswordInputBuilder().setUser("alice")
            .setPassword("pw").build()).get(10, TimeUnit.SECONDS).isSuccessful());
        eventually("alice is known", () -> controller.security().user("alice").isPresent());
    }

    @After
    public void stop() throws IOException {
        for (var socket : sockets) {
            socket.close();
        }
        controller.close();
    }

    private static void eventually(final String what, final BooleanSupplier condition) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(10);
        }
    }

    private Message hello(final String clientId, final String password) throws IOException {
        final var socket = new Socket();
        sockets.add(socket);
        socket.connect(controller.tcpAddress(), 5000);
        socket.setSoTimeout(5000);
        write(socket, new Message.Hello(1, clientId, 0, "alice", Message.Hello.AUTH_PASSWORD, password));
        return read(socket);
    }

    private String scrape(final int clientSeries) throws IOException {
        final var registry = new PrometheusRegistry();
        registry.register(new ServalCollector(controller.dataplane(), controller.nodeId(), clientSeries));
        final var out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, registry.scrape(), EscapingScheme.UNDERSCORE_ESCAPING);
        return out.toString(StandardCharsets.UTF_8);
    }

    private static double value(final String scrape, final String series) {
        final var matcher = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(scrape);
        assertTrue("no " + series + " in\n" + scrape, matcher.find());
        return Double.parseDouble(matcher.group(1));
    }

    @Test
    public void loginsAreCountedAndClientsBeyondTheBoundAreCountedNotLabelled() throws Exception {
        for (var id : List.of("c3", "c1", "c2")) {
            assertTrue(hello(id, "pw") instanceof Message.Welcome);
        }
        assertTrue(hello("c4", "wrong") instanceof Message.Error);
        eventually("three sessions", () -> controller.dataplane().sessionCount() == 3);

        final var scrape = scrape(2);
        assertEquals(3, value(scrape, "serval_clients"), 0);
        assertEquals(3, value(scrape, "serval_sessions{transport=\"tcp\"}"), 0);
        assertEquals(0, value(scrape, "serval_sessions{transport=\"udp\"}"), 0);
        assertEquals(3, value(scrape, "serval_logins_total"), 0);
        assertEquals(1, value(scrape, "serval_login_failures_total"), 0);
        // the first ids in order get series; the third is only counted
        assertEquals(0, value(scrape, "serval_client_frames_total{client=\"c1\",direction=\"in\"}"), 0);
        assertEquals(0, value(scrape, "serval_client_bytes_total{client=\"c2\",direction=\"out\"}"), 0);
        assertFalse(scrape, scrape.contains("client=\"c3\""));
        assertEquals(1, value(scrape, "serval_metrics_unlabelled_clients"), 0);

        final var all = scrape(200);
        assertTrue(all, all.contains("serval_client_discarded_frames_total{client=\"c3\",direction=\"in\"} 0"));
        assertEquals(0, value(all, "serval_metrics_unlabelled_clients"), 0);
    }
}
