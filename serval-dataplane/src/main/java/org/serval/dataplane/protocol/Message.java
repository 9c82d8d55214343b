/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.protocol;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;
import java.net.InetAddress;
import java.util.List;
import java.util.Objects;
import org.serval.dataplane.ethernet.Offload;

/**
 * One message of the SERVAL protocol, version 1 (docs/protocol.md). All but {@link Data} are small values; a Data
 * message holds its frame's buffer and whoever uses it last releases it.
 */
public sealed interface Message {
    /**
     * The type byte on the wire.
     */
    int type();

    /**
     * Opens a session: who the client is and its credentials.
     *
     * @param flags {@link #TICKET}, {@link #OFFLOAD}, or 0
     * @param user the user name, empty for {@link #AUTH_NONE} and {@link #AUTH_TICKET}
     * @param authData the password for {@link #AUTH_PASSWORD}, empty otherwise
     */
    record Hello(int maxVersion, String clientId, int flags, String user, int authMethod, String authData)
            implements Message {
        public static final int AUTH_NONE = 0;
        public static final int AUTH_PASSWORD = 1;
        public static final int AUTH_CERTIFICATE = 2;
        public static final int AUTH_TICKET = 3;
        /**
         * Flag: authenticate, answer with a {@link Ticket} for a sealed UDP session, and open no session here.
         */
        public static final int TICKET = 0x01;
        /**
         * Flag: the client sends and takes DATA_OFFLOAD (a TCP stream only; docs/protocol.md).
         */
        public static final int OFFLOAD = 0x02;
        /**
         * Flag: the client follows the server's changes to its memberships ({@link Assign}, {@link Removed}, BYE
         * {@link Bye#ADMIN}); a server tells an administrator that a client without it cannot follow them.
         */
        public static final int MANAGED = 0x04;
        /**
         * Authentication by a resumption credential from an earlier session's {@link Resume} (docs/protocol.md).
         */
        public static final int AUTH_RESUME = 4;

        public Hello {
            requireNonNull(clientId);
            requireNonNull(user);
            requireNonNull(authData);
        }

        @Override
        public int type() {
            return 0x01;
        }

        @Override
        public String toString() {
            // The password must not reach a log by way of a message's toString.
            return "Hello[maxVersion=" + maxVersion + ", clientId=" + clientId + ", flags=" + flags + ", user=" + user
                + ", authMethod=" + authMethod + (authData.isEmpty() ? "" : ", authData=<redacted>") + "]";
        }
    }

    /**
     * The keys of a sealed UDP session, sent only inside TLS (docs/protocol.md, "Sealed UDP").
     *
     * @param session the session id the client's datagrams carry
     * @param lifetimeSeconds how long the ticket may wait before its first use
     * @param clientKey the AES-256-GCM key of the client's datagrams
     * @param serverKey the AES-256-GCM key of the server's datagrams
     */
    record Ticket(long session, int lifetimeSeconds, byte[] clientKey, byte[] serverKey) implements Message {
        public static final int KEY_BYTES = 32;

        public Ticket {
            if (clientKey.length != KEY_BYTES || serverKey.length != KEY_BYTES) {
                throw new IllegalArgumentException("ticket keys have " + KEY_BYTES + " bytes");
            }
            clientKey = clientKey.clone();
            serverKey = serverKey.clone();
        }

        @Override
        public byte[] clientKey() {
            return clientKey.clone();
        }

        @Override
        public byte[] serverKey() {
            return serverKey.clone();
        }

        @Override
        public boolean equals(final Object obj) {
            return obj instanceof Ticket other && session == other.session && lifetimeSeconds == other.lifetimeSeconds
                && java.util.Arrays.equals(clientKey, other.clientKey)
                && java.util.Arrays.equals(serverKey, other.serverKey);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(session);
        }

        @Override
        public String toString() {
            return "Ticket[session=" + session + ", lifetimeSeconds=" + lifetimeSeconds + ", keys=<redacted>]";
        }

        @Override
        public int type() {
            return 0x11;
        }
    }

    record Welcome(int version, String nodeId, long keepaliveMillis, int expireAfter, int tapMtu)
            implements Message {
        public Welcome {
            requireNonNull(nodeId);
        }

        @Override
        public int type() {
            return 0x02;
        }
    }

    record Join(long request, long mac, String vlan) implements Message {
        public Join {
            requireNonNull(vlan);
        }

        @Override
        public int type() {
            return 0x03;
        }
    }

    record Joined(long request, int vlanRef, String vlan) implements Message {
        public Joined {
            requireNonNull(vlan);
        }

        @Override
        public int type() {
            return 0x04;
        }
    }

    record Leave(long request, int vlanRef) implements Message {
        @Override
        public int type() {
            return 0x05;
        }
    }

    record Left(long request, int vlanRef) implements Message {
        @Override
        public int type() {
            return 0x06;
        }
    }

    /**
     * Asks for the VLANs whose names start with a prefix.
     *
     * @param after null for the first (and, to a client that does not page, only) page; else the last name of the
     *     page before, which makes the answer a page (docs/protocol.md, "Paging")
     */
    record ListVlans(long request, String prefix, String after) implements Message {
        public ListVlans {
            requireNonNull(prefix);
        }

        /**
         * A request without a cursor, as a client that does not page sends it.
         */
        public ListVlans(final long request, final String prefix) {
            this(request, prefix, null);
        }

        /**
         * Whether the client pages: it sent a cursor, and the answer says whether more follow.
         */
        public boolean paged() {
            return after != null;
        }

        @Override
        public int type() {
            return 0x07;
        }
    }

    record VlanEntry(String name, int members, boolean open) {
        public VlanEntry {
            requireNonNull(name);
        }
    }

    /**
     * The answer to {@link ListVlans}: one page of VLANs.
     *
     * @param paged whether the request carried a cursor; only then does the message carry {@code more}
     * @param more whether VLANs after the last of this page match the prefix (ask again with it as the cursor)
     */
    record Vlans(long request, List<VlanEntry> vlans, boolean paged, boolean more) implements Message {
        public Vlans {
            vlans = List.copyOf(vlans);
            if (more && !paged) {
                throw new IllegalArgumentException("only a paged answer says that more follow");
            }
        }

        /**
         * An answer as a client that does not page gets it: no {@code more} byte.
         */
        public Vlans(final long request, final List<VlanEntry> vlans) {
            this(request, vlans, false, false);
        }

        @Override
        public int type() {
            return 0x08;
        }
    }

    /**
     * Asks which MAC answers for an IPv4 (4 bytes) or IPv6 (16 bytes) address in a VLAN.
     */
    record Resolve(long request, int vlanRef, byte[] address) implements Message {
        public Resolve {
            if (address.length != 4 && address.length != 16) {
                throw new IllegalArgumentException("an address has 4 or 16 bytes, not " + address.length);
            }
            address = address.clone();
        }

        @Override
        public byte[] address() {
            return address.clone();
        }

        @Override
        public boolean equals(final Object obj) {
            return obj instanceof Resolve other && request == other.request && vlanRef == other.vlanRef
                && java.util.Arrays.equals(address, other.address);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(request) * 31 + vlanRef * 17 + java.util.Arrays.hashCode(address);
        }

        @Override
        public String toString() {
            return "Resolve[request=" + request + ", vlanRef=" + vlanRef + ", address="
                + java.util.HexFormat.of().formatHex(address) + "]";
        }

        @Override
        public int type() {
            return 0x09;
        }
    }

    /**
     * The answer to {@link Resolve}; {@code mac} is 0 when the address is not known.
     */
    record Resolved(long request, boolean found, long mac) implements Message {
        @Override
        public int type() {
            return 0x0A;
        }
    }

    record Keepalive(long seq) implements Message {
        @Override
        public int type() {
            return 0x0B;
        }
    }

    record KeepaliveAck(long seq) implements Message {
        @Override
        public int type() {
            return 0x0C;
        }
    }

    /**
     * One way to reach one node: the NODES list has an entry per node and transport.
     *
     * @param transport {@link #TCP} or {@link #UDP}
     * @param clients how many clients the node has, for choosing the least loaded
     * @param cpuPercent its recent CPU use
     * @param fingerprint the SHA-256 fingerprint of its certificate (lower-case hex), empty without encryption
     */
    record NodeEntry(String nodeId, int transport, String host, int port, long clients, int cpuPercent,
            String fingerprint) {
        public static final int TCP = 1;
        public static final int UDP = 2;

        public NodeEntry {
            requireNonNull(nodeId);
            requireNonNull(host);
            requireNonNull(fingerprint);
        }

        /**
         * How loaded the node is, for choosing one (lower is lighter): its clients, with CPU use as the tie breaker
         * folded in so that a node burning its CPU looks fuller. The server's redirects and the client's failover
         * both rank by it.
         */
        public long loadScore() {
            return clients * 100 + cpuPercent;
        }
    }

    record Nodes(List<NodeEntry> nodes) implements Message {
        public Nodes {
            nodes = List.copyOf(nodes);
        }

        @Override
        public int type() {
            return 0x0D;
        }
    }

    record Error(long request, int code, String message) implements Message {
        public static final int UNSUPPORTED_VERSION = 1;
        public static final int AUTH_FAILED = 2;
        public static final int UNKNOWN_VLAN = 3;
        public static final int VLAN_FULL = 4;
        public static final int DENIED = 5;
        public static final int MALFORMED = 6;
        public static final int LIMIT = 7;
        public static final int INTERNAL = 8;
        // This node is full; the message names a lighter node (from the NODES sent just before) to go to.
        public static final int MOVED = 9;
        // The VLAN a client asked to create exists already.
        public static final int EXISTS = 10;

        public Error {
            requireNonNull(message);
        }

        @Override
        public int type() {
            return 0x0E;
        }
    }

    record Bye(int reason) implements Message {
        public static final int CLOSED = 0;
        public static final int NO_SESSION = 1;
        // The node is overloaded and asks the client to reconnect to another node of its NODES list.
        public static final int MOVE = 2;
        // An administrator disconnected the client (disconnect-client): it must not reconnect on its own.
        public static final int ADMIN = 3;

        @Override
        public int type() {
            return 0x0F;
        }
    }

    /**
     * The server made the client a member of a VLAN (join-vlan): the client joins it as if it had asked, with its
     * own MAC for that VLAN (JOIN, JOINED), and keeps it across reconnections. Sent only to a client that said
     * {@link Hello#MANAGED}.
     */
    record Assign(String vlan) implements Message {
        public Assign {
            requireNonNull(vlan);
        }

        @Override
        public int type() {
            return 0x13;
        }
    }

    /**
     * A membership ended without the client asking: the server no longer switches the reference, and the client
     * removes the interface and does not join the VLAN again on its own.
     *
     * @param reason {@link #ADMIN}, {@link #DELETED} or {@link #DENIED}
     */
    record Removed(int vlanRef, int reason, String vlan) implements Message {
        // An administrator removed the client from the VLAN (leave-vlan); the server refuses it until one adds it.
        public static final int ADMIN = 1;
        // The VLAN was deleted.
        public static final int DELETED = 2;
        // Access control no longer lets the client's user in.
        public static final int DENIED = 3;

        public Removed {
            requireNonNull(vlan);
        }

        @Override
        public int type() {
            return 0x14;
        }
    }

    /**
     * Asks the server to create a VLAN owned by the client's user, as access control allows; answered by
     * {@link Done} or ERROR.
     */
    record CreateVlan(long request, boolean open, String name) implements Message {
        public CreateVlan {
            requireNonNull(name);
        }

        @Override
        public int type() {
            return 0x15;
        }
    }

    /**
     * Asks the server to delete a VLAN, as access control allows (its owner may); answered by {@link Done} or
     * ERROR.
     */
    record DeleteVlan(long request, String name) implements Message {
        public DeleteVlan {
            requireNonNull(name);
        }

        @Override
        public int type() {
            return 0x16;
        }
    }

    /**
     * A request that has nothing else to answer succeeded.
     */
    record Done(long request) implements Message {
        @Override
        public int type() {
            return 0x17;
        }
    }

    /**
     * Asks who is in a VLAN the client's user may join, one page at a time.
     *
     * @param after "" for the first page; else the client id of the last member of the page before
     */
    record ListMembers(long request, String vlan, String after) implements Message {
        public ListMembers {
            requireNonNull(vlan);
            requireNonNull(after);
        }

        @Override
        public int type() {
            return 0x18;
        }
    }

    /**
     * One member of a VLAN: its client, user, interface MAC in the VLAN, the node it is connected to, and the IP
     * addresses the switch has seen it use there (at most {@link #MAX_ADDRESSES}).
     */
    record MemberEntry(String clientId, String user, long mac, String nodeId, List<InetAddress> addresses) {
        public static final int MAX_ADDRESSES = 255;

        public MemberEntry {
            requireNonNull(clientId);
            requireNonNull(user);
            requireNonNull(nodeId);
            addresses = List.copyOf(addresses);
        }
    }

    /**
     * The answer to {@link ListMembers}: members in client id order, as many as fit one message.
     *
     * @param more whether members after the last of this page follow (ask again with its client id)
     */
    record Members(long request, List<MemberEntry> members, boolean more) implements Message {
        public Members {
            members = List.copyOf(members);
        }

        @Override
        public int type() {
            return 0x19;
        }
    }

    /**
     * A resumption credential for this client, sent after WELCOME: with it (HELLO {@link Hello#AUTH_RESUME}) any
     * node of the cluster logs the client in again without its password, until the credential expires.
     *
     * @param credential opaque to the client (URL-safe base64 text), sent back as it came
     */
    record Resume(long lifetimeSeconds, String credential) implements Message {
        public Resume {
            requireNonNull(credential);
        }

        @Override
        public String toString() {
            return "Resume[lifetimeSeconds=" + lifetimeSeconds + ", credential=<redacted>]";
        }

        @Override
        public int type() {
            return 0x1A;
        }
    }

    /**
     * One Ethernet frame for one joined VLAN (DATA), or with an offload header a TCP super-frame or a frame whose
     * checksum is still to be completed (DATA_OFFLOAD, only between ends that agreed to it). Holds a reference to
     * the frame's buffer.
     */
    final class Data extends DefaultByteBufHolder implements Message {
        private final int vlanRef;
        private final Offload offload;

        public Data(final int vlanRef, final ByteBuf frame) {
            this(vlanRef, frame, null);
        }

        /**
         * A frame with its offload header, or none (null).
         */
        public Data(final int vlanRef, final ByteBuf frame, final Offload offload) {
            super(frame);
            this.vlanRef = vlanRef;
            this.offload = offload;
        }

        public int vlanRef() {
            return vlanRef;
        }

        /**
         * The offload header, or null for a plain frame.
         */
        public Offload offload() {
            return offload;
        }

        @Override
        public int type() {
            return offload == null ? 0x10 : 0x12;
        }

        @Override
        public Data replace(final ByteBuf content) {
            return new Data(vlanRef, content, offload);
        }

        @Override
        public boolean equals(final Object obj) {
            return obj instanceof Data other && vlanRef == other.vlanRef && content().equals(other.content())
                && Objects.equals(offload, other.offload);
        }

        @Override
        public int hashCode() {
            return vlanRef * 31 + content().hashCode();
        }

        @Override
        public String toString() {
            return "Data[vlanRef=" + vlanRef + ", " + content().readableBytes() + " bytes"
                + (offload == null ? "" : ", " + offload) + "]";
        }
    }
}
