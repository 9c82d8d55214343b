/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.transport;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.serval.dataplane.Bounds;

/**
 * The return-routability check's arithmetic on a clock of its own: whatever arrives, and however spaced, an address
 * not validated is sent no more than three times what came from it, and only its own echo validates it.
 */
class PathCheckTest {
    private static final InetSocketAddress VICTIM = new InetSocketAddress("192.0.2.1", 4000);
    private static final InetSocketAddress OTHER = new InetSocketAddress("192.0.2.2", 4000);

    @Test
    void anUnvalidatedAddressGetsAtMostThreeTimesWhatItSent() {
        final var check = new PathCheck();
        final var random = new Random(19);
        long now = 0;
        long received = 0;
        long sent = 0;
        for (int i = 0; i < 10_000; i++) {
            // tiny datagrams, spaced beyond the challenge interval, would each earn a challenge without the factor
            final int bytes = 1 + random.nextInt(12);
            now += TimeUnit.MILLISECONDS.toNanos(Bounds.UDP_CHALLENGE_INTERVAL_MILLIS + random.nextInt(50));
            received += bytes;
            if (check.heard(VICTIM, bytes, now)) {
                check.challenged(PathCheck.CHALLENGE_BYTES, now);
                sent += PathCheck.CHALLENGE_BYTES;
            }
            assertTrue(sent <= (long) Bounds.UDP_UNVALIDATED_FACTOR * received,
                "sent " + sent + " for " + received + " received");
        }
        assertTrue(sent > 0, "challenged all the same");
    }

    @Test
    void challengesAreSpacedAndOnlyTheChallengedAddressValidates() {
        final var check = new PathCheck();
        final long interval = TimeUnit.MILLISECONDS.toNanos(Bounds.UDP_CHALLENGE_INTERVAL_MILLIS);
        assertTrue(check.heard(VICTIM, 1400, 0));
        check.challenged(PathCheck.CHALLENGE_BYTES, 0);
        assertFalse(check.heard(VICTIM, 1400, interval - 1), "a stream of data is not challenged per datagram");
        assertTrue(check.heard(VICTIM, 1400, interval), "a lost challenge is sent again");
        final long token = check.token();
        assertFalse(check.validates(OTHER, token), "the echo must come from the challenged address");
        assertFalse(check.validates(VICTIM, token + 1), "with the token");
        assertTrue(check.validates(VICTIM, token));
        assertFalse(check.validates(VICTIM, token), "once");
        assertTrue(check.heard(OTHER, 100, 2 * interval), "another address starts over");
        assertFalse(check.validates(VICTIM, token), "and the first address's echo no longer counts");
        assertTrue(check.validates(OTHER, check.token()));
    }
}
