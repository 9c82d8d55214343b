/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.impl.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class StalledServiceWatchTest {
    private static final long SECOND = Duration.ofSeconds(1).toNanos();

    /** A provider that is active or not, with its service or not, and counts its restarts. */
    private static final class FakeHost implements StalledServiceWatch.Host {
        boolean active = true;
        boolean present;
        int restarts;

        @Override
        public boolean providerActive() {
            return active;
        }

        @Override
        public boolean servicePresent() {
            return present;
        }

        @Override
        public void restartProvider() {
            restarts++;
        }
    }

    private final FakeHost host = new FakeHost();
    private final StalledServiceWatch watch = new StalledServiceWatch(host, "the service", Duration.ofSeconds(15), 3);

    @Test
    void anActiveProviderWithoutItsServiceIsRestartedOnceTheGracePeriodIsOver() {
        assertFalse(watch.check(100 * SECOND));
        assertFalse(watch.check(114 * SECOND));
        assertEquals(0, host.restarts);
        assertTrue(watch.check(115 * SECOND));
        assertEquals(1, host.restarts);
        // no second restart before another grace period
        assertFalse(watch.check(129 * SECOND));
        assertTrue(watch.check(130 * SECOND));
        assertEquals(2, host.restarts);
    }

    @Test
    void aServiceThatComesBackOrAProviderThatIsNotUpIsLeftAlone() {
        watch.check(0);
        host.present = true;
        assertFalse(watch.check(20 * SECOND));
        host.present = false;
        // the grace period starts again from the first look without the service
        assertFalse(watch.check(21 * SECOND));
        assertFalse(watch.check(35 * SECOND));
        host.active = false;
        assertFalse(watch.check(40 * SECOND));
        host.active = true;
        assertFalse(watch.check(41 * SECOND));
        assertFalse(watch.check(55 * SECOND));
        assertEquals(0, host.restarts);
        assertTrue(watch.check(56 * SECOND));
    }

    @Test
    void aRepairedStallLeavesTheNextOneAllItsTries() {
        for (long now = 0; now <= 300 * SECOND; now += SECOND) {
            watch.check(now);
        }
        assertEquals(3, host.restarts);
        host.present = true;
        watch.check(301 * SECOND);
        assertEquals(0, watch.restarts());
        host.present = false;
        for (long now = 302 * SECOND; now <= 600 * SECOND; now += SECOND) {
            watch.check(now);
        }
        assertEquals(6, host.restarts);
    }

    @Test
    void itGivesUpAfterItsRestarts() {
        for (long now = 0; now <= 300 * SECOND; now += SECOND) {
            watch.check(now);
        }
        assertEquals(3, host.restarts);
        assertEquals(3, watch.restarts());
    }
}
