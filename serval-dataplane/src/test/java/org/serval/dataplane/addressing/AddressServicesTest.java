/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.addressing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.serval.api.Addressing;
import org.serval.dataplane.Bounds;
import org.serval.dataplane.ethernet.Macs;
import org.serval.dataplane.protocol.LeakCheck;
import org.serval.dataplane.resolution.Frames;
import org.serval.dataplane.switching.SwitchPort;
import org.serval.dataplane.switching.VlanSwitch;

/**
 * The DHCPv4 server, router advertisements and rogue guard on a real switch, with frames built as stock clients
 * build them.
 */
@ExtendWith(LeakCheck.class)
class AddressServicesTest {
    private static final long SECOND = 1_000_000_000L;
    private static final long MAC_A = 0x0200_0000_000AL;
    private static final long MAC_B = 0x0200_0000_000BL;
    private static final long MAC_C = 0x0200_0000_000CL;
    private static final int SUBNET = Addressing.parseV4("10.9.0.0");
    private static final int BROADCAST_IP = -1;

    /**
     * A member that keeps a copy of each frame it is sent and releases the frame.
     */
    private static final class Member implements SwitchPort {
        final String name;
        final List<byte[]> received = new ArrayList<>();

        Member(final String name) {
            this.name = name;
        }

        @Override
        public void deliver(final ByteBuf frame) {
            try {
                final var bytes = new byte[frame.readableBytes()];
                frame.getBytes(frame.readerIndex(), bytes);
                received.add(bytes);
            } finally {
                frame.release();
            }
        }

        @Override
        public String owner() {
            return name;
        }

        ByteBuf last() {
            return Unpooled.wrappedBuffer(received.get(received.size() - 1));
        }
    }

    private long now = 1_000_000L;
    private final List<String> events = new ArrayList<>();
    // The probes' waits, run when a test says their time is up.
    private final List<Runnable> timers = new ArrayList<>();
    private final List<Long> delays = new ArrayList<>();
    private final AddressServices services = new AddressServices(() -> now, (task, delay) -> {
        timers.add(task);
        delays.add(delay);
    });
    private final VlanSwitch red = new VlanSwitch("red", 1024, 64, 300 * SECOND, true);
    private final Member aa = new Member("client-a");
    private final Member bb = new Member("client-b");
    private final Member cc = new Member("client-c");

    @BeforeEach
    void setUp() {
        services.listener(new AddressServices.LeaseListener() {
            @Override
            public void leased(final String vlan, final Lease lease) {
                events.add("leased " + vlan + " " + Long.toHexString(lease.mac()) + " "
                    + Addressing.v4String(lease.address()) + (lease.isActive(now) ? "" : " ended"));
            }

            @Override
            public void ended(final String vlan, final long mac) {
                events.add("ended " + vlan + " " + Long.toHexString(mac));
            }
        });
        red.serveWith(services);
        red.attach(aa);
        red.attach(bb);
        red.attach(cc);
        configure("10.9.0.10", "10.9.0.19", true);
    }

    private void configure(final String start, final String end, final boolean guard) {
        services.configure("red", Addressing.of("10.9.0.0/24", List.<String[]>of(new String[] {start, end}), 600L,
            "10.9.0.1", List.of("10.9.0.53"), "lan.example", "fd00:9::/64", guard));
    }

    // ---- Frames as a DHCP client sends them --------------------------------------------------------------------

    static ByteBuf dhcp(final long mac, final int type, final int ciaddr, final int requested, final int server) {
        final var out = Unpooled.buffer();
        out.writeShort(0xFFFF).writeInt(-1);
        out.writeShort((int) (mac >>> 32)).writeInt((int) mac);
        out.writeShort(0x0800);
        final int ip = out.writerIndex();
        out.writeByte(0x45).writeByte(0).writeShort(0).writeShort(1).writeShort(0).writeByte(64).writeByte(17)
            .writeShort(0).writeInt(ciaddr).writeInt(-1);
        final int udp = out.writerIndex();
        out.writeShort(68).writeShort(67).writeShort(0).writeShort(0);
        final int msg = out.writerIndex();
        out.writeByte(1).writeByte(1).writeByte(6).writeByte(0).writeInt(0x1234_5678).writeShort(0).writeShort(0)
            .writeInt(ciaddr).writeInt(0).writeInt(0).writeInt(0);
        out.writeShort((int) (mac >>> 32)).writeInt((int) mac);
        out.writeZero(236 - (out.writerIndex() - msg));
        out.writeInt(0x63825363);
        out.writeByte(53).writeByte(1).writeByte(type);
        if (requested != 0) {
            out.writeByte(50).writeByte(4).writeInt(requested);
        }
        if (server != 0) {
            out.writeByte(54).writeByte(4).writeInt(server);
        }
        out.writeByte(12).writeByte(4).writeBytes("host".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        out.writeByte(255);
        out.writeZero(Math.max(0, 300 - (out.writerIndex() - msg)));
        out.setShort(ip + 2, out.writerIndex() - ip);
        out.setShort(udp + 4, out.writerIndex() - udp);
        return out;
    }

    /**
     * The probes' waits end (the timer fires), and the probes are done.
     */
    private void waitsEnd() {
        while (!timers.isEmpty()) {
            final var due = new ArrayList<>(timers);
            timers.clear();
            due.forEach(Runnable::run);
        }
    }

    /**
     * A DISCOVER, answered after the probe's wait.
     */
    private void discover(final Member member, final long mac, final int requested) {
        red.receive(member, dhcp(mac, Packets.DISCOVER, 0, requested, 0), 0);
        waitsEnd();
    }

    /**
     * The address of the ARP probes a member heard, in order.
     */
    private static List<Integer> probes(final Member member) {
        final var probed = new ArrayList<Integer>();
        for (var frame : member.received) {
            final var buf = Unpooled.wrappedBuffer(frame);
            if (buf.getUnsignedShort(12) == 0x0806 && buf.getUnsignedShort(14 + 6) == 1
                    && buf.getInt(14 + 14) == 0) {
                assertEquals(-1L >>> 16, Macs.read(buf, 0), "a probe is broadcast");
                assertEquals(AddressServices.serverMac("red"), Macs.read(buf, 14 + 8), "from the switch's MAC");
                probed.add(buf.getInt(14 + 24));
            }
        }
        return probed;
    }

    private static List<byte[]> offers(final Member member) {
        return member.received.stream().filter(frame -> frame.length > 300
            && messageType(Unpooled.wrappedBuffer(frame)) == Packets.OFFER).toList();
    }

    private static int messageType(final ByteBuf reply) {
        return option(reply, 53).getUnsignedByte(0);
    }

    private static int yiaddr(final ByteBuf reply) {
        return reply.getInt(14 + 20 + 8 + 16);
    }

    private static ByteBuf option(final ByteBuf reply, final int code) {
        int at = 14 + 20 + 8 + 240;
        while (at < reply.writerIndex() && reply.getUnsignedByte(at) != 255) {
            if (reply.getUnsignedByte(at) == 0) {
                at++;
                continue;
            }
            if (reply.getUnsignedByte(at) == code) {
                return reply.slice(at + 2, reply.getUnsignedByte(at + 1));
            }
            at += 2 + reply.getUnsignedByte(at + 1);
        }
        return null;
    }

    private static boolean checksumsHold(final ByteBuf reply) {
        final int ip = 14;
        if (sum(reply, ip, 20, 0) != 0xFFFF) {
            return false;
        }
        final int udpLength = reply.getUnsignedShort(ip + 20 + 4);
        final long pseudo = reply.getUnsignedShort(ip + 12) + reply.getUnsignedShort(ip + 14)
            + reply.getUnsignedShort(ip + 16) + reply.getUnsignedShort(ip + 18) + 17 + udpLength;
        return sum(reply, ip + 20, udpLength, pseudo) == 0xFFFF;
    }

    private static int sum(final ByteBuf buf, final int from, final int length, final long start) {
        long sum = start;
        for (int i = 0; i < length; i += 2) {
            sum += i + 1 < length ? buf.getUnsignedShort(from + i) : buf.getUnsignedByte(from + i) << 8;
        }
        while (sum >> 16 != 0) {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }
        return (int) sum;
    }

    /**
     * Runs DISCOVER then REQUEST for what was offered, as a client does, and returns the address acknowledged (0
     * when there was no offer or a NAK).
     */
    private int dora(final Member member, final long mac) {
        final int before = offers(member).size();
        discover(member, mac, 0);
        if (offers(member).size() == before) {
            return 0;
        }
        final var offer = member.last();
        assertEquals(Packets.OFFER, messageType(offer));
        final int server = option(offer, 54).getInt(0);
        red.receive(member, dhcp(mac, Packets.REQUEST, 0, yiaddr(offer), server), 0);
        final var ack = member.last();
        return messageType(ack) == Packets.ACK ? yiaddr(ack) : 0;
    }

    @Test
    void discoverOfferRequestAckGivesAnAddressFromThePoolWithTheOptions() {
        discover(aa, MAC_A, 0);
        assertEquals(1, offers(aa).size(), "the switch answered the asker");
        assertTrue(bb.received.stream().noneMatch(frame -> frame.length > 300), "nobody else heard the DISCOVER");
        final var offer = aa.last();
        assertEquals(Packets.OFFER, messageType(offer));
        assertTrue(checksumsHold(offer), "IPv4 and UDP checksums are right");
        final int offered = yiaddr(offer);
        assertTrue(offered >= SUBNET + 10 && offered <= SUBNET + 19, Addressing.v4String(offered));
        assertEquals(Addressing.parseV4("255.255.255.0"), option(offer, 1).getInt(0));
        assertEquals(Addressing.parseV4("10.9.0.1"), option(offer, 3).getInt(0));
        assertEquals(Addressing.parseV4("10.9.0.53"), option(offer, 6).getInt(0));
        assertEquals(600, option(offer, 51).getInt(0));
        assertEquals(Addressing.parseV4("10.9.0.254"), option(offer, 54).getInt(0), "the server's own address");
        assertEquals(MAC_A, Macs.read(offer, 0), "sent to the client's MAC");

        red.receive(aa, dhcp(MAC_A, Packets.REQUEST, 0, offered, option(offer, 54).getInt(0)), 0);
        final var ack = aa.last();
        assertEquals(Packets.ACK, messageType(ack));
        assertEquals(offered, yiaddr(ack));
        assertEquals(List.of("leased red " + Long.toHexString(MAC_A) + " " + Addressing.v4String(offered)), events);
        assertEquals(offered, services.leaseOf("red", MAC_A).address());
        assertEquals("client-a", services.leaseOf("red", MAC_A).clientId());
    }

    @Test
    void aMacAskingTwiceGetsTheSameAddressAndARenewalKeepsIt() {
        final int first = dora(aa, MAC_A);
        assertNotEquals(0, first);
        assertEquals(first, dora(aa, MAC_A));
        now += 300_000;
        red.receive(aa, dhcp(MAC_A, Packets.REQUEST, first, 0, 0), 0);
        assertEquals(Packets.ACK, messageType(aa.last()));
        assertEquals(now + 600_000, services.leaseOf("red", MAC_A).expiresMillis(), "the renewal extended it");
        assertNotEquals(first, dora(bb, MAC_B), "another MAC gets another address");
    }

    @Test
    void aNodeThatNeverSawTheClientPicksTheSameAddressAndHonoursStoredLeases() {
        final int first = dora(aa, MAC_A);
        // Another node: its own switch and services, nothing shared but the configuration and what it reads.
        final var otherServices = new AddressServices(() -> now, (task, delay) -> timers.add(task));
        otherServices.configure("red", Addressing.of("10.9.0.0/24", List.<String[]>of(
            new String[] {"10.9.0.10", "10.9.0.19"}), 600L, "10.9.0.1", List.of(), null, null, true));
        final var other = new VlanSwitch("red", 1024, 64, 300 * SECOND, true);
        other.serveWith(otherServices);
        final var moved = new Member("client-a");
        final var stranger = new Member("client-b");
        other.attach(moved);
        other.attach(stranger);
        discover(bb, MAC_B, 0);
        other.receive(stranger, dhcp(MAC_B, Packets.DISCOVER, 0, 0, 0), 0);
        waitsEnd();
        assertEquals(yiaddr(bb.last()), yiaddr(stranger.last()), "the same first choice for the same MAC");

        // The lease as the datastore carries it: the other node gives it to its holder and to no one else.
        otherServices.leaseStored("red", services.leaseOf("red", MAC_A));
        other.receive(stranger, dhcp(MAC_B, Packets.DISCOVER, 0, first, 0), 0);
        waitsEnd();
        assertNotEquals(first, yiaddr(stranger.last()), "a stored lease is not offered to another MAC");
        other.receive(moved, dhcp(MAC_A, Packets.REQUEST, first, 0, 0), 0);
        assertEquals(Packets.ACK, messageType(moved.last()), "a renewal after failover is acknowledged");
        assertEquals(first, yiaddr(moved.last()));
    }

    @Test
    void releaseEndsTheLeaseButTheMacGetsItsAddressBack() {
        final int first = dora(aa, MAC_A);
        events.clear();
        red.receive(aa, dhcp(MAC_A, Packets.RELEASE, first, 0, SUBNET + 254), 0);
        assertEquals(List.of("leased red " + Long.toHexString(MAC_A) + " " + Addressing.v4String(first)
            + " ended"), events);
        assertFalse(services.leaseOf("red", MAC_A).isActive(now));
        assertEquals(first, dora(aa, MAC_A));
    }

    @Test
    void aDeclinedAddressIsGivenToNoOne() {
        final int first = dora(aa, MAC_A);
        events.clear();
        red.receive(aa, dhcp(MAC_A, Packets.DECLINE, 0, first, SUBNET + 254), 0);
        assertEquals(List.of("ended red " + Long.toHexString(MAC_A)), events);
        for (var mac : List.of(MAC_A, MAC_B, MAC_C)) {
            assertNotEquals(first, dora(aa, mac));
        }
    }

    @Test
    void anAddressSomeoneUsesIsNotOffered() {
        // A member that set the address by hand announces it (gratuitous ARP); the switch's table knows it.
        final int taken = dora(aa, MAC_A);
        services.leaseRemoved("red", MAC_A);
        red.receive(cc, Frames.arpReply(MAC_C, taken, MAC_C, taken), 0);
        discover(bb, MAC_B, taken);
        assertNotEquals(taken, yiaddr(bb.last()));
    }

    @Test
    void anExhaustedPoolOffersNothing() {
        configure("10.9.0.10", "10.9.0.11", true);
        assertNotEquals(0, dora(aa, MAC_A));
        assertNotEquals(0, dora(bb, MAC_B));
        assertEquals(0, dora(cc, MAC_C));
        assertTrue(offers(cc).isEmpty(), "no offer when the pool is exhausted");
        // Once a lease runs out, its address may go to someone else.
        now += 601_000;
        assertNotEquals(0, dora(cc, MAC_C));
    }

    @Test
    void aRequestForAnAddressOutsideThePoolIsRefused() {
        red.receive(aa, dhcp(MAC_A, Packets.REQUEST, 0, Addressing.parseV4("192.168.1.5"), 0), 0);
        assertEquals(Packets.NAK, messageType(aa.last()));
        final int first = dora(aa, MAC_A);
        red.receive(bb, dhcp(MAC_B, Packets.REQUEST, 0, first, 0), 0);
        assertEquals(Packets.NAK, messageType(bb.last()), "another MAC's leased address");
    }

    @Test
    void theRogueGuardDropsMembersDhcpServersAndRouterAdvertisements() {
        final var serverReply = Packets.dhcpReply(UnpooledByteBufAllocator.DEFAULT,
            new Packets.DhcpRequest(Packets.DISCOVER, 1, MAC_A, 0, 0, 0, true, null), Packets.OFFER, MAC_B,
            SUBNET + 2, new Packets.Offer(SUBNET + 100, 60, -256, SUBNET + 255, 0, List.of(), null));
        assertFalse(red.receive(bb, serverReply.retainedDuplicate(), 0));
        assertTrue(aa.received.isEmpty(), "a member's OFFER is not heard");
        final var advert = Packets.routerAdvertisement(UnpooledByteBufAllocator.DEFAULT, MAC_B,
            0xFD00_0009_0000_0001L, 64, 60, 60);
        assertFalse(red.receive(bb, advert.retainedDuplicate(), 0));
        assertTrue(aa.received.isEmpty(), "a member's router advertisement is not heard");
        assertEquals(2, services.rogueFrames());

        configure("10.9.0.10", "10.9.0.19", false);
        assertTrue(red.receive(bb, serverReply.retainedDuplicate(), 0));
        assertEquals(1, aa.received.size(), "with the guard off a member's server is heard");

        services.configure("red", null);
        aa.received.clear();
        assertTrue(red.receive(bb, serverReply, 0));
        assertTrue(red.receive(bb, advert, 0));
        assertEquals(2, aa.received.size(), "without addressing the switch stays out of the way");
        red.receive(aa, dhcp(MAC_A, Packets.DISCOVER, 0, 0, 0), 0);
        assertEquals(1, bb.received.stream().filter(frame -> frame.length >= 300).count(),
            "a DISCOVER is flooded like any broadcast");
        assertTrue(timers.isEmpty() && probes(bb).isEmpty(), "and the switch probes nothing");
    }

    @Test
    void aRouterSolicitationIsAnsweredWithThePrefix() {
        final var solicitation = Unpooled.buffer();
        solicitation.writeShort(0x3333).writeInt(2).writeShort((int) (MAC_A >>> 32)).writeInt((int) MAC_A)
            .writeShort(0x86DD).writeInt(0x6000_0000).writeShort(8).writeByte(58).writeByte(255)
            .writeLong(0).writeLong(0).writeLong(0xFF02_0000_0000_0000L).writeLong(2)
            .writeByte(133).writeByte(0).writeShort(0).writeInt(0);
        aa.received.clear();
        assertTrue(red.receive(aa, solicitation, 0));
        assertTrue(bb.received.isEmpty(), "the solicitation is answered, not flooded");
        final var advert = aa.last();
        assertEquals(134, advert.getUnsignedByte(14 + 40));
        final int prefixOption = 14 + 40 + 16 + 8;
        assertEquals(3, advert.getUnsignedByte(prefixOption));
        assertEquals(64, advert.getUnsignedByte(prefixOption + 2));
        assertEquals(0xC0, advert.getUnsignedByte(prefixOption + 3), "on-link and autonomous");
        assertEquals(0xFD00_0009_0000_0000L, advert.getLong(prefixOption + 16));
        assertEquals(0, advert.getUnsignedShort(14 + 40 + 6), "router lifetime 0: the switch is no router");
        assertEquals(0xFE80_0000_0000_0000L, advert.getLong(14 + 8), "from a link-local address");
    }

    @Test
    void aJoiningMemberHearsAnAdvertisementAndTheSweepRepeatsIt() {
        final var late = new Member("late");
        red.attach(late);
        assertEquals(1, late.received.size());
        final int before = aa.received.size();
        services.tick(red, 0);
        services.tick(red, SECOND);
        assertEquals(before + 1, aa.received.size(), "one unsolicited advertisement per interval");
    }

    @Test
    void theServersAddressAnswersArp() {
        final var question = Frames.arpRequest(MAC_A, SUBNET + 10, SUBNET + 254);
        assertTrue(red.receive(aa, question, 0));
        final var reply = aa.last();
        assertEquals(0x0806, reply.getUnsignedShort(12));
        assertEquals(AddressServices.serverMac("red"), Macs.read(reply, 14 + 8));
        assertTrue(bb.received.isEmpty());
    }

    // ---- Conflict checks by ARP probe -------------------------------------------------------------------------

    @Test
    void anAddressIsProbedAndOfferedOnlyOnceTheWaitEndsInSilence() {
        red.receive(aa, dhcp(MAC_A, Packets.DISCOVER, 0, 0, 0), 0);
        assertTrue(offers(aa).isEmpty(), "no offer before the probe's wait is over");
        assertEquals(List.of(Bounds.DHCP_PROBE_WAIT_MILLIS), delays, "the wait is scheduled, not slept");
        final var probed = probes(bb);
        assertEquals(1, probed.size(), "every member hears one probe");
        assertEquals(probed, probes(cc));
        final var probe = Unpooled.wrappedBuffer(bb.received.get(0));
        assertEquals(0x0806, probe.getUnsignedShort(12));
        assertEquals(0, probe.getInt(14 + 14), "sender address 0, so that no cache learns the switch from it");
        assertEquals(0, Macs.read(probe, 14 + 18), "target MAC 0");

        waitsEnd();
        assertEquals(1, offers(aa).size());
        assertEquals(probed.get(0), yiaddr(aa.last()), "the probed address is offered");
        assertEquals(1, services.probesSent("red"));
        assertEquals(0, services.conflictsFound("red"));
    }

    @Test
    void anAnsweredProbeMarksTheConflictAndTheNextAddressIsOffered() {
        red.receive(aa, dhcp(MAC_A, Packets.DISCOVER, 0, 0, 0), 0);
        final int taken = probes(bb).get(0);
        // bb has the address by hand and answers as Linux does: a reply to the prober's MAC, target address 0.
        final var answer = Frames.arpReply(MAC_B, taken, AddressServices.serverMac("red"), 0);
        final int heardBefore = cc.received.size();
        assertTrue(red.receive(bb, answer, 0));
        assertEquals(heardBefore + 1, cc.received.size(), "only the next probe, not the answer, reaches others");
        final var probed = probes(cc);
        assertEquals(2, probed.size(), "the next address is probed");
        assertNotEquals(taken, probed.get(1));

        waitsEnd();
        assertEquals(1, offers(aa).size(), "one offer, after the second wait");
        assertEquals(probed.get(1), yiaddr(aa.last()));
        assertEquals(2, services.probesSent("red"));
        assertEquals(1, services.conflictsFound("red"));
        // The conflict is held as a DECLINE is: nobody is offered it while the hold lasts.
        for (var mac : List.of(MAC_A, MAC_C, 0x0200_0000_00DDL)) {
            assertNotEquals(taken, dora(cc, mac));
        }
        red.receive(cc, dhcp(MAC_C, Packets.REQUEST, 0, taken, 0), 0);
        assertEquals(Packets.NAK, messageType(cc.last()), "nor acknowledged");
    }

    @Test
    void anAnnouncementDuringTheWaitIsAConflictTooButTheClientsOwnIsNot() {
        red.receive(aa, dhcp(MAC_A, Packets.DISCOVER, 0, 0, 0), 0);
        final int first = probes(bb).get(0);
        red.receive(aa, Frames.arpRequest(MAC_A, first, first), 0);
        assertEquals(0, services.conflictsFound("red"), "the asking client's own ARP is no conflict");
        red.receive(cc, Frames.arpRequest(MAC_C, first, first), 0);
        assertEquals(1, services.conflictsFound("red"), "another member's gratuitous ARP is");
        waitsEnd();
        assertNotEquals(first, yiaddr(aa.last()));
    }

    @Test
    void aRepeatedDiscoverDuringTheProbeStartsNoSecondOneAndGetsTheOffer() {
        red.receive(aa, dhcp(MAC_A, Packets.DISCOVER, 0, 0, 0), 0);
        final var again = dhcp(MAC_A, Packets.DISCOVER, 0, 0, 0);
        again.setInt(14 + 20 + 8 + 4, 0x0BAD_CAFE);
        red.receive(aa, again, 0);
        assertEquals(1, probes(bb).size(), "one probe");
        assertEquals(1, timers.size(), "one wait");
        waitsEnd();
        assertEquals(1, offers(aa).size(), "one offer");
        assertEquals(0x0BAD_CAFE, aa.last().getInt(14 + 20 + 8 + 4), "for the latest DISCOVER's xid");
    }

    @Test
    void probesAreBoundedPerDiscoverAndPerVlan() {
        // Every address the switch tries is answered: it gives up after a bounded number.
        red.receive(aa, dhcp(MAC_A, Packets.DISCOVER, 0, 0, 0), 0);
        for (int answered = 0; answered < Bounds.DHCP_PROBE_ATTEMPTS; answered++) {
            final var probed = probes(bb);
            red.receive(bb, Frames.arpReply(MAC_B, probed.get(probed.size() - 1), AddressServices.serverMac("red"),
                0), 0);
        }
        assertEquals(Bounds.DHCP_PROBE_ATTEMPTS, probes(bb).size(), "no probe after the last attempt");
        waitsEnd();
        assertTrue(offers(aa).isEmpty(), "and no offer");

        // DISCOVERs waiting at once: beyond the table's size they go unanswered (the clients ask again).
        services.configure("red", Addressing.of("10.9.0.0/22", List.<String[]>of(
            new String[] {"10.9.0.10", "10.9.3.200"}), 600L, null, List.of(), null, null, true));
        final int before = probes(bb).size();
        for (int i = 0; i < Bounds.DHCP_PROBES_PER_VLAN + 10; i++) {
            red.receive(aa, dhcp(0x0200_0001_0000L + i, Packets.DISCOVER, 0, 0, 0), 0);
        }
        assertEquals(Bounds.DHCP_PROBES_PER_VLAN, probes(bb).size() - before);
        assertEquals(Bounds.DHCP_PROBES_PER_VLAN, timers.size());
        waitsEnd();
        assertEquals(Bounds.DHCP_PROBES_PER_VLAN, offers(aa).size());
        red.receive(aa, dhcp(0x0200_0002_0000L, Packets.DISCOVER, 0, 0, 0), 0);
        assertEquals(1, timers.size(), "room again once the waits ended");
        waitsEnd();
    }

    @Test
    void malformedFramesNeverThrowNorLeakNorReachAnyone() {
        final var random = new Random(14);
        final var template = new byte[dhcp(MAC_A, Packets.REQUEST, 0, SUBNET + 12, SUBNET + 254).readableBytes()];
        final var source = dhcp(MAC_A, Packets.REQUEST, 0, SUBNET + 12, SUBNET + 254);
        source.readBytes(template);
        source.release();
        for (int round = 0; round < 500; round++) {
            final var bytes = template.clone();
            for (int flips = 1 + random.nextInt(6); flips > 0; flips--) {
                // Keep the headers that make it a DHCP request to port 67 some of the time; mangle the rest.
                final int at = round % 2 == 0 ? 14 + 20 + 8 + random.nextInt(bytes.length - 42)
                    : random.nextInt(bytes.length);
                bytes[at] = (byte) random.nextInt(256);
            }
            final int length = round % 5 == 0 ? 14 + random.nextInt(bytes.length - 14) : bytes.length;
            final var frame = Unpooled.directBuffer(length).writeBytes(bytes, 0, length);
            // Source MAC kept unicast, so the switch looks at the frame at all.
            frame.setByte(6, 0x02);
            red.receive(aa, frame, 0);
            assertEquals(0, frame.refCnt());
        }
        assertTrue(services.malformedFrames() > 0, "some were recognised as malformed DHCP");
        for (var frame : bb.received) {
            final var buf = Unpooled.wrappedBuffer(frame);
            assertNotEquals(Packets.Kind.DHCP_TO_SERVER, Packets.classify(buf), "no DHCP request was flooded");
        }
        assertNull(services.leaseOf("red", MAC_B));
    }
}
