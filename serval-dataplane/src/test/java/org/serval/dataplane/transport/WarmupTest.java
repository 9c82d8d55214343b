/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.serval.dataplane.protocol.LeakCheck;

@ExtendWith(LeakCheck.class)
class WarmupTest {
    @Test
    void echoesTheFramesItWasAskedForOverLoopbackTls() throws Exception {
        final var result = Warmup.start(3_000, 60_000).get(60, TimeUnit.SECONDS);
        assertEquals(3_000, result.messages(), "every frame sent came back");
        assertTrue(result.millis() >= 0);
    }

    @Test
    void stopsAtItsTimeLimit() throws Exception {
        final var result = Warmup.start(Integer.MAX_VALUE, 300).get(60, TimeUnit.SECONDS);
        assertTrue(result.messages() > 0 && result.messages() < Integer.MAX_VALUE, String.valueOf(result));
    }
}
