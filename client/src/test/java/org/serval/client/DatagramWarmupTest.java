/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.client;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.epoll.Epoll;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The UDP client's warm-up runs its real datagram stages over loopback: super-frames cut by the client, sealed,
 * sent in GSO runs, read with GRO and opened by the echo, sealed back, read and opened by the client. All of it has
 * to work for the frames to come back.
 */
class DatagramWarmupTest {
    @Test
    void framesComeBackThroughTheClientsOwnStages() throws Exception {
        assumeTrue(Epoll.isAvailable(), "native epoll (Linux)");
        final var result = DatagramWarmup.startLogged(3_000, 20_000).get(30, TimeUnit.SECONDS);
        assertTrue(result.messages() >= 3_000, "frames echoed: " + result.messages());
    }
}
