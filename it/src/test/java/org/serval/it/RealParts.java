/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.it;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What a test does when the real parts it needs (root, {@code /dev/net/tun}, a tool such as iperf3) are missing: on
 * a developer's machine it is skipped and says why; under CI ({@code CI=true}), where the project's scripts install
 * every part, it fails, so that a missing install step cannot pass for a green run.
 */
final class RealParts {
    private RealParts() {
        // static only
    }

    static boolean underCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /**
     * Skips the test (fails it under CI) unless {@code present}.
     */
    static void require(final boolean present, final String what) {
        if (present) {
            return;
        }
        if (underCi()) {
            fail("CI=true and this test cannot use its real parts: " + what);
        }
        assumeTrue(false, what);
    }

    /**
     * For an optional part of a test (a throughput figure beside the functional check): true when present; under
     * CI its absence fails the test rather than quietly dropping that part.
     */
    static boolean has(final boolean present, final String what) {
        if (!present && underCi()) {
            fail("CI=true and " + what + " is missing; scripts/install-test-deps.sh installs it");
        }
        return present;
    }
}
