/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.multicast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import org.junit.jupiter.api.extension.ExtendWith;
import org.serval.api.ChatterPolicy;
import org.serval.api.ChatterPolicy.Protocol;
import org.serval.api.FloodPolicy;
import org.serval.dataplane.protocol.LeakCheck;
import org.serval.dataplane.resolution.Frames;
import org.serval.dataplane.resolution.IpAddress;
import org.serval.dataplane.switching.VlanSwitch;

@ExtendWith(LeakCheck.class)
class VlanChatterTest {
    private static final long SECOND = 1_000_000_000L;
    private static final int GROUP = Frames.v4(239, 1, 2, 3);
    private static final IpAddress MDNS6 = Frames.v6("ff02::fb");

    private final VlanSwitch red = new VlanSwitch("red", 1024, 64, 300 * SECOND, true);
    private final AtomicReference<ChatterPolicy> policy = new AtomicReference<>(ChatterPolicy.DEFAULT);
    private final VlanChatter chatter = new VlanChatter(red, policy::get);
    private final Member aa = new Member("a", 0x020000000001L, Frames.v4(10, 0, 0, 1), false);
    private final Member bb = new Member("b", 0x020000000002L, Frames.v4(10, 0, 0, 2), false);
    private final Member cc = new Member("c", 0x020000000003L, Frames.v4(10, 0, 0, 3), false);
    private final Member node = new Member("node2", 0, 0, true);
    private final List<ByteBuf> sent = new ArrayList<>();
    private long now = 1000 * SECOND;

    VlanChatterTest() {
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

    private boolean send(final Member from, final ByteBuf frame) {
        sent.add(frame);
        return red.receive(from, frame, now);
    }

    private ByteBuf toGroup(final Member from, final int group) {
        return Packets.udp4(from.mac, Packets.groupMac(group), from.ip, group, 40000, 5004, 100);
    }

    private void clear() {
        for (var member : List.of(aa, bb, cc, node)) {
            member.received.clear();
        }
    }

    @Test
    void aJoinedGroupReachesOnlyItsMembersAndOtherNodes() {
        send(bb, Packets.igmpV2(bb.mac, bb.ip, GROUP, true));
        clear();
        assertTrue(send(aa, toGroup(aa, GROUP)));
        assertEquals(1, bb.count());
        assertEquals(0, cc.count(), "c did not join");
        assertEquals(1, node.count(), "another node snoops for its own members");
        assertEquals(2, chatter.counters().snooped(), "the report (to routers and nodes) and the frame");
        assertEquals(1, chatter.counters().groups());
    }

    @Test
    void aLeaveEndsTheMembership() {
        send(bb, Packets.igmpV2(bb.mac, bb.ip, GROUP, true));
        send(cc, Packets.igmpV3(cc.mac, cc.ip, 2, 0, GROUP));
        send(bb, Packets.igmpV2(bb.mac, bb.ip, GROUP, false));
        clear();
        send(aa, toGroup(aa, GROUP));
        assertEquals(0, bb.count(), "b left");
        assertEquals(1, cc.count());
        // IGMPv3: change to include nothing is leaving
        send(cc, Packets.igmpV3(cc.mac, cc.ip, 3, 0, GROUP));
        assertEquals(0, chatter.groupCount());
    }

    @Test
    void membershipsAgeOutWithoutReports() {
        send(bb, Packets.igmpV2(bb.mac, bb.ip, GROUP, true));
        now += 200 * SECOND;
        chatter.tick(now);
        assertEquals(1, chatter.groupCount(), "within the membership interval");
        now += 61 * SECOND;
        chatter.tick(now);
        assertEquals(0, chatter.groupCount(), "260 s after the last report");
    }

    @Test
    void unknownGroupsAreFloodedUntilTheQuerierHasHadItsAnswers() {
        chatter.tick(now);
        assertEquals(0, bb.count(), "no member reported a group: nothing to ask");
        send(cc, Packets.igmpV2(cc.mac, cc.ip, Frames.v4(239, 9, 9, 9), true));
        send(aa, toGroup(aa, GROUP));
        assertEquals(1, bb.count(), "no snooping data yet: flooded, as bridges do");
        assertEquals(1, cc.count());
        chatter.tick(now);
        now += 9 * SECOND;
        clear();
        send(aa, toGroup(aa, GROUP));
        assertEquals(1, bb.count(), "hosts may still be answering the first query");
        now += SECOND;
        clear();
        send(aa, toGroup(aa, GROUP));
        assertEquals(0, bb.count(), "nobody reported the group: no member listens");
        assertEquals(0, cc.count());
        assertEquals(1, node.count());
    }

    @Test
    void linkLocalControlGroupsAndBroadcastAreAlwaysFlooded() {
        chatter.tick(now);
        now += 20 * SECOND;
        clear();
        final int mdns = Frames.v4(224, 0, 0, 251);
        send(aa, Packets.udp4(aa.mac, Packets.groupMac(mdns), aa.ip, mdns, 5353, 5353, 40));
        send(aa, Packets.udp4(aa.mac, Packets.BROADCAST, aa.ip, -1, 137, 137, 50));
        assertEquals(2, bb.count());
        assertEquals(2, cc.count());
    }

    @Test
    void theQuerierAsksUntilAnotherQuerierIsHeard() {
        send(cc, Packets.igmpV2(cc.mac, cc.ip, GROUP, true));
        send(cc, Packets.mldV2(cc.mac, Frames.v6("fe80::3"), true, MDNS6));
        clear();
        chatter.tick(now);
        assertEquals(2, bb.count(), "an IGMP and an MLD general query");
        final var igmp = Unpooled.wrappedBuffer(bb.received.get(0));
        final var mld = Unpooled.wrappedBuffer(bb.received.get(1));
        assertEquals(GroupMessages.Kind.QUERY, GroupMessages.igmp(igmp, 38, igmp.writerIndex()).kind(),
            "a well-formed query, checksum included");
        assertEquals(GroupMessages.Kind.QUERY, GroupMessages.mld(mld, 14, 62, mld.writerIndex()).kind());
        assertEquals(0, node.count(), "each node queries its own members");
        clear();
        now += 30 * SECOND;
        chatter.tick(now);
        assertEquals(0, bb.count(), "the startup interval is 31 s");
        now += SECOND;
        chatter.tick(now);
        assertEquals(2, bb.count());
        // a member's multicast router queries: the switch defers to it
        send(aa, Packets.igmpQuery(aa.mac, aa.ip));
        clear();
        now += 200 * SECOND;
        chatter.tick(now);
        assertEquals(1, bb.count(), "only MLD: another IGMP querier was heard");
        now += 60 * SECOND;
        clear();
        chatter.tick(now);
        assertEquals(1, bb.count(), "the IGMP querier resumes once the other has been silent for 255 s");
        assertEquals(0x08, bb.received.get(0)[12]);
    }

    @Test
    void reportsGoToRoutersAndOtherNodesNotToEveryHost() {
        send(aa, Packets.igmpQuery(aa.mac, aa.ip));
        clear();
        send(bb, Packets.igmpV2(bb.mac, bb.ip, GROUP, true));
        assertEquals(1, aa.count(), "a, which queried, is a multicast router");
        assertEquals(0, cc.count(), "hosts do not hear each other's reports");
        assertEquals(1, node.count());
    }

    @Test
    void mldSnoopingKeepsIpv6MdnsToItsListeners() {
        final var src = Frames.v6("fe80::1");
        send(bb, Packets.mldV2(bb.mac, Frames.v6("fe80::2"), true, MDNS6));
        clear();
        send(aa, Packets.udp6(aa.mac, src, MDNS6, 5353, 5353, 60));
        assertEquals(1, bb.count());
        assertEquals(0, cc.count());
        send(bb, Packets.mldV2(bb.mac, Frames.v6("fe80::2"), false, MDNS6));
        assertEquals(0, chatter.groupCount());
    }

    @Test
    void aSolicitationGoesOnlyToTheAddressOwner() {
        final var address = Frames.v6("2001:db8::a");
        // a announces its address; the switch learns it
        send(aa, Frames.advertisement(aa.mac, address, 0x333300000001L, Frames.v6("ff02::1"), false));
        clear();
        // c checks the address is free (duplicate address detection, which the switch never answers)
        assertTrue(send(cc, Frames.solicitation(cc.mac, IpAddress.v6(0, 0), address)));
        assertEquals(1, aa.count(), "the owner must hear it");
        assertEquals(0, bb.count());
        // an address nobody has: the switch does not know an owner and falls back to the group (flooded here)
        clear();
        send(cc, Frames.solicitation(cc.mac, IpAddress.v6(0, 0), Frames.v6("2001:db8::b")));
        assertEquals(1, bb.count());
    }

    @Test
    void chattyProtocolsAreHeldToTheirRatePerMember() {
        final int mdns = Frames.v4(224, 0, 0, 251);
        int passed = 0;
        for (int i = 0; i < 100; i++) {
            if (send(aa, Packets.udp4(aa.mac, Packets.groupMac(mdns), aa.ip, mdns, 5353, 5353, 40))) {
                passed++;
            }
        }
        assertEquals(2 * 20, passed, "two seconds of 20 frames a second as a burst");
        assertTrue(send(bb, Packets.udp4(bb.mac, Packets.groupMac(mdns), bb.ip, mdns, 5353, 5353, 40)),
            "b has its own credit");
        assertTrue(send(aa, Packets.udp4(aa.mac, Packets.BROADCAST, aa.ip, -1, 137, 137, 50)),
            "and so has each protocol");
        now += SECOND / 10;
        assertTrue(send(aa, Packets.udp4(aa.mac, Packets.groupMac(mdns), aa.ip, mdns, 5353, 5353, 40)),
            "refilled at 20 a second");
        final var counters = chatter.counters();
        assertEquals(60, counters.rateLimited());
        assertEquals(60, counters.protocols().get("mdns").rateLimited());
        assertEquals(102, counters.protocols().get("mdns").frames());
    }

    @Test
    void thePolicyForwardsOrDrops() {
        policy.set(new ChatterPolicy(Map.of(
            Protocol.DHCP, new ChatterPolicy.Rule(FloodPolicy.Action.DROP, 1),
            Protocol.MDNS, new ChatterPolicy.Rule(FloodPolicy.Action.FORWARD, 1))));
        final int mdns = Frames.v4(224, 0, 0, 251);
        for (int i = 0; i < 10; i++) {
            assertTrue(send(aa, Packets.udp4(aa.mac, Packets.groupMac(mdns), aa.ip, mdns, 5353, 5353, 40)));
        }
        // a member's DHCP server offering an address
        assertFalse(send(aa, Packets.udp4(aa.mac, Packets.BROADCAST, aa.ip, -1, 67, 68, 300)));
        assertTrue(send(aa, Packets.routerAdvertisement(aa.mac, Frames.v6("fe80::1"))),
            "rate-limited by default, not dropped");
        assertEquals(1, chatter.counters().filtered());
        assertEquals(1, chatter.counters().protocols().get("dhcp").dropped());
    }

    @Test
    void unicastThatIsNotChattyIsNotTouched() {
        send(bb, Frames.plain(aa.mac, bb.mac, 0x0800));
        clear();
        assertTrue(send(aa, Packets.udp4(aa.mac, bb.mac, aa.ip, bb.ip, 40000, 80, 10)));
        assertEquals(1, bb.count());
        assertEquals(1, chatter.counters().forwarded());
    }

    @Test
    void malformedGroupMessagesAreDroppedWhole() {
        final var report = Packets.igmpV3(bb.mac, bb.ip, 2, 0, GROUP, Frames.v4(239, 9, 9, 9));
        report.setByte(report.writerIndex() - 1, 7);
        assertFalse(send(bb, report), "bad checksum");
        assertEquals(0, chatter.groupCount(), "nothing of it was applied");
        assertEquals(1, chatter.counters().filtered());
    }

    @Test
    void fuzzedGroupMessagesNeitherThrowNorLeak() {
        final var random = new Random(20261130L);
        for (int i = 0; i < 3000; i++) {
            final var frame = switch (i % 3) {
                case 0 -> Packets.igmpV3(bb.mac, bb.ip, 1 + random.nextInt(6), random.nextInt(3), GROUP,
                    Frames.v4(239, 1, 1, random.nextInt(256)));
                case 1 -> Packets.mldV2(bb.mac, Frames.v6("fe80::2"), random.nextBoolean(), MDNS6);
                default -> Packets.igmpV2(bb.mac, bb.ip, GROUP, random.nextBoolean());
            };
            final int flips = 1 + random.nextInt(4);
            for (int f = 0; f < flips; f++) {
                frame.setByte(14 + random.nextInt(frame.writerIndex() - 14), random.nextInt(256));
            }
            if (random.nextInt(4) == 0) {
                frame.writerIndex(14 + random.nextInt(frame.writerIndex() - 14));
            }
            send(bb, frame);
        }
        assertTrue(chatter.groupCount() <= 64, "whatever the reports said, b is held to its bound");
    }

    @Test
    void aMemberCannotJoinBeyondItsBound() {
        for (int i = 0; i < 100; i++) {
            send(bb, Packets.igmpV2(bb.mac, bb.ip, Frames.v4(239, 2, 0, i), true));
        }
        assertEquals(64, chatter.groupCount());
        red.detach(bb);
        assertEquals(0, chatter.groupCount(), "a member that leaves the VLAN leaves its groups");
    }

    @Test
    void theClassifierTellsTheChattyProtocols() {
        final int mdns = Frames.v4(224, 0, 0, 251);
        final int ssdp = Frames.v4(239, 255, 255, 250);
        assertEquals(Protocol.MDNS, classify(Packets.udp4(1, Packets.groupMac(mdns), 1, mdns, 5353, 5353, 10)));
        assertEquals(Protocol.MDNS, classify(Packets.udp6(1, Frames.v6("fe80::1"), MDNS6, 5353, 5353, 10)));
        assertEquals(Protocol.LLMNR, classify(Packets.udp4(1, 2, 1, Frames.v4(224, 0, 0, 252), 50000, 5355, 10)));
        assertEquals(Protocol.SSDP, classify(Packets.udp4(1, Packets.groupMac(ssdp), 1, ssdp, 50000, 1900, 10)));
        assertEquals(Protocol.SSDP, classify(Packets.udp6(1, Frames.v6("fe80::1"), Frames.v6("ff02::c"), 50000,
            1900, 10)));
        assertEquals(Protocol.NETBIOS_NS, classify(Packets.udp4(1, Packets.BROADCAST, 1, -1, 137, 137, 50)));
        assertEquals(Protocol.DHCP, classify(Packets.udp4(1, Packets.BROADCAST, 0, -1, 68, 67, 300)));
        assertEquals(Protocol.DHCP, classify(Packets.udp6(1, Frames.v6("fe80::1"), Frames.v6("ff02::1:2"), 546,
            547, 30)));
        assertEquals(Protocol.ROUTER_ADVERTISEMENT, classify(Packets.routerAdvertisement(1, Frames.v6("fe80::1"))));
        assertNull(classify(Packets.udp4(1, 2, 1, 2, 40000, 53, 10)), "DNS is not chatter");
        assertNull(classify(Frames.arpRequest(1, 1, 2)));
        final var fragment = Packets.udp4(1, Packets.groupMac(mdns), 1, mdns, 5353, 5353, 10);
        fragment.setShort(14 + 6, 100);
        assertNull(classify(fragment), "a later fragment has no ports");
        final var cut = Packets.udp4(1, Packets.groupMac(mdns), 1, mdns, 5353, 5353, 10);
        cut.writerIndex(30);
        assertNull(classify(cut), "cut short");
    }

    private Protocol classify(final ByteBuf frame) {
        try {
            return ChattyProtocols.classify(frame);
        } finally {
            frame.release();
        }
    }
}
