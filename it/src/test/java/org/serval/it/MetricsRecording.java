/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.it;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * Real data for the dashboard's picture (docs/operations.md, "Metrics"): a real Prometheus (the Debian package)
 * scrapes the node every 2 s while the clients of {@link MetricsTest} do varied things for a few minutes; then the
 * expressions of the dashboard's panels (docs/grafana/serval.json) are asked of Prometheus over its HTTP API and
 * written as tab-separated tables, one per panel, which scripts/metrics-pictures.sh draws with gnuplot.
 */
final class MetricsRecording {
    private static final String PROMETHEUS = "/usr/bin/prometheus";
    private static final String PROMETHEUS_ADDRESS = "127.0.0.1:9099";
    private static final String VLAN = "metrics";

    /**
     * The panels: file name, then the PromQL of docs/grafana/serval.json's panel, then the label that names each
     * line.
     */
    private static final List<List<String>> PANELS = List.of(
        List.of("clients", "serval_clients", ""),
        List.of("sessions", "serval_sessions", "transport"),
        List.of("vlan-frames", "sum by (outcome) (rate(serval_vlan_frames_total{vlan=\"" + VLAN
            + "\"}[10s])) > 0", "outcome"),
        List.of("vlan-bits", "sum by (outcome) (rate(serval_vlan_bytes_total{vlan=\"" + VLAN + "\"}[10s])) * 8",
            "outcome"),
        List.of("client-bits", "sum by (client) (rate(serval_client_bytes_total{direction=\"in\"}[10s])) * 8",
            "client"),
        List.of("jvm-heap", "sum(jvm_memory_used_bytes{area=\"heap\"}) / 1048576", ""),
        List.of("vlan-members", "serval_vlan_members", "vlan"),
        List.of("datastore-ms", "label_replace(histogram_quantile(0.5, sum by (le) (rate("
            + "serval_datastore_write_seconds_bucket[20s]))), \"q\", \"p50\", \"\", \"\") * 1000 or "
            + "label_replace(histogram_quantile(0.99, sum by (le) (rate(serval_datastore_write_seconds_bucket[20s]))),"
            + " \"q\", \"p99\", \"\", \"\") * 1000", "q"));

    private MetricsRecording() {
        // static only
    }

    static void record(final Path dir, final NetnsHosts hosts, final String first, final Path logs) throws Exception {
        RealParts.require(Files.isExecutable(Path.of(PROMETHEUS)), "prometheus (apt-get install prometheus)");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("prometheus.yml"), String.join("\n",
            "global:", "  scrape_interval: 2s", "scrape_configs:", "  - job_name: serval", "    static_configs:",
            "      - targets: ['127.0.0.1:9464']", ""));
        final var prometheus = new ProcessBuilder(PROMETHEUS, "--config.file=" + dir.resolve("prometheus.yml"),
            "--storage.tsdb.path=" + dir.resolve("tsdb"), "--web.listen-address=" + PROMETHEUS_ADDRESS)
            .redirectErrorStream(true).redirectOutput(logs.resolve("prometheus.log").toFile()).start();
        try {
            final long start = System.currentTimeMillis() / 1000;
            traffic(hosts, first);
            // the last scrape of the last phase
            Thread.sleep(4000);
            final long end = System.currentTimeMillis() / 1000;
            final var http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            for (var panel : PANELS) {
                table(http, panel.get(1), panel.get(2), start, end, dir.resolve(panel.get(0) + ".tsv"));
            }
        } finally {
            prometheus.destroy();
            if (!prometheus.waitFor(20, TimeUnit.SECONDS)) {
                prometheus.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * About three minutes: slow pings, a third client that comes and goes, fast large pings, then the hosts
     * forgetting their neighbours every second, so that ARP questions are asked (and answered by the switch).
     */
    private static void traffic(final NetnsHosts hosts, final String first) throws Exception {
        idle(20);
        ping(first, "0.2", "56", 30);
        final var c = hosts.host("mtc", VLAN, "10.97.0.3/24", "tcp");
        ping(c, "0.1", "56", 20);
        ping(first, "0.02", "1000", 40);
        hosts.client(2).destroy();
        hosts.client(2).waitFor(10, TimeUnit.SECONDS);
        final long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
        while (System.nanoTime() < until) {
            NetnsHosts.run("ip", "-n", first, "neigh", "flush", "all");
            NetnsHosts.exitCode("ip", "netns", "exec", first, "ping", "-c", "2", "-i", "0.2", "-W", "1", "10.97.0.2");
            Thread.sleep(500);
        }
        idle(20);
    }

    private static void idle(final int seconds) throws InterruptedException {
        Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
    }

    private static void ping(final String ns, final String interval, final String size, final int seconds)
            throws IOException, InterruptedException {
        NetnsHosts.exitCode("ip", "netns", "exec", ns, "ping", "-q", "-i", interval, "-s", size, "-w",
            Integer.toString(seconds), "10.97.0.2");
    }

    /**
     * One panel's data: a header line with the lines' names, then one row per step (2 s) with the time in seconds
     * from the start and each line's value, NaN where it had none.
     */
    private static void table(final HttpClient http, final String query, final String label, final long start,
            final long end, final Path file) throws IOException, InterruptedException {
        final var uri = URI.create("http://" + PROMETHEUS_ADDRESS + "/api/v1/query_range?query="
            + URLEncoder.encode(query, UTF_8) + "&start=" + start + "&end=" + end + "&step=2");
        final var response = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("Prometheus answered " + response.statusCode() + " to " + query + ": "
                + response.body());
        }
        final var result = JsonParser.parseString(response.body()).getAsJsonObject().getAsJsonObject("data")
            .getAsJsonArray("result");
        final var lines = new TreeMap<String, Map<Long, String>>();
        final var times = new TreeSet<Long>();
        for (var entry : result) {
            final JsonObject series = entry.getAsJsonObject();
            final var metric = series.getAsJsonObject("metric");
            final var name = label.isEmpty() || !metric.has(label) ? "value" : metric.get(label).getAsString();
            final var points = new TreeMap<Long, String>();
            for (var point : series.getAsJsonArray("values")) {
                final long time = point.getAsJsonArray().get(0).getAsLong() - start;
                points.put(time, point.getAsJsonArray().get(1).getAsString());
                times.add(time);
            }
            lines.put(name, points);
        }
        final var out = new ArrayList<String>();
        out.add("seconds\t" + String.join("\t", lines.keySet()));
        for (var time : times) {
            final var row = new StringBuilder().append(time);
            lines.values().forEach(points -> row.append('\t').append(points.getOrDefault(time, "NaN")));
            out.add(row.toString());
        }
        Files.write(file, out, UTF_8);
    }
}
