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

    /** The largest message of any type but DATA_OFFLOAD (FRAME_OFFLOAD on node links), header included. */
    public static final int MAX_MESSAGE = 2048;
    /**
     * Entries of the node list sent to clients (NODES, split into as many messages as it needs): 64 nodes with two
     * transports each, five times a large cluster; every client gets the whole list on every change.
     */
    public static final int NODE_LIST_MAX_ENTRIES = 128;

    // ---- Ethernet offloads (ethernet/) -----------------------------------------------------------------------

    /**
     * TCP segments {@code Coalescer} merges into one super-frame, besides its 64 KB: 64 KB of 1,000-byte segments;
     * a peer with a tiny MSS gets more writes, never an unbounded list of buffers behind one frame.
     */
    public static final int COALESCE_SEGMENTS = 64;

    // ---- Writes towards one peer (session/Outbox, transport/, cluster/NodeLink) ------------------------------

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
    /**
     * Datagrams in one UDP GSO send (protocol/DatagramTrain): 64 is the kernel's limit before Linux 6.2 (128
     * after), and the 45 or so segments of a 64 KB TCP super-frame fit.
     */
    public static final int UDP_GSO_SEGMENTS = 64;
    /** Bytes in one UDP GSO send: under the 65,507 bytes one UDP/IPv4 packet carries, before the kernel cuts it. */
    public static final int UDP_GSO_BYTES = 65_000;
    /**
     * After the kernel refused a GSO send, a train sends one datagram at a time for this long, twice as long after
     * each further refusal, up to the maximum (protocol/DatagramTrain).
     */
    public static final long UDP_GSO_RETRY_MILLIS = 1_000;
    public static final long UDP_GSO_RETRY_MAX_MILLIS = 600_000;
    /**
     * One read from a UDP socket with UDP_GRO: the kernel may hand over up to 64 KB of datagrams joined, and cuts
     * off what does not fit the buffer.
     */
    public static final int UDP_GRO_READ_BYTES = 65_536;

    /** Water marks of a link between cluster nodes. */
    public static final int PEER_LOW_WATER = 256 * 1024;
    public static final int PEER_HIGH_WATER = 1024 * 1024;
    /**
     * Bytes that may wait in a node link's outbox on top of what its channel holds: as for a client, so that a burst
     * from many clients towards one node fits, while a congested link drops (counted) rather than queueing seconds.
     */
    public static final long PEER_OUTBOX_BYTES = 1024 * 1024;

    /**
     * Replies a client may have the server queue beyond its link's bound (where its frames are already dropped)
     * before it is taken to have stopped reading and is disconnected: about 5,000 KEEPALIVE_ACKs or 32 full VLANS
     * pages, far more than an honest client has outstanding; enough that one keepalive answered while a fast
     * download fills the link does not end that client.
     */
    public static final int REPLY_OVERDRAFT_BYTES = 64 * 1024;

    // ---- Before login (transport/Admission, transport/TcpTransport, protocol/StreamPipeline) -------------------

    /** A TCP connection must be logged in (WELCOME sent) this long after accept: TLS plus HELLO plus one check. */
    public static final long PRELOGIN_DEADLINE_MILLIS = 5_000;
    /** TCP connections from one IPv4 address: an office behind one NAT, with room to spare. */
    public static final int TCP_PER_ADDRESS = 256;
    /** TCP connections from one IPv6 /64, which one host may own whole: as for one IPv4 address. */
    public static final int TCP_PER_SLASH64 = 256;
    /** TCP connections from one IPv6 /48, one site: rotating /64s inside it gains four times as much, no more. */
    public static final int TCP_PER_SLASH48 = 1024;
    /** TCP connections in all: three times the 10,000 clients measured in docs/performance.md. */
    public static final int TCP_TOTAL = 32_768;
    /** TLS handshakes per second one source (IPv4 address, IPv6 /64) may start; a /48 gets four times as many. */
    public static final int HANDSHAKES_PER_SECOND = 20;
    /** Handshakes a quiet source may start at once: a NAT's clients reconnecting together. */
    public static final int HANDSHAKE_BURST = 64;
    /** Sources whose handshake rate is remembered, least recently seen forgotten first. */
    public static final int HANDSHAKE_SOURCES = 16_384;

    // ---- At the node-link port (transport/Admission, cluster/PeerSockets) ---------------------------------------
    // The node-link port is open to whoever reaches it, while only the cluster's members belong there: each dials
    // every other once, and again after a loss. The bounds leave room for a whole cluster on one host (./serval
    // cluster start, all on 127.0.0.1) and for reconnections overlapping old links, and nothing for a crowd.
    /** Node-link connections from one IPv4 address or IPv6 /64: a cluster of 16 members on one host. */
    public static final int PEER_PER_ADDRESS = 16;
    /** Node-link connections from one IPv6 /48. */
    public static final int PEER_PER_SLASH48 = 64;
    /** Node-link connections in all: two each from 128 other members. */
    public static final int PEER_TOTAL = 256;
    /** TLS handshakes per second one source may start on the node-link port; a /48 gets four times as many. */
    public static final int PEER_HANDSHAKES_PER_SECOND = 4;
    /** Handshakes a quiet source may start at once on the node-link port: every member on that host redialling. */
    public static final int PEER_HANDSHAKE_BURST = 16;

    // ---- Logins (session/Gatekeeper) -------------------------------------------------------------------------

    /** Failed logins from one source (IPv4 address, IPv6 /64) within the window before it is refused unchecked. */
    public static final int LOGIN_MAX_FAILURES = 5;
    /** Failed logins from one IPv6 /48 before all of it is refused: rotating /64s buys four sources' worth. */
    public static final int LOGIN_MAX_FAILURES_SLASH48 = 20;
    public static final int LOGIN_WINDOW_SECONDS = 60;
    /** Sources whose failures are remembered; a throttled one is never forgotten to make room for another. */
    public static final int LOGIN_MAX_SOURCES = 16_384;
    /** Password checks waiting for the check pool, all sources together. */
    public static final int LOGIN_QUEUE = 256;
    /** Checks one source (IPv4 address, IPv6 /64) may have waiting or running: failures count only once checked. */
    public static final int LOGIN_PER_SOURCE = 4;
    /** Checks one IPv6 /48 may have waiting or running. */
    public static final int LOGIN_PER_SLASH48 = 16;

    // ---- Resumption credentials (security/Resumption, session/Login) -------------------------------------------

    /**
     * How long after a password or certificate login its resumption credentials are accepted; resuming does not
     * lengthen it. A day, as a sealed UDP session lives: a client that fails over within a day never needs its
     * password at a node it did not configure, while a stolen credential is worth a day at most (a changed
     * password, a removed certificate or a disabled user refuses it at once).
     */
    public static final long RESUME_LIFETIME_SECONDS = 24 * 60 * 60;
    /**
     * Characters of a credential a HELLO may carry: the longest this server issues (a 64-character user, a
     * 128-character client id) is 339; anything longer is refused before it is decoded.
     */
    public static final int RESUME_MAX_CHARS = 400;
    /** Resumption keys a node holds at once (the YANG list's max-elements): the current one and those retiring. */
    public static final int RESUME_MAX_KEYS = 8;

    /**
     * Tickets (sealed UDP) one user may have waiting to be redeemed (security/TicketBook): a client needs one at a
     * time and redeems it at once; 16 let a user start a few clients together without letting it fill the book.
     */
    public static final int TICKETS_PER_USER = 16;

    // ---- Log lines (session/LogTally) ------------------------------------------------------------------------

    /** A source prefix's warnings of one kind are summed up over this long, one line for all of them. */
    public static final int LOG_WINDOW_SECONDS = 10;
    /** Prefixes summed up apart per kind of warning; the rest share one line ("from N other sources"). */
    public static final int LOG_PREFIXES = 64;

    // ---- Sessions (session/ClientSession) --------------------------------------------------------------------

    /**
     * Requests (every message but DATA) a logged-in client may send a second,
     * with a burst of {@link #REQUESTS_BURST_SECONDS} seconds' worth; beyond it the session ends with LIMIT. An honest
     * client sends a keepalive every few seconds and a RESOLVE per address its host looks up, so an ARP scan of a
     * /24 fits in the burst, while a flood of KEEPALIVE or LIST_VLANS is cut off before it can take a core.
     */
    public static final int REQUESTS_PER_SECOND = 200;
    public static final int REQUESTS_BURST_SECONDS = 2;

    /** VLANs one session may be in: VLAN refs are one byte on the wire. */
    public static final int SESSION_MAX_VLANS = 255;

    /**
     * CREATE_VLAN and DELETE_VLAN one session may have waiting for the datastore: each is a transaction, and a
     * client has no reason to ask for more than one at a time; more get ERROR limit at once.
     */
    public static final int SESSION_VLAN_REQUESTS_IN_FLIGHT = 4;

    /**
     * Administrators' membership decisions (join-vlan, leave-vlan) one client id may have over all VLANs (the RPCs
     * refuse more; a node ignores more written straight into the datastore): each `member` is an ASSIGN and a JOIN
     * at every login of the client, so 64 keep that burst far inside the request burst (400) and the reply
     * overdraft, and above the VLANs one person uses at once.
     */
    public static final int DECISIONS_PER_CLIENT = 64;

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

    // ---- Multicast snooping and chatter (multicast/) ---------------------------------------------------------

    /**
     * Multicast groups one VLAN's switch tracks: hosts join a handful each (all-nodes, solicited-node, mDNS, SSDP),
     * so a VLAN of 256 members needs a few hundred; beyond it the switch floods groups it does not know again.
     */
    public static final int MULTICAST_GROUPS_PER_VLAN = 2048;
    /**
     * Groups one member may be in at once: a host with many addresses and services has a few dozen; the joins of a
     * member beyond this are ignored (it alone misses those groups).
     */
    public static final int MULTICAST_GROUPS_PER_MEMBER = 64;
    /** Records read from one IGMPv3 or MLDv2 report; a frame of 1518 bytes holds at most 185 IGMPv3 records. */
    public static final int MULTICAST_RECORDS_PER_REPORT = 256;
    /** IPv6 extension headers skipped to find a frame's transport header; hosts send one (hop-by-hop) at most. */
    public static final int IPV6_EXTENSION_HEADERS = 4;
    /**
     * How long a membership lasts without a new report (RFC 3376 8.4 and RFC 3810 9.4 defaults: robustness 2 times
     * a query interval of 125 s, plus a response interval of 10 s): a host that left silently stops getting the
     * group's frames after this.
     */
    public static final long MULTICAST_MEMBERSHIP_SECONDS = 260;
    /** The querier's interval between general queries (RFC 3376 8.2 default). */
    public static final long MULTICAST_QUERY_INTERVAL_SECONDS = 125;
    /** The first queries' interval, so that a new switch learns its groups soon (RFC 3376 8.7: a quarter). */
    public static final long MULTICAST_STARTUP_QUERY_INTERVAL_SECONDS = 31;
    /** General queries sent at the startup interval before the normal one. */
    public static final int MULTICAST_STARTUP_QUERIES = 2;
    /** The longest a host waits to answer a query (the max response time the querier sends, RFC 3376 8.3). */
    public static final long MULTICAST_RESPONSE_SECONDS = 10;
    /**
     * How long the switch stays quiet after hearing another querier (RFC 3376 8.5: robustness times query interval
     * plus half a response interval): a member that is a multicast router queries instead.
     */
    public static final long MULTICAST_OTHER_QUERIER_SECONDS = 255;
    /**
     * Burst of a member's per-protocol chatter limit, in seconds of its rate: a host announcing its services at
     * start sends a few frames at once, which should pass.
     */
    public static final int CHATTER_BURST_SECONDS = 2;

    /**
     * Records one VLAN's mDNS answer cache holds: a host publishes a dozen or so (a few services' PTR, SRV and TXT,
     * its addresses), so this is a hundred hosts' worth; a record beyond it is not cached and its questions are
     * forwarded as without a cache.
     */
    public static final int MDNS_CACHE_RECORDS_PER_VLAN = 2048;
    /** mDNS questions one VLAN's switch remembers having forwarded: a question not remembered is forwarded. */
    public static final int MDNS_QUESTIONS_PER_VLAN = 1024;
    /**
     * How long after it last forwarded a question to every member the switch answers it from its cache: once per
     * interval every responder hears it (and a service that never announced itself is found), in between a
     * member's repeat of it costs one frame, to that member.
     */
    public static final long MDNS_FORWARD_INTERVAL_SECONDS = 60;
    /** Longest a cached mDNS record lives, whatever its TTL: RFC 6762 10 recommends 75 minutes for most records. */
    public static final long MDNS_MAX_TTL_SECONDS = 4500;
    /** Records and questions in one mDNS message the switch reads: a message with more is forwarded, not read. */
    public static final int MDNS_RECORDS_PER_MESSAGE = 256;
    /** Compression pointers in one DNS name: real names have one or two; each must point further back. */
    public static final int DNS_NAME_POINTERS = 16;
    /** Largest DNS message the switch answers with: one Ethernet frame with IPv6 and UDP headers (1500 - 48). */
    public static final int MDNS_ANSWER_BYTES = 1400;

    // ---- Addressing (addressing/) -----------------------------------------------------------------------------
    // A VLAN's lease book holds at most one lease per pool address, and a pool at most
    // org.serval.api.Addressing.MAX_POOL_ADDRESSES (65,536) addresses; conflicts are bounded the same way.

    /** Offers waiting for their REQUEST in one VLAN: a DISCOVER beyond it goes unanswered and the client retries. */
    public static final int DHCP_OFFERS_PER_VLAN = 1024;
    /** How long an offered address is held for its client: DHCP clients REQUEST within seconds of an OFFER. */
    public static final long DHCP_OFFER_HOLD_MILLIS = 60_000;
    /** How long a declined address is not given out: RFC 2131 leaves it to the server; long enough for an owner
     * who set it by hand to be noticed by the switch's address table, short enough to heal a false alarm. */
    public static final long DHCP_DECLINE_HOLD_MILLIS = 600_000;
    /** How long the switch waits for an answer to its ARP probe of an address before it offers it: a member answers
     * within a round trip, and DHCP clients repeat a DISCOVER only after 2 to 4 s (udhcpc 3 s, dhclient 2+ s). */
    public static final long DHCP_PROBE_WAIT_MILLIS = 500;
    /** DISCOVERs waiting for their probe in one VLAN: a DISCOVER beyond it goes unanswered and the client retries. */
    public static final int DHCP_PROBES_PER_VLAN = 256;
    /** Addresses probed for one DISCOVER before the switch gives up on it (each answered probe tries the next): a
     * pool with that many squatters in a row needs an administrator, not more broadcasts. */
    public static final int DHCP_PROBE_ATTEMPTS = 4;
    /** Unsolicited router advertisements, one per VLAN per interval (RFC 4861 allows 4 s to 30 min; hosts ask with
     * a solicitation when they come up, which is answered at once). */
    public static final long RA_INTERVAL_NANOS = 200_000_000_000L;
    /** VLANs with a lease book before their addressing is known (leases read from the datastore come first). */
    public static final int ADDRESSING_VLANS = 65_536;

    // ---- Bridged interfaces (bridge/) -------------------------------------------------------------------------

    /**
     * Frames waiting to be written to one bridged interface: a few milliseconds of a gigabit link; beyond it the
     * switch's frames for that interface are dropped and counted (out-discards) rather than buffered.
     */
    public static final int BRIDGE_QUEUE_FRAMES = 1024;
    /**
     * The largest plain frame switched from or to an interface: what a member may send (a 1500-byte payload plus
     * an 802.1Q tag); anything longer without an offload header is counted as an error and dropped.
     */
    public static final int BRIDGE_MAX_FRAME = 1518;
    /**
     * The largest frame read from an interface, offload header included: a GRO or TSO super-frame of 64 KB, which
     * the switch cuts for the ports that cannot take it whole.
     */
    public static final int BRIDGE_READ_BUFFER = 65_536 + 64;
    /**
     * How often a node looks for its bridged interfaces (gone, back, down, up) and reports their counters: an
     * interface that comes back is attached again within this.
     */
    public static final long BRIDGE_POLL_MILLIS = 2_000;
    /** How long a reader or writer waits in the kernel before it looks whether it should stop. */
    public static final int BRIDGE_WAKE_MILLIS = 200;
    /** Kernel receive buffer of a bridged interface's packet socket: some ms of frames at line rate. */
    public static final int BRIDGE_SOCKET_BUFFER = 2 * 1024 * 1024;
    /** Interfaces one node bridges: a node is not a router with hundreds of ports; each costs two threads. */
    public static final int BRIDGE_MAX_INTERFACES = 64;
    /**
     * Instructions in a bridged interface's BPF filter: the kernel's own limit (BPF_MAXINSNS). A trunk's vids take
     * 2 or 3 each per run, so only a set scattered over more than ~1,360 runs falls back to passing every tagged
     * frame (sorted in Java then).
     */
    public static final int BRIDGE_FILTER_INSTRUCTIONS = 4096;

    // ---- Metrics endpoint (serval-impl org.serval.impl.metrics) -----------------------------------------------

    /**
     * Clients with series of their own in one scrape: each adds six series, and a node of 10,000 clients would make
     * every scrape megabytes. The rest are counted in serval_metrics_unlabelled_clients; VLAN and node totals
     * include them.
     */
    public static final int METRICS_CLIENT_SERIES = 200;
    /** Connections to the endpoint at once: a scraper or two and an operator's curl; more is a misbehaving tool. */
    public static final int METRICS_CONNECTIONS = 16;
    /** The largest request the endpoint reads: a GET line and headers, nothing more. */
    public static final int METRICS_REQUEST_BYTES = 8192;
    /** An idle connection to the endpoint is closed after this long (Prometheus reconnects when it needs to). */
    public static final int METRICS_IDLE_SECONDS = 60;

    // ---- OpenFlow switches (serval-openflow org.serval.openflow) ----------------------------------------------

    /** Switches connected to one node at once; one more is disconnected: a large site's access switches. */
    public static final int OPENFLOW_SWITCHES = 256;
    /** Ports of one switch kept in OPERATIONAL; the rest are left out (OVS bridges rarely exceed a few hundred). */
    public static final int OPENFLOW_PORTS_PER_SWITCH = 1024;
    /** Mapped ports of one switch that are programmed; a flow's action list then stays far below 64 KB. */
    public static final int OPENFLOW_MAPPED_PORTS = 1024;
    /** Switch events and datastore changes waiting for the OpenFlow thread; a port-status storm beyond it is
     * dropped (the next port description or reconnection brings OPERATIONAL up to date). */
    public static final int OPENFLOW_EVENTS = 4096;
    /** From TCP accept to the switch's features reply; a switch slower than that is disconnected and retries. */
    public static final long OPENFLOW_HANDSHAKE_MILLIS = 15_000;
    /** Silence from a switch before it is sent an echo; silence for twice as long disconnects it. */
    public static final long OPENFLOW_IDLE_MILLIS = 15_000;
    /** Outbound messages openflowjava queues per switch: one full reprogramming of the largest mapping fits. */
    public static final int OPENFLOW_OUTBOUND_QUEUE = 4096;
    /** Errors from one switch logged at WARN; the rest at DEBUG (a wrong flow is rejected once per reprogram). */
    public static final int OPENFLOW_ERRORS_LOGGED = 20;
}
