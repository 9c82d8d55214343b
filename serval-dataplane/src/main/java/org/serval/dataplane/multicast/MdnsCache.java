/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.multicast;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.serval.dataplane.Bounds;
import org.serval.dataplane.ethernet.Macs;
import org.serval.dataplane.multicast.MdnsMessages.Message;
import org.serval.dataplane.multicast.MdnsMessages.Name;
import org.serval.dataplane.multicast.MdnsMessages.Record;
import org.serval.dataplane.switching.SwitchPort;

/**
 * The mDNS answer cache of one VLAN's switch: it learns the records of the multicast responses members send
 * (answers and additional records, with their TTLs and cache-flush bits, RFC 6762 10) and answers a member's
 * query that it fully answers itself, to that member only, instead of sending the query to every member.
 *
 * <p>When a query is answered here: it comes from a member of this node, from port 5353 (a full mDNS querier; a
 * legacy one-shot querier, RFC 6762 6.7, expects a unicast reply the switch does not make), is a plain query (no
 * authority records, which make it a probe for a name, RFC 6762 8.2; not truncated, which means more known answers
 * follow), and each of its questions (IN class, not ANY) has at least one live record here and was forwarded to
 * every member less than {@link Bounds#MDNS_FORWARD_INTERVAL_SECONDS} ago. The last condition keeps the cache
 * honest for shared records such as a service type's PTR records, which many members may have: every responder
 * hears each question once per interval and answers by multicast, which the cache learns; services also announce
 * themselves when they start (RFC 6762 8.3), and that is learned as well.
 *
 * <p>The answer: one mDNS response (ID 0, authoritative, no questions) carrying the cached answers the querier
 * did not list as known (known-answer suppression, RFC 6762 7.1: a known answer with at least half the record's TTL
 * is not sent again), with the TTLs that remain, multicast to 224.0.0.251 or ff02::fb from port 5353 with TTL 255,
 * from the MAC and address of the member that gave the first record. Hosts accept a multicast response from
 * anyone on the link (RFC 6762 6, 11), so the asker takes it as that member's answer; no other member receives it.
 * That serves a question with the QU bit too: a multicast answer is always acceptable (RFC 6762 5.4). When every
 * cached answer is known to the querier, nothing is sent and the query still goes no further.
 *
 * <p>Bounded: records ({@link Bounds#MDNS_CACHE_RECORDS_PER_VLAN}, TTL capped at
 * {@link Bounds#MDNS_MAX_TTL_SECONDS}, aged out), questions remembered ({@link Bounds#MDNS_QUESTIONS_PER_VLAN}),
 * messages read ({@link MdnsMessages}). A malformed message is neither learned nor answered, and is counted; the
 * switch forwards it as it would without a cache. Synchronized: queries come from every member's event loop, a
 * few a minute each.
 */
final class MdnsCache {
    static final int PORT = 5353;
    static final int GROUP_V4 = 0xE00000FB;
    static final long GROUP_V6_HIGH = 0xFF02_0000_0000_0000L;
    static final long GROUP_V6_LOW = 0xFB;

    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final long GROUP_MAC_V4 = 0x0100_5E00_00FBL;
    private static final long GROUP_MAC_V6 = 0x3333_0000_00FBL;
    private static final int UDP_HEADER = 8;
    private static final int TTL = 255;
    // QR and AA (RFC 6762 18.2, 18.4)
    private static final int RESPONSE_FLAGS = 0x8400;

    /**
     * What became of a frame.
     */
    enum Verdict {
        /** Not the cache's to answer: the switch sends it on as it would without a cache. */
        FORWARD,
        /** A query the switch answered (or that needed no answer): it goes no further. */
        ANSWERED
    }

    // Records are kept per family: an answer goes out from the address family the query came in, from an
    // address of the member that gave the record in that family.
    private record Key(boolean v6, Name name, int type) {
    }

    // from: the port it was learned on, so that a member's records go when it leaves
    private record Cached(Record record, long ttl, long learnedNanos, long expiresNanos, long sourceMac,
            byte[] sourceIp, SwitchPort from) {
    }

    private final long forwardInterval = TimeUnit.SECONDS.toNanos(Bounds.MDNS_FORWARD_INTERVAL_SECONDS);
    private final Map<Key, List<Cached>> records = new HashMap<>();
    private final Map<Key, Long> forwarded = new HashMap<>();
    private int size;
    private long answered;
    private long malformed;

    /**
     * Looks at an mDNS frame (the chatter policy let it through): learns a multicast response's records, and
     * answers a member's query it can.
     */
    Verdict inspect(final SwitchPort from, final ByteBuf frame, final long nowNanos) {
        final int l3 = ChattyProtocols.networkOffset(frame);
        if (l3 < 0) {
            return Verdict.FORWARD;
        }
        final boolean v6 = ChattyProtocols.etherType(frame) == ChattyProtocols.ETHERTYPE_IPV6;
        final long transport = v6 ? ChattyProtocols.ipv6Transport(frame, l3) : ChattyProtocols.ipv4Transport(frame, l3);
        if (transport < 0 || transport >>> 32 != ChattyProtocols.UDP) {
            return Verdict.FORWARD;
        }
        final int l4 = (int) transport;
        final int end = v6 ? ChattyProtocols.ipv6End(frame, l3) : ChattyProtocols.ipv4End(frame, l3);
        if (end - l4 < UDP_HEADER) {
            return Verdict.FORWARD;
        }
        final int sourcePort = frame.getUnsignedShort(l4);
        final int udpLength = frame.getUnsignedShort(l4 + 4);
        final boolean toGroup = v6
            ? frame.getLong(l3 + 24) == GROUP_V6_HIGH && frame.getLong(l3 + 32) == GROUP_V6_LOW
            : frame.getInt(l3 + 16) == GROUP_V4;
        if (frame.getUnsignedShort(l4 + 2) != PORT || sourcePort != PORT || !toGroup || udpLength < UDP_HEADER
                || l4 + udpLength > end) {
            return Verdict.FORWARD;
        }
        final var message = MdnsMessages.parse(frame, l4 + UDP_HEADER, l4 + udpLength);
        if (message == null) {
            synchronized (this) {
                malformed++;
            }
            return Verdict.FORWARD;
        }
        if (!message.isStandard()) {
            return Verdict.FORWARD;
        }
        if (message.isResponse()) {
            final var sourceIp = new byte[v6 ? 16 : 4];
            frame.getBytes(l3 + (v6 ? 8 : 12), sourceIp);
            learn(from, v6, message, Macs.read(frame, frame.readerIndex() + 6), sourceIp, nowNanos);
            return Verdict.FORWARD;
        }
        if (from.isRemote()) {
            // the asker's own node judged it already
            return Verdict.FORWARD;
        }
        final var answers = answer(v6, message, nowNanos);
        if (answers == null) {
            return Verdict.FORWARD;
        }
        if (!answers.isEmpty()) {
            from.deliver(response(frame.alloc(), v6, answers, nowNanos));
        }
        return Verdict.ANSWERED;
    }

    private synchronized void learn(final SwitchPort from, final boolean v6, final Message message,
            final long sourceMac, final byte[] sourceIp, final long nowNanos) {
        final var all = new ArrayList<>(message.answers());
        all.addAll(message.additionals());
        for (var record : all) {
            if (!record.cacheable() || record.rclass() != MdnsMessages.CLASS_IN
                    || record.type() == MdnsMessages.TYPE_ANY) {
                continue;
            }
            final var key = new Key(v6, record.name(), record.type());
            final var list = records.get(key);
            if (list != null) {
                // The same record again replaces itself; a cache-flush record also replaces the others of its set
                // learned more than a second ago (RFC 6762 10.2: those of the same response stay).
                size -= list.size();
                list.removeIf(cached -> cached.record().sameData(record)
                    || record.flush() && nowNanos - cached.learnedNanos() > SECOND);
                size += list.size();
            }
            if (record.ttl() == 0) {
                // a goodbye (RFC 6762 10.1)
                dropIfEmpty(key);
                continue;
            }
            if (size >= Bounds.MDNS_CACHE_RECORDS_PER_VLAN) {
                dropIfEmpty(key);
                continue;
            }
            final long ttl = Math.min(record.ttl(), Bounds.MDNS_MAX_TTL_SECONDS);
            records.computeIfAbsent(key, k -> new ArrayList<>()).add(new Cached(record, ttl, nowNanos,
                nowNanos + ttl * SECOND, sourceMac, sourceIp, from));
            size++;
        }
    }

    private void dropIfEmpty(final Key key) {
        final var list = records.get(key);
        if (list != null && list.isEmpty()) {
            records.remove(key);
        }
    }

    /**
     * The records to answer a query with (maybe none: the querier knows them all), or null when the query is to
     * be forwarded (then its questions count as forwarded now).
     */
    private synchronized List<Cached> answer(final boolean v6, final Message query, final long nowNanos) {
        final var out = new ArrayList<Cached>();
        boolean covered = !query.isTruncated() && query.authorities() == 0 && !query.questions().isEmpty();
        int bytes = MdnsMessages.HEADER;
        for (var question : query.questions()) {
            if (!covered) {
                break;
            }
            final var key = new Key(v6, question.name(), question.type());
            final var last = forwarded.get(key);
            final var list = records.get(key);
            if (question.type() == MdnsMessages.TYPE_ANY || question.qclass() != MdnsMessages.CLASS_IN
                    || last == null || nowNanos - last >= forwardInterval || list == null) {
                covered = false;
                break;
            }
            boolean live = false;
            for (var cached : list) {
                if (cached.expiresNanos() - nowNanos < SECOND) {
                    continue;
                }
                live = true;
                if (!known(query, cached) && !out.contains(cached)) {
                    out.add(cached);
                    bytes += cached.record().size();
                }
            }
            covered = live && bytes <= Bounds.MDNS_ANSWER_BYTES;
        }
        if (covered) {
            answered++;
            return out;
        }
        for (var question : query.questions()) {
            final var key = new Key(v6, question.name(), question.type());
            if (forwarded.size() >= Bounds.MDNS_QUESTIONS_PER_VLAN && !forwarded.containsKey(key)) {
                forwarded.values().removeIf(when -> nowNanos - when >= forwardInterval);
                if (forwarded.size() >= Bounds.MDNS_QUESTIONS_PER_VLAN) {
                    continue;
                }
            }
            forwarded.put(key, nowNanos);
        }
        return null;
    }

    private static boolean known(final Message query, final Cached cached) {
        for (var answer : query.answers()) {
            if (answer.sameData(cached.record()) && answer.ttl() >= cached.ttl() / 2) {
                return true;
            }
        }
        return false;
    }

    private static ByteBuf response(final ByteBufAllocator alloc, final boolean v6, final List<Cached> answers,
            final long nowNanos) {
        final var first = answers.get(0);
        int dnsLength = MdnsMessages.HEADER;
        for (var cached : answers) {
            dnsLength += cached.record().size();
        }
        final int udpLength = UDP_HEADER + dnsLength;
        final int ipHeader = v6 ? ChattyProtocols.IPV6_HEADER : ChattyProtocols.IPV4_MIN_HEADER;
        final var out = alloc.buffer(ChattyProtocols.ETH + ipHeader + udpLength);
        writeMac(out, v6 ? GROUP_MAC_V6 : GROUP_MAC_V4);
        writeMac(out, first.sourceMac());
        out.writeShort(v6 ? ChattyProtocols.ETHERTYPE_IPV6 : ChattyProtocols.ETHERTYPE_IPV4);
        final int l3 = out.writerIndex();
        if (v6) {
            out.writeInt(0x6000_0000).writeShort(udpLength).writeByte(ChattyProtocols.UDP).writeByte(TTL)
                .writeBytes(first.sourceIp()).writeLong(GROUP_V6_HIGH).writeLong(GROUP_V6_LOW);
        } else {
            out.writeByte(0x45).writeByte(0).writeShort(ipHeader + udpLength).writeShort(0).writeShort(0x4000)
                .writeByte(TTL).writeByte(ChattyProtocols.UDP).writeShort(0).writeBytes(first.sourceIp())
                .writeInt(GROUP_V4);
            out.setShort(l3 + 10, ~Checksums.sum(out, l3, ipHeader, 0) & 0xFFFF);
        }
        final int udp = out.writerIndex();
        out.writeShort(PORT).writeShort(PORT).writeShort(udpLength).writeShort(0);
        out.writeShort(0).writeShort(RESPONSE_FLAGS).writeShort(0).writeShort(answers.size()).writeShort(0)
            .writeShort(0);
        for (var cached : answers) {
            // the TTL that remains, rounded up: a record is not answered with less than a second left
            MdnsMessages.writeRecord(out, cached.record(), (cached.expiresNanos() - nowNanos + SECOND - 1) / SECOND);
        }
        final int pseudo = v6 ? Checksums.ipv6Pseudo(out, l3, udpLength, ChattyProtocols.UDP)
            : out.getUnsignedShort(l3 + 12) + out.getUnsignedShort(l3 + 14) + (GROUP_V4 >>> 16)
                + (GROUP_V4 & 0xFFFF) + ChattyProtocols.UDP + udpLength;
        final int sum = ~Checksums.sum(out, udp, udpLength, pseudo) & 0xFFFF;
        out.setShort(udp + 6, sum == 0 ? 0xFFFF : sum);
        return out;
    }

    private static void writeMac(final ByteBuf out, final long mac) {
        out.writeShort((int) (mac >>> 32)).writeInt((int) mac);
    }

    /**
     * Drops the records whose TTL ran out and the questions forwarded longer than an interval ago; from the
     * switch's periodic sweep.
     */
    synchronized void expire(final long nowNanos) {
        for (var list : records.values()) {
            size -= list.size();
            list.removeIf(cached -> cached.expiresNanos() - nowNanos <= 0);
            size += list.size();
        }
        records.values().removeIf(List::isEmpty);
        forwarded.values().removeIf(when -> nowNanos - when >= forwardInterval);
    }

    /**
     * A member left the switch (or a link to another node went): the records it gave go, since no one would answer
     * for them now; a host that vanishes without leaving is answered for until its records' TTLs end, as in any
     * host's own mDNS cache.
     */
    synchronized void forget(final SwitchPort port) {
        for (var list : records.values()) {
            size -= list.size();
            list.removeIf(cached -> cached.from() == port);
            size += list.size();
        }
        records.values().removeIf(List::isEmpty);
    }

    synchronized int size() {
        return size;
    }

    /**
     * Queries answered by the switch (or needing no answer) instead of being sent to every member.
     */
    synchronized long answered() {
        return answered;
    }

    synchronized long malformed() {
        return malformed;
    }
}
