/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane;

/**
 * Every fixed bound of the dataplane, in one place.
 *
 * <p>SERVAL faces the Internet: anything a stranger or a misbehaving client can make a node hold (connections,
 * bytes waiting to be written, login checks, tickets, table entries, log lines) has a limit, and that limit is
 * written here rather than next to the code that enforces it, so that a reviewer can read the node's whole
 * exposure on one page and a change to one bound is a change to this file. What an operator may tune (MAC table
 * sizes, aging, storm-control rates, soft client limits) lives in the configuration instead
 * ({@code DataplaneSettings}, the YANG model); what is here is the envelope the code is built around.
 *
 * <p>Each group says which layer enforces it. When a bound is hit the rule is the same everywhere: the one who
 * caused it loses (its frame, its connection, its login attempt), never a bystander, and the event is counted and
 * logged at a bounded rate.
 */
public final class Bounds {
    private Bounds() {
        // constants only
    }

    // ---- Messages (protocol/) -------------------------------------------------------------------------------

    /** The largest message of any type but DATA_OFFLOAD, header included (docs/protocol.md). */
    public static final int MAX_MESSAGE = 2048;

    // ---- Writes towards one peer (session/Outbox, transport/) ------------------------------------------------

    /** Netty write-buffer water marks of a client's TCP connection: 1 MB is a few ms of offloaded traffic. */
    public static final int TCP_LOW_WATER = 512 * 1024;
    public static final int TCP_HIGH_WATER = 1024 * 1024;
    /** Bytes that may wait in a TCP client's outbox on top of what its channel holds. */
    public static final long TCP_OUTBOX_BYTES = 1024 * 1024;

    /** Water marks of the shared UDP socket channel. */
    public static final int UDP_LOW_WATER = 256 * 1024;
    public static final int UDP_HIGH_WATER = 1024 * 1024;
    /** Kernel socket buffers of a UDP listener. */
    public static final int UDP_SOCKET_BUFFER = 4 * 1024 * 1024;
    /** Bytes that may wait in one UDP client's outbox. */
    public static final long UDP_OUTBOX_BYTES = 256 * 1024;

    /** Water marks of a link between cluster nodes. */
    public static final int PEER_LOW_WATER = 256 * 1024;
    public static final int PEER_HIGH_WATER = 1024 * 1024;

    /** What a message other than a frame is taken to weigh in an outbox. */
    public static final int OUTBOX_CONTROL_BYTES = 64;

    // ---- Logins (session/Gatekeeper) -------------------------------------------------------------------------

    /** Failed logins from one source within the window before that source is refused unchecked. */
    public static final int LOGIN_MAX_FAILURES = 5;
    public static final int LOGIN_WINDOW_SECONDS = 60;
    /** Sources whose failures are remembered (least recently seen forgotten first). */
    public static final int LOGIN_MAX_SOURCES = 16_384;
    /** Password checks waiting for the check pool. */
    public static final int LOGIN_QUEUE = 64;

    // ---- Sessions (session/ClientSession) --------------------------------------------------------------------

    /** VLANs one session may be in: VLAN refs are one byte on the wire. */
    public static final int SESSION_MAX_VLANS = 255;

    // ---- UDP sessions and addresses (transport/DatagramPeers) -------------------------------------------------

    /**
     * Bytes the server sends an address it has not validated, per byte of authentic datagrams it received from
     * there: QUIC's anti-amplification factor (RFC 9000, 8.1), so a relayed datagram cannot aim more at a victim.
     */
    public static final int UDP_UNVALIDATED_FACTOR = 3;
    /** Least time between two path challenges to one address: a lost one is retried, a stream of data is not echoed. */
    public static final long UDP_CHALLENGE_INTERVAL_MILLIS = 250;
    /**
     * How long a sealed UDP session lives: then the client must log in over TLS again for a new ticket, which
     * checks its credentials anew; a day leaves a client reconnecting once a day, not every few minutes.
     */
    public static final long UDP_SESSION_LIFETIME_SECONDS = 24 * 60 * 60;

    // ---- Switching (switching/) -------------------------------------------------------------------------------

    /** IP addresses one MAC may be bound to in a VLAN's address table. */
    public static final int ADDRESSES_PER_MAC = 16;
}
