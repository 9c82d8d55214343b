/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.benchmarks;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;

/**
 * The latency of the get-vlans RPC as the number of VLANs grows: creates VLANs in batches over RESTCONF up to each
 * of the given counts, then times get-vlans calls for a name prefix that matches ten VLANs, over one kept-alive
 * HTTP connection, and prints percentiles per count. get-vlans reads the node's in-memory view, so its latency
 * should not depend on the count (docs/performance.md).
 *
 * <p>Usage: {@code GetVlansLatency BASE_URL CALLS COUNT...}, e.g. {@code http://127.0.0.1:8181/rests 1000 10 100000};
 * RESTCONF user admin/admin.
 */
public final class GetVlansLatency {
    private static final int BATCH = 5000;
    private static final int FIRST_WARMUP_CALLS = 5000;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final String auth = "Basic " + Base64.getEncoder().encodeToString("admin:admin".getBytes(UTF_8));

    private GetVlansLatency(final String base) {
        this.base = base;
    }

    private HttpResponse<String> send(final String method, final String path, final String json)
            throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofMinutes(5))
            .header("Authorization", auth)
            .header("Content-Type", "application/json")
            .header("Accept", "application/json")
            .method(method, HttpRequest.BodyPublishers.ofString(json))
            .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String name(final int index) {
        return String.format("v%07d", index);
    }

    private void createUpTo(final int from, final int to) throws IOException, InterruptedException {
        for (int start = from; start < to; start += BATCH) {
            final var json = new StringBuilder("{\"serval:vlans\":{\"vlan\":[");
            for (int i = start; i < Math.min(to, start + BATCH); i++) {
                json.append(i == start ? "" : ",").append("{\"name\":\"").append(name(i)).append("\"}");
            }
            json.append("]}}");
            final var response = send("PATCH", "/data/serval:vlans", json.toString());
            if (response.statusCode() / 100 != 2) {
                throw new IOException("creating VLANs failed: HTTP " + response.statusCode() + " " + response.body());
            }
        }
    }

    private long[] time(final int calls) throws IOException, InterruptedException {
        // "v000000" matches v0000000..v0000009: ten VLANs at every count from 10 up
        final var input = "{\"input\":{\"name-prefix\":\"v000000\"}}";
        final var nanos = new long[calls];
        for (int i = 0; i < calls; i++) {
            final long start = System.nanoTime();
            final var response = send("POST", "/operations/serval:get-vlans", input);
            nanos[i] = System.nanoTime() - start;
            if (response.statusCode() != 200) {
                throw new IOException("get-vlans failed: HTTP " + response.statusCode() + " " + response.body());
            }
        }
        Arrays.sort(nanos);
        return nanos;
    }

    private void awaitView(final int count) throws IOException, InterruptedException {
        final var last = name(count - 1);
        for (int i = 0; i < 600; i++) {
            final var response = send("POST", "/operations/serval:get-vlans",
                "{\"input\":{\"name-prefix\":\"" + last + "\"}}");
            if (response.statusCode() == 200 && response.body().contains(last)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IOException("the node's view never showed " + last);
    }

    /**
     * Waits (two minutes at most) until the server's JVM uses under 5 % of a core over a second.
     *
     * @param pid the server's process, or 0 when not known (then only a second's pause)
     */
    private static void awaitQuiet(final long pid) throws IOException, InterruptedException {
        final var stat = Path.of("/proc/" + pid + "/stat");
        if (pid == 0 || !Files.exists(stat)) {
            Thread.sleep(1000);
            return;
        }
        long before = cpuTicks(stat);
        for (int i = 0; i < 120; i++) {
            Thread.sleep(1000);
            final long now = cpuTicks(stat);
            // clock ticks are 1/100 s: 5 ticks in a second are 5 % of a core
            if (now - before <= 5) {
                return;
            }
            before = now;
        }
    }

    private static long cpuTicks(final Path stat) throws IOException {
        final var text = Files.readString(stat);
        // after the command's closing parenthesis: state is field 3, utime and stime fields 14 and 15
        final var fields = text.substring(text.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    @SuppressWarnings("checkstyle:RegexpSinglelineJava")
    public static void main(final String[] args) throws Exception {
        final var bench = new GetVlansLatency(args[0]);
        final int calls = Integer.parseInt(args[1]);
        int have = 0;
        for (int a = 2; a < args.length; a++) {
            final int count = Integer.parseInt(args[a]);
            final long created = System.nanoTime();
            bench.createUpTo(have, count);
            final long createMillis = (System.nanoTime() - created) / 1_000_000;
            have = Math.max(have, count);
            // Steady state, not the node's boot or its intake of the VLANs just created: the view has the last
            // one, and the server's JVM has settled (with 100,000 VLANs the listeners take seconds).
            bench.awaitView(count);
            awaitQuiet(Long.getLong("serval.pid", 0));
            // The JIT compiles RESTCONF's path (Jersey, Shiro, JSON) over the first few thousand calls: without
            // them the first count measures the compiler, not the count.
            bench.time(a == 2 ? FIRST_WARMUP_CALLS : Math.max(100, calls / 5));
            final var nanos = bench.time(calls);
            System.out.printf("vlans=%d calls=%d p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f create_ms=%d%n",
                count, calls, nanos[calls / 2] / 1e6, nanos[calls * 9 / 10] / 1e6, nanos[calls * 99 / 100] / 1e6,
                nanos[calls - 1] / 1e6, createMillis);
            System.out.flush();
        }
    }
}
