/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.transport;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import org.serval.dataplane.Bounds;
import org.serval.dataplane.security.SealedChannel;

/**
 * A sealed session's return-routability check (docs/protocol.md, "Sealed UDP", as QUIC's path validation): an
 * authentic datagram from a new address proves only that someone had it, not that the client is there, since an
 * on-path attacker may relay it from anywhere. So the session stays at its address, the new one is challenged with
 * a random token, and the session moves only when the token comes back from there. Until then the new address gets
 * challenges only, no more than {@link Bounds#UDP_UNVALIDATED_FACTOR} times the bytes that came from it.
 *
 * <p>One candidate address at a time: a datagram from yet another address starts over there, with its own token
 * and its own count. Not thread-safe: used on its session's socket loop.
 */
final class PathCheck {
    /** What one challenge weighs on the wire (UDP payload). */
    static final int CHALLENGE_BYTES = SealedChannel.OVERHEAD + SealedChannel.PATH_BYTES;
    private static final long INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(Bounds.UDP_CHALLENGE_INTERVAL_MILLIS);
    private static final SecureRandom RANDOM = new SecureRandom();

    private InetSocketAddress candidate;
    private long token;
    private long received;
    private long sent;
    private boolean challenged;
    private long challengedAt;

    /**
     * An authentic datagram of {@code bytes} came from {@code from}, which is not the session's address.
     *
     * @return whether to send that address a challenge now (then call {@link #challenged})
     */
    boolean heard(final InetSocketAddress from, final int bytes, final long now) {
        if (!from.equals(candidate)) {
            candidate = from;
            token = RANDOM.nextLong();
            received = 0;
            sent = 0;
            challenged = false;
        }
        received += bytes;
        if (challenged && now - challengedAt < INTERVAL_NANOS) {
            return false;
        }
        return sent + CHALLENGE_BYTES <= (long) Bounds.UDP_UNVALIDATED_FACTOR * received;
    }

    void challenged(final int bytes, final long now) {
        sent += bytes;
        challenged = true;
        challengedAt = now;
    }

    long token() {
        return token;
    }

    /**
     * Whether a path response validates the candidate: the token it was challenged with, from the candidate itself.
     * The check is over when it does.
     */
    boolean validates(final InetSocketAddress from, final long echoed) {
        if (candidate == null || !candidate.equals(from) || echoed != token) {
            return false;
        }
        candidate = null;
        return true;
    }
}
