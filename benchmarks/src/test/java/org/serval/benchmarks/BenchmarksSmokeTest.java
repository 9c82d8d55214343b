/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs every benchmark once, briefly, in this JVM, so that the benchmarks keep working. Figures come from
 * {@code benchmarks/bin/run}, never from here.
 */
class BenchmarksSmokeTest {
    @Test
    void everyBenchmarkRuns() throws Exception {
        final var options = new OptionsBuilder()
            .include("org\\.serval\\.benchmarks\\..*Benchmark")
            .forks(0)
            .warmupIterations(0)
            .measurementIterations(1)
            .measurementTime(TimeValue.milliseconds(100))
            .shouldFailOnError(true)
            .build();
        final var results = new Runner(options).run();
        final var names = new HashSet<String>();
        for (var result : results) {
            final var score = result.getPrimaryResult().getScore();
            assertTrue(score > 0 && Double.isFinite(score), result.getParams().getBenchmark() + ": " + score);
            names.add(result.getParams().getBenchmark());
        }
        // codec 2, login 2, seal 1, switch 2, TLS 1 benchmarks; parameters multiply the runs, not the names
        assertEquals(8, names.size(), names.toString());
    }
}
