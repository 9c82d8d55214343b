/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.benchmarks;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Runs the chatter measurement briefly (a few simulated minutes, well under a second of real time), so that it
 * keeps working and keeps measuring what it says; the figures come from {@code benchmarks/bin/chatter}.
 */
class ChatterMeasurementTest {
    @Test
    void servalDeliversLessChatterThanFloodingAndFloodingGrowsWithTheVlan() {
        final var small = ChatterMeasurement.measure(8, false, 120);
        final var flooding = ChatterMeasurement.measure(32, false, 120);
        final var serval = ChatterMeasurement.measure(32, true, 120);
        final var servalSmall = ChatterMeasurement.measure(8, true, 120);
        assertTrue(flooding.groupFrames() > 3 * small.groupFrames(), flooding + " against " + small);
        assertTrue(serval.groupFrames() < flooding.groupFrames() * 3 / 4, serval + " against " + flooding);
        assertTrue(serval.neighbor() < flooding.neighbor() / 10, "ARP and ND answered: " + serval);
        assertTrue(serval.neighbor() <= servalSmall.neighbor() + 0.05, "and flat: " + serval + ", " + servalSmall);
        // the switch's mDNS cache: a question goes to everyone once a minute, whatever the VLAN's size
        assertTrue(serval.mdns() < flooding.mdns() / 4, "mDNS answered by the switch: " + serval);
        assertTrue(serval.mdns() <= servalSmall.mdns() * 1.5, "and flat: " + serval + ", " + servalSmall);
    }
}
