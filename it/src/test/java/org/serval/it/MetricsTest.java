/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Prometheus endpoint of the real server (docs/operations.md, "Metrics"): two clients in network namespaces
 * ping each other over a VLAN, and two scrapes of /metrics show the clients, the sessions by transport and the
 * VLAN's frame and byte counters moving; the endpoint answers on 127.0.0.1 only, while the dataplane's port, bound
 * to every address, answers on another address of the host.
 *
 * <p>With {@code -Dserval.it.metrics.record=DIR} it then goes on for a couple of minutes of varied traffic while a
 * real Prometheus (the Debian package) scrapes the node, and leaves the data the dashboard's panels show in DIR
 * (scripts/metrics-pictures.sh draws them).
 */
class MetricsTest {
    static final String METRICS = "http://127.0.0.1:9464/metrics";
    private static final String VLAN = "metrics";
    private static final int PINGS = 20;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void aScrapeShowsTheVlanCountersMoveWhileTwoClientsPing() throws Exception {
        RealParts.require(NetnsHosts.available(), "needs root, /dev/net/tun, ip, ping and a built client");
        final var logs = Files.createDirectories(Path.of("target/metrics").toAbsolutePath());
        try (var server = new ServalServer(); var hosts = new NetnsHosts(logs)) {
            server.start();
            assertEquals(204, server.rpc("create-vlan", "{\"name\":\"" + VLAN + "\",\"open\":true}").statusCode());
            final var a = hosts.host("mta", VLAN, "10.97.0.1/24", "tcp");
            hosts.host("mtb", VLAN, "10.97.0.2/24", "udp");

            final var first = awaitScrape(scrape -> value(scrape, "serval_clients") == 2
                && value(scrape, "serval_vlan_members{vlan=\"" + VLAN + "\"}") == 2);
            assertEquals(1, value(first, "serval_sessions{transport=\"tcp\"}"));
            assertEquals(1, value(first, "serval_sessions{transport=\"udp\"}"));
            assertTrue(value(first, "serval_logins_total") >= 2, first);
            assertTrue(first.contains("\njvm_memory_used_bytes{"), "the JVM's metrics are there too");

            final var ping = NetnsHosts.run("ip", "netns", "exec", a, "ping", "-c", Integer.toString(PINGS), "-i",
                "0.2", "-W", "2", "10.97.0.2");
            assertTrue(ping.contains(" 0% packet loss"), ping);
            final var second = scrape();
            final var forwarded = "serval_vlan_frames_total{outcome=\"forwarded\",vlan=\"" + VLAN + "\"}";
            final var forwardedBytes = "serval_vlan_bytes_total{outcome=\"forwarded\",vlan=\"" + VLAN + "\"}";
            // each echo and each reply is one unicast frame through the switch
            assertTrue(value(second, forwarded) - value(first, forwarded) >= 2 * PINGS,
                "forwarded frames moved: " + value(first, forwarded) + " then " + value(second, forwarded));
            // an ICMP echo of ping's default 56 bytes is a 98-byte frame
            assertTrue(value(second, forwardedBytes) - value(first, forwardedBytes) >= 2 * PINGS * 98,
                "forwarded bytes moved: " + value(first, forwardedBytes) + " then " + value(second, forwardedBytes));
            assertTrue(value(second, "serval_client_frames_total{client=\"it-mta\",direction=\"in\"}") >= PINGS,
                second);
            assertEquals(2, value(second, "serval_clients"));
            sameInOperational(server, value(second, forwardedBytes));

            notReachableBeyondThisHost(logs);

            final var record = System.getProperty("serval.it.metrics.record", "");
            if (!record.isEmpty()) {
                MetricsRecording.record(Path.of(record).toAbsolutePath(), hosts, a, logs);
            }
        }
    }

    /**
     * The VLAN's entry in OPERATIONAL vlan-statistics has the same counters, written within the sweep's period.
     */
    private static void sameInOperational(final ServalServer server, final double forwardedBytes)
            throws IOException, InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String body = "";
        while (System.nanoTime() < deadline) {
            final var response = server.get("/data/serval:vlan-statistics?content=nonconfig");
            body = response.body();
            if (response.statusCode() == 200) {
                for (var entry : JsonParser.parseString(body).getAsJsonObject()
                        .getAsJsonObject("serval:vlan-statistics").getAsJsonArray("vlan")) {
                    final var vlan = entry.getAsJsonObject();
                    if (VLAN.equals(vlan.get("name").getAsString()) && vlan.has("forwarded-octets")
                            && vlan.get("forwarded-octets").getAsLong() >= forwardedBytes
                            && vlan.get("members").getAsLong() == 2) {
                        return;
                    }
                }
            }
            Thread.sleep(500);
        }
        throw new AssertionError("vlan-statistics never showed the scraped " + forwardedBytes
            + " forwarded bytes and 2 members: " + body);
    }

    /**
     * Connects from another network namespace to an address of this host that is not loopback (a veth pair): the
     * dataplane's TCP port, bound to every address, answers there; the metrics port does not.
     */
    private static void notReachableBeyondThisHost(final Path logs) throws IOException, InterruptedException {
        final var ns = "svmt" + ProcessHandle.current().pid() % 10_000;
        final var hostSide = ns + "h";
        try {
            NetnsHosts.run("ip", "netns", "add", ns);
            NetnsHosts.run("ip", "link", "add", hostSide, "type", "veth", "peer", "name", ns + "p", "netns", ns);
            NetnsHosts.run("ip", "addr", "add", "10.98.0.1/30", "dev", hostSide);
            NetnsHosts.run("ip", "link", "set", hostSide, "up");
            NetnsHosts.run("ip", "-n", ns, "addr", "add", "10.98.0.2/30", "dev", ns + "p");
            NetnsHosts.run("ip", "-n", ns, "link", "set", ns + "p", "up");
            assertEquals(0, connect(ns, "10.98.0.1", ServalServer.DATAPLANE_PORT),
                "the dataplane answers on the host's other address: the path works");
            assertNotEquals(0, connect(ns, "10.98.0.1", 9464), "the metrics endpoint answers beyond this host");
        } finally {
            // deleting the namespace deletes both ends of the pair
            NetnsHosts.exitCode("ip", "netns", "del", ns);
        }
        Files.writeString(logs.resolve("reachability.txt"), "10.98.0.1:4000 open, 10.98.0.1:9464 refused\n");
    }

    private static int connect(final String ns, final String address, final int port)
            throws IOException, InterruptedException {
        return NetnsHosts.exitCode("ip", "netns", "exec", ns, "timeout", "5", "bash", "-c",
            "exec 3<>/dev/tcp/" + address + "/" + port);
    }

    String scrape() throws IOException, InterruptedException {
        final var response = http.send(HttpRequest.newBuilder(URI.create(METRICS)).build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return response.body();
    }

    private String awaitScrape(final Predicate<String> done)
            throws IOException, InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        var scrape = scrape();
        while (!done.test(scrape)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the scrape never showed two clients in VLAN " + VLAN + ":\n" + scrape);
            }
            Thread.sleep(200);
            scrape = scrape();
        }
        return scrape;
    }

    /**
     * The value of one series in a scrape, or -1 when it is not there.
     */
    static double value(final String scrape, final String series) {
        final var matcher = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(scrape);
        return matcher.find() ? Double.parseDouble(matcher.group(1)) : -1;
    }
}
