/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.multicast;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.serval.api.ChatterPolicy;
import org.serval.api.FloodPolicy;
import org.serval.dataplane.Bounds;
import org.serval.dataplane.ethernet.Macs;
import org.serval.dataplane.resolution.Frames;
import org.serval.dataplane.switching.VlanSwitch;

/**
 * The switch's mDNS answer cache on a real switch and filter: what it learns, what it answers and to whom, what it
 * leaves alone, its bounds, and DNS messages that are not what they claim.
 */
class MdnsCacheTest {
    private static final long SECOND = 1_000_000_000L;
    private static final String IPP = "_ipp._tcp.local";

    private final VlanSwitch red = new VlanSwitch("red", 1024, 64, 300 * SECOND, true);
    private final AtomicReference<ChatterPolicy> policy = new AtomicReference<>(ChatterPolicy.DEFAULT);
    private final VlanChatter chatter = new VlanChatter(red, policy::get);
    private final Member aa = new Member("a", 0x020000000001L, Frames.v4(10, 0, 0, 1), false);
    private final Member bb = new Member("b", 0x020000000002L, Frames.v4(10, 0, 0, 2), false);
    private final Member cc = new Member("c", 0x020000000003L, Frames.v4(10, 0, 0, 3), false);
    private final Member node = new Member("node2", 0, 0, true);
    private final List<ByteBuf> sent = new ArrayList<>();
    private long now = 1000 * SECOND;

    MdnsCacheTest() {
        red.filterWith(chatter);
        for (var member : List.of(aa, bb, cc, node)) {
            red.attach(member);
        }
    }

    @AfterEach
    void everyFrameWasReleased() {
        for (var frame : sent) {
            assertEquals(0, frame.refCnt(), "the switch consumed its reference and every port released its own");
        }
    }

    private void send(final Member from, final byte[] dns) {
        final var frame = Mdns.frame4(from.mac, from.ip, 5353, dns);
        sent.add(frame);
        red.receive(from, frame, now);
    }

    private void clear() {
        for (var member : List.of(aa, bb, cc, node)) {
            member.received.clear();
        }
    }

    private static int count(final Member... members) {
        int all = 0;
        for (var member : members) {
            all += member.received.size();
        }
        return all;
    }

    /**
     * b has a printer and says so; a asks (the question goes to everyone once), then c asks.
     */
    private void learnedAndAskedOnce() {
        send(bb, Mdns.response().ptr(IPP, "printer", 4500).bytes());
        send(aa, Mdns.query().question(IPP, Mdns.PTR, false).bytes());
        clear();
    }

    private static MdnsMessages.Message dnsOf(final byte[] frame) {
        final var buf = Unpooled.wrappedBuffer(frame);
        final boolean v6 = buf.getUnsignedShort(12) == 0x86DD;
        final int udp = 14 + (v6 ? 40 : 20);
        return MdnsMessages.parse(buf, udp + 8, udp + buf.getUnsignedShort(udp + 4));
    }

    @Test
    void aQueryTheCacheAnswersIsAnsweredToTheAskerOnlyAsThePublishersMulticastResponse() {
        send(bb, Mdns.response().ptr(IPP, "printer", 4500).bytes());
        assertEquals(3, count(aa, cc, node), "responses are forwarded as before");
        clear();
        send(aa, Mdns.query().question(IPP, Mdns.PTR, false).bytes());
        assertEquals(3, count(bb, cc, node), "the first time, the question goes to everyone");
        clear();

        now += 10 * SECOND;
        send(cc, Mdns.query().question(IPP, Mdns.PTR, false).bytes());
        assertEquals(0, count(aa, bb, node), "the question went nowhere");
        assertEquals(1, cc.received.size(), "the asker got the answer");
        final var answer = Unpooled.wrappedBuffer(cc.received.get(0));
        assertEquals(0x01005E0000FBL, Macs.read(answer, 0), "to the mDNS group's MAC");
        assertEquals(bb.mac, Macs.read(answer, 6), "from the publisher's MAC");
        assertEquals(bb.ip, answer.getInt(14 + 12), "from the publisher's address");
        assertEquals(Mdns.MDNS4, answer.getInt(14 + 16));
        assertEquals(255, answer.getUnsignedByte(14 + 8), "IP TTL 255, as RFC 6762 11 asks");
        assertEquals(0xFFFF, Checksums.sum(answer, 14, 20, 0), "IPv4 header checksum");
        assertEquals(5353, answer.getUnsignedShort(34));
        assertEquals(5353, answer.getUnsignedShort(36));
        final int udpLength = answer.getUnsignedShort(38);
        assertEquals(0xFFFF, Checksums.sum(answer, 34, udpLength, (bb.ip >>> 16) + (bb.ip & 0xFFFF)
            + (Mdns.MDNS4 >>> 16) + (Mdns.MDNS4 & 0xFFFF) + 17 + udpLength), "UDP checksum");
        final var dns = dnsOf(cc.received.get(0));
        assertNotNull(dns);
        assertEquals(0x8400, dns.flags(), "an authoritative response");
        assertEquals(0, dns.id());
        assertTrue(dns.questions().isEmpty());
        assertEquals(1, dns.answers().size());
        final var ptr = dns.answers().get(0);
        assertEquals(IPP + ".", ptr.name().toString());
        assertEquals(Mdns.PTR, ptr.type());
        assertEquals(MdnsMessages.Name.parse("printer." + IPP).wire().length, ptr.data().length,
            "the instance name written whole");
        assertEquals(4490, ptr.ttl(), "the TTL that remains");
        assertEquals(1, chatter.mdnsAnswered());
        assertEquals(1, chatter.counters().answered(), "counted as the switch's answers");
    }

    @Test
    void knownAnswersAreNotRepeatedAndAQueryKnowingThemAllGoesNowhere() {
        learnedAndAskedOnce();
        final var known = Mdns.query().question(IPP, Mdns.PTR, false).ptr(IPP, "printer", 4000).bytes();
        send(cc, known);
        assertEquals(0, count(aa, bb, cc, node), "a known answer with more than half its TTL is not sent again");
        final var halfGone = Mdns.query().question(IPP, Mdns.PTR, false).ptr(IPP, "printer", 1000).bytes();
        send(cc, halfGone);
        assertEquals(1, cc.received.size(), "one with less than half is");
        assertEquals(0, count(aa, bb, node));
    }

    @Test
    void aQuestionWithTheQuBitIsAnsweredByMulticastToTheAsker() {
        learnedAndAskedOnce();
        send(cc, Mdns.query().question(IPP, Mdns.PTR, true).bytes());
        assertEquals(1, cc.received.size());
        assertEquals(Mdns.MDNS4, Unpooled.wrappedBuffer(cc.received.get(0)).getInt(14 + 16));
    }

    @Test
    void ipv6QueriesAreAnsweredFromWhatWasLearnedOverIpv6() {
        final var src = Frames.v6("fe80::2");
        final var learned = Mdns.frame6(bb.mac, src, Mdns.response().ptr(IPP, "printer", 120).bytes());
        sent.add(learned);
        red.receive(bb, learned, now);
        for (int i = 0; i < 2; i++) {
            final var ask = Mdns.frame6(aa.mac, Frames.v6("fe80::1"), Mdns.query().question(IPP, Mdns.PTR, false)
                .bytes());
            sent.add(ask);
            clear();
            red.receive(aa, ask, now);
        }
        assertEquals(0, count(bb, cc, node), "the second time it went nowhere");
        assertEquals(1, aa.received.size());
        final var answer = Unpooled.wrappedBuffer(aa.received.get(0));
        assertEquals(0x333300_0000FBL, Macs.read(answer, 0));
        assertEquals(src.low(), answer.getLong(14 + 16), "from the publisher's link-local address");
        final int udpLength = answer.getUnsignedShort(14 + 40 + 4);
        assertEquals(0xFFFF, Checksums.sum(answer, 54, udpLength, Checksums.ipv6Pseudo(answer, 14, udpLength, 17)),
            "UDP checksum over the pseudo-header");
        // nothing learned over IPv4: an IPv4 question is not answered from IPv6 records
        send(aa, Mdns.query().question(IPP, Mdns.PTR, false).bytes());
        send(cc, Mdns.query().question(IPP, Mdns.PTR, false).bytes());
        assertEquals(1, chatter.mdnsAnswered(), "only the IPv6 one was answered");
    }

    @Test
    void whatTheCacheDoesNotFullyAnswerIsForwardedAsBefore() {
        learnedAndAskedOnce();
        final var notAnswered = List.of(
            Mdns.query().question(IPP, Mdns.PTR, false).question("_http._tcp.local", Mdns.PTR, false).bytes(),
            Mdns.query().question(IPP, Mdns.ANY, false).bytes(),
            Mdns.query().question("printer." + IPP, Mdns.SRV, false).bytes(),
            Mdns.query().question(IPP, Mdns.PTR, false).authority("printer." + IPP).bytes());
        for (var query : notAnswered) {
            send(cc, query);
            assertEquals(3, count(aa, bb, node), "forwarded");
            assertEquals(0, cc.received.size());
            clear();
        }
        // a legacy querier (not from port 5353) expects a unicast reply the switch does not make
        final var legacy = Mdns.frame4(cc.mac, cc.ip, 40000, Mdns.query().question(IPP, Mdns.PTR, false).bytes());
        sent.add(legacy);
        red.receive(cc, legacy, now);
        assertEquals(3, count(aa, bb, node));
        clear();
        // another node's member's query: that node judged it
        final var fromNode = Mdns.frame4(0x020000000009L, Frames.v4(10, 0, 0, 9), 5353,
            Mdns.query().question(IPP, Mdns.PTR, false).bytes());
        sent.add(fromNode);
        red.receive(node, fromNode, now);
        assertEquals(3, count(aa, bb, cc));
        clear();
        // with the VLAN's mDNS rule at forward, nothing is answered
        policy.set(new ChatterPolicy(Map.of(ChatterPolicy.Protocol.MDNS,
            new ChatterPolicy.Rule(FloodPolicy.Action.FORWARD, 1))));
        send(cc, Mdns.query().question(IPP, Mdns.PTR, false).bytes());
        assertEquals(3, count(aa, bb, node));
        assertEquals(0, chatter.mdnsAnswered());
    }

    @Test
    void eachQuestionStillReachesEveryoneOncePerInterval() {
        learnedAndAskedOnce();
        now += (Bounds.MDNS_FORWARD_INTERVAL_SECONDS - 1) * SECOND;
        send(cc, Mdns.query().question(IPP, Mdns.PTR, false).bytes());
        assertEquals(0, count(aa, bb, node));
        now += SECOND;
        send(cc, Mdns.query().question(IPP, Mdns.PTR, false).bytes());
        assertEquals(3, count(aa, bb, node), "an interval after it was last forwarded, it is forwarded again");
        clear();
        send(aa, Mdns.query().question(IPP, Mdns.PTR, false).bytes());
        assertEquals(0, count(bb, cc, node), "and then answered again");
    }

    @Test
    void recordsAgeOutGoodbyesAndCacheFlushesReplaceThem() {
        learnedAndAskedOnce();
        send(bb, Mdns.response().ptr(IPP, "printer", 0).bytes());
        assertEquals(0, chatter.mdnsCached(), "a goodbye removes the record");
        send(bb, Mdns.response().ptr(IPP, "printer", 10).bytes());
        clear();
        now += 10 * SECOND;
        send(cc, Mdns.query().question(IPP, Mdns.PTR, false).bytes());
        assertEquals(3, count(aa, bb, node), "an expired record answers nothing");
        chatter.tick(now);
        assertEquals(0, chatter.mdnsCached(), "and is dropped by the sweep");
        clear();

        // a host's address, then its new one with the cache-flush bit: the old one goes
        send(bb, Mdns.response().record("b.local", Mdns.A, true, 120, new byte[] {10, 0, 0, 2}).bytes());
        now += 2 * SECOND;
        send(bb, Mdns.response().record("b.local", Mdns.A, true, 120, new byte[] {10, 0, 0, 22}).bytes());
        send(aa, Mdns.query().question("b.local", Mdns.A, false).bytes());
        clear();
        send(cc, Mdns.query().question("b.local", Mdns.A, false).bytes());
        final var dns = dnsOf(cc.received.get(0));
        assertEquals(1, dns.answers().size(), "only the new address");
        assertArrayEquals(new byte[] {10, 0, 0, 22}, dns.answers().get(0).data());
        assertTrue(dns.answers().get(0).flush(), "with its cache-flush bit");
        now += 2 * SECOND;
        // records of one response with the bit set are all kept (RFC 6762 10.2: a second's grace)
        send(bb, Mdns.response().record("b.local", Mdns.A, true, 120, new byte[] {10, 0, 0, 23})
            .record("b.local", Mdns.A, true, 120, new byte[] {10, 0, 0, 24}).bytes());
        clear();
        send(cc, Mdns.query().question("b.local", Mdns.A, false).bytes());
        assertEquals(2, dnsOf(cc.received.get(0)).answers().size());
    }

    @Test
    void aMemberThatLeavesTakesItsRecordsAlong() {
        learnedAndAskedOnce();
        send(cc, Mdns.response().record("c.local", Mdns.A, true, 120, new byte[] {10, 0, 0, 3}).bytes());
        assertEquals(2, chatter.mdnsCached());
        red.detach(bb);
        assertEquals(1, chatter.mdnsCached(), "b's printer went with b; c's address stays");
        clear();
        send(cc, Mdns.query().question(IPP, Mdns.PTR, false).bytes());
        assertEquals(2, count(aa, node), "nobody answers for b now: the question is forwarded");
    }

    @Test
    void theCacheIsBounded() {
        for (int i = 0; i < Bounds.MDNS_CACHE_RECORDS_PER_VLAN / 50 + 5; i++) {
            final var response = Mdns.response();
            for (int j = 0; j < 50; j++) {
                response.ptr("_s" + i + "._tcp.local", "host" + j, 120);
            }
            send(bb, response.bytes());
            // within the member's mDNS rate
            now += SECOND;
        }
        assertEquals(Bounds.MDNS_CACHE_RECORDS_PER_VLAN, chatter.mdnsCached());
        // an answer that would not fit one frame is not made: the question is forwarded
        final var big = Mdns.response();
        for (int j = 0; j < 50; j++) {
            final var text = new byte[100];
            text[0] = (byte) j;
            big.record("big.local", Mdns.TXT, false, 120, text);
        }
        send(bb, Mdns.response().ptr(IPP, "printer", 120).bytes());
        chatter.tick(now + 121 * SECOND);
        now += 121 * SECOND;
        assertEquals(0, chatter.mdnsCached(), "all aged out");
        send(bb, big.bytes());
        send(aa, Mdns.query().question("big.local", Mdns.TXT, false).bytes());
        clear();
        send(cc, Mdns.query().question("big.local", Mdns.TXT, false).bytes());
        assertEquals(3, count(aa, bb, node), "5 kB of answers: forwarded");
    }

    // ---- Malformed DNS ------------------------------------------------------------------------------------------

    private static MdnsMessages.Message parse(final byte[] dns) {
        return MdnsMessages.parse(Unpooled.wrappedBuffer(dns), 0, dns.length);
    }

    @Test
    void namesWithBadPointersOrLengthsAreRefused() {
        final var good = Mdns.response().ptr(IPP, "printer", 120).bytes();
        assertNotNull(parse(good));
        // a pointer to itself
        final var self = Mdns.query().bytes();
        final var loop = java.util.Arrays.copyOf(self, self.length + 6);
        loop[5] = 1;
        loop[12] = (byte) 0xC0;
        loop[13] = 12;
        assertNull(parse(loop), "a pointer to itself");
        // a pointer ahead, to bytes that would read as a name (the root) if it were followed
        final var ahead = new byte[] {0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, (byte) 0xC0, 16, 0, 12, 0, 1};
        assertNull(parse(ahead), "a pointer ahead");
        final var back = new byte[] {0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 12, 0, 1, (byte) 0xC0, 12, 0, 12, 0, 1};
        assertNotNull(parse(back), "the same pointer backwards");
        // a label, then a pointer back to that label: each step points backwards, together they loop
        final var throughLabel = new byte[] {0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0,
            1, 'x', (byte) 0xC0, 12, 0, 12, 0, 1};
        assertNull(parse(throughLabel), "a loop through a label");
        // a label of the reserved types 0x40 and 0x80
        final var reserved = good.clone();
        reserved[12] = 0x44;
        assertNull(parse(reserved));
        // a name longer than 255 bytes
        final var longName = Mdns.query().question("a".repeat(63) + "." + "b".repeat(63) + "." + "c".repeat(63) + "."
            + "d".repeat(63) + ".local", Mdns.PTR, false).bytes();
        assertNull(parse(longName));
        // a label running past the end
        final var past = java.util.Arrays.copyOf(good, 20);
        assertNull(parse(past));
    }

    /**
     * A name that is a chain of pointers, each to the one before, ending at the root.
     */
    private static MdnsMessages.Name chain(final int pointers) {
        final var buf = Unpooled.buffer().writeByte(0);
        int previous = 0;
        for (int i = 0; i < pointers; i++) {
            final int at = buf.writerIndex();
            buf.writeShort(0xC000 | previous);
            previous = at;
        }
        return MdnsMessages.readName(buf, new int[] {previous}, 0, buf.writerIndex());
    }

    @Test
    void pointerChainsAreBounded() {
        assertNotNull(chain(Bounds.DNS_NAME_POINTERS));
        assertNull(chain(Bounds.DNS_NAME_POINTERS + 1));
    }

    @Test
    void countsAndLengthsThatDoNotFitAreRefused() {
        final var good = Mdns.response().ptr(IPP, "printer", 120).record("b.local", Mdns.A, true, 120,
            new byte[] {10, 0, 0, 2}).bytes();
        assertNotNull(parse(good));
        final var moreAnswers = good.clone();
        moreAnswers[7] = 3;
        assertNull(parse(moreAnswers), "more records than there are");
        final var tooMany = good.clone();
        tooMany[6] = (byte) 0xFF;
        assertNull(parse(tooMany), "more than the bound");
        final var longData = good.clone();
        longData[good.length - 5] = 9;
        assertNull(parse(longData), "data past the end");
        final var shortHeader = java.util.Arrays.copyOf(good, 11);
        assertNull(parse(shortHeader));
        // PTR data longer than its name: junk after the name
        final var junk = Mdns.response().record(IPP, Mdns.PTR, false, 120, new byte[] {1, 'p', 0, 7}).bytes();
        assertNull(parse(junk));
        // SRV data too short for its fixed part
        final var srv = Mdns.response().record("p." + IPP, Mdns.SRV, false, 120, new byte[] {0, 0, 0}).bytes();
        assertNull(parse(srv));
    }

    @Test
    void mangledMessagesNeverThrowNorGetLearnedWhenBroken() {
        final var template = Mdns.response().ptr(IPP, "printer", 120).record("printer." + IPP, Mdns.SRV, true, 120,
            new byte[] {0, 0, 0, 0, 0x1E, 0x61, 1, 'b', 5, 'l', 'o', 'c', 'a', 'l', 0}).bytes();
        final var random = new Random(5353);
        int refused = 0;
        for (int round = 0; round < 2000; round++) {
            final var bytes = template.clone();
            for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
                bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
            }
            final int length = round % 7 == 0 ? random.nextInt(bytes.length) : bytes.length;
            final var message = MdnsMessages.parse(Unpooled.wrappedBuffer(bytes), 0, length);
            if (message == null) {
                refused++;
            }
        }
        assertTrue(refused > 100, "many were refused: " + refused);
        // Through the switch: a broken response is forwarded as before, learned never.
        final var broken = template.clone();
        broken[12] = (byte) 0xC0;
        broken[13] = 12;
        send(bb, broken);
        assertEquals(3, count(aa, cc, node));
        assertEquals(0, chatter.mdnsCached());
    }

    @Test
    void aNameReadThroughPointersIsTheWholeName() {
        final var message = parse(Mdns.response().ptr(IPP, "printer", 120).bytes());
        assertNotNull(message);
        assertEquals("printer." + IPP + ".", MdnsMessages.readName(Unpooled.wrappedBuffer(message.answers().get(0)
            .data()), new int[] {0}, 0, message.answers().get(0).data().length).toString());
        assertEquals(MdnsMessages.Name.parse("_IPP._TCP.local"), message.answers().get(0).name(),
            "names compare without ASCII case");
    }
}
