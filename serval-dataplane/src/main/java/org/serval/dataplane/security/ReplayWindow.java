/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.security;

/**
 * Which message counters of one direction have been accepted, over the last {@link #SIZE}: a counter seen before,
 * or older than the window, is a replay (RFC 6479's sliding window, as IPsec and WireGuard use). Not thread-safe.
 */
final class ReplayWindow {
    static final int SIZE = 2048;
    private final long[] bits = new long[SIZE / 64];
    private long highest;

    /**
     * Whether a counter may be accepted; does not record it.
     */
    boolean fresh(final long counter) {
        if (counter <= 0) {
            return false;
        }
        if (counter > highest) {
            return true;
        }
        if (highest - counter >= SIZE) {
            return false;
        }
        return (bits[word(counter)] & bit(counter)) == 0;
    }

    /**
     * Records an accepted counter, one that {@link #fresh} allowed and that authenticated.
     */
    void accept(final long counter) {
        if (counter > highest) {
            final long advance = counter - highest;
            if (advance >= SIZE) {
                java.util.Arrays.fill(bits, 0);
            } else {
                for (long c = highest + 1; c <= counter; c++) {
                    bits[word(c)] &= ~bit(c);
                }
            }
            highest = counter;
        }
        bits[word(counter)] |= bit(counter);
    }

    long highest() {
        return highest;
    }

    private static int word(final long counter) {
        return (int) (counter % SIZE >>> 6);
    }

    private static long bit(final long counter) {
        return 1L << (counter & 63);
    }
}
