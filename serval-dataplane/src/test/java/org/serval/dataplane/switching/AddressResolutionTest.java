/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.switching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.serval.dataplane.resolution.Frames.v4;
import static org.serval.dataplane.resolution.Frames.v6;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.serval.dataplane.protocol.LeakCheck;
import org.serval.dataplane.resolution.Frames;
import org.serval.dataplane.resolution.IpAddress;
import org.serval.dataplane.resolution.NeighborPackets;
import org.serval.dataplane.resolution.NeighborPackets.Kind;
import org.slf4j.LoggerFactory;

/**
 * The switch answering ARP and neighbour solicitations itself, and how much flooding that saves.
 */
@ExtendWith(LeakCheck.class)
class AddressResolutionTest {
    private static final long SECOND = 1_000_000_000L;

    /**
     * A member that keeps what it was sent, decoded enough to tell questions from answers.
     */
    private static final class Host implements SwitchPort {
        final long mac;
        final int ip;
        final List<NeighborPackets.Observation> seen = new ArrayList<>();
        int frames;

        Host(final int index) {
            mac = 0x020000000000L + index;
            ip = v4(10, 0, index >>> 8, index & 0xFF);
        }

        @Override
        public void deliver(final ByteBuf frame) {
            try {
                frames++;
                final var observation = NeighborPackets.inspect(frame);
                if (observation != null) {
                    seen.add(observation);
                }
            } finally {
                frame.release();
            }
        }

        @Override
        public String owner() {
            return Long.toHexString(mac);
        }
    }

    private static List<Host> hosts(final VlanSwitch vlanSwitch, final int count) {
        final var hosts = new ArrayList<Host>();
        for (int i = 1; i <= count; i++) {
            final var host = new Host(i);
            vlanSwitch.attach(host);
            hosts.add(host);
        }
        return hosts;
    }

    private static VlanSwitch newSwitch(final boolean answering) {
        return new VlanSwitch("red", 1024, 64, 300 * SECOND, answering);
    }

    @Test
    void aKnownAddressIsAnsweredToTheAskerOnly() {
        final var red = newSwitch(true);
        final var hosts = hosts(red, 3);
        final var a = hosts.get(0);
        final var b = hosts.get(1);
        final var c = hosts.get(2);
        // a asks for b: nobody knows b yet, so the question floods; b answers a
        red.receive(a, Frames.arpRequest(a.mac, a.ip, b.ip), 0);
        assertEquals(1, b.frames);
        assertEquals(1, c.frames);
        red.receive(b, Frames.arpReply(b.mac, b.ip, a.mac, a.ip), 0);

        // c asks for b: the switch answers as b would, and neither a nor b hears the question
        red.receive(c, Frames.arpRequest(c.mac, c.ip, b.ip), SECOND);
        assertEquals(1, b.frames);
        assertEquals(1, a.frames);
        assertEquals(List.of(new NeighborPackets.Observation(Kind.ARP_ANNOUNCE, IpAddress.v4(b.ip), b.mac, null,
            false)), c.seen.subList(1, 2));
        assertEquals(1, red.answeredQuestions());
        assertEquals(b.mac, red.resolve(IpAddress.v4(b.ip), SECOND));

        // b leaves: nobody answers for a host that is gone, the question floods again
        red.detach(b);
        red.receive(c, Frames.arpRequest(c.mac, c.ip, b.ip), 2 * SECOND);
        assertEquals(2, a.frames);
        assertEquals(-1, red.resolve(IpAddress.v4(b.ip), 2 * SECOND));
    }

    @Test
    void neighbourSolicitationsAreAnsweredWithTheOwnersRouterFlag() {
        final var red = newSwitch(true);
        final var hosts = hosts(red, 3);
        final var a = hosts.get(0);
        final var router = hosts.get(1);
        final var c = hosts.get(2);
        final var ipA = v6("fd00::a");
        final var ipR = v6("fd00::1");
        red.receive(a, Frames.solicitation(a.mac, ipA, ipR), 0);
        assertEquals(1, c.frames, "unknown: flooded");
        red.receive(router, Frames.advertisement(router.mac, ipR, a.mac, ipA, true), 0);

        red.receive(c, Frames.solicitation(c.mac, v6("fd00::c"), ipR), SECOND);
        assertEquals(new NeighborPackets.Observation(Kind.ND_ANSWER, ipR, router.mac, null, true), c.seen.get(1));
        assertEquals(1, router.frames, "the router heard only a's question");

        // duplicate address detection is never answered by the switch: only the owner may object
        red.receive(c, Frames.solicitation(c.mac, v6("::"), ipR), 2 * SECOND);
        assertEquals(2, router.frames);
    }

    @Test
    void answeringCanBeTurnedOff() {
        final var red = newSwitch(false);
        final var hosts = hosts(red, 3);
        red.receive(hosts.get(1), Frames.arpReply(hosts.get(1).mac, hosts.get(1).ip, hosts.get(0).mac,
            hosts.get(0).ip), 0);
        red.receive(hosts.get(2), Frames.arpRequest(hosts.get(2).mac, hosts.get(2).ip, hosts.get(1).ip), 0);
        assertEquals(1, hosts.get(1).frames, "flooded as any switch would");
        assertEquals(0, red.answeredQuestions());
    }

    /**
     * Every host of a VLAN resolves every other, as in a game lobby where everyone talks to everyone. Each host
     * behaves as a kernel does: it asks for an address it has no entry for, and an ARP request it receives gives
     * it the asker's binding (RFC 826), so it need not ask back. Counted: the ARP requests delivered to members.
     */
    private static long floodedQuestions(final boolean answering, final int count) {
        final var red = newSwitch(answering);
        final var hosts = hosts(red, count);
        final var known = new java.util.HashSet<String>();
        long now = 0;
        for (var asker : hosts) {
            for (var target : hosts) {
                if (asker == target || known.contains(asker.mac + ">" + target.ip)) {
                    continue;
                }
                final var before = hosts.stream().mapToInt(host -> host.seen.size()).toArray();
                red.receive(asker, Frames.arpRequest(asker.mac, asker.ip, target.ip), now++);
                known.add(asker.mac + ">" + target.ip);
                for (int i = 0; i < count; i++) {
                    // whoever heard the question now knows the asker
                    if (hosts.get(i).seen.size() > before[i]) {
                        known.add(hosts.get(i).mac + ">" + asker.ip);
                    }
                }
                if (target.seen.size() > before[hosts.indexOf(target)]) {
                    red.receive(target, Frames.arpReply(target.mac, target.ip, asker.mac, asker.ip), now++);
                }
            }
        }
        long questions = 0;
        for (var host : hosts) {
            questions += host.seen.stream().filter(o -> o.kind() == Kind.ARP_QUESTION).count();
        }
        return questions;
    }

    @Test
    void answeringRemovesMostOfTheBroadcastOfAFullMesh() {
        final int count = 32;
        final long flooding = floodedQuestions(false, count);
        final long answering = floodedQuestions(true, count);
        final double saved = 1 - (double) answering / flooding;
        LoggerFactory.getLogger(AddressResolutionTest.class).info("Full mesh of {} hosts: {} ARP requests delivered"
            + " when flooded, {} when the switch answers ({}% less)", count, flooding, answering,
            Math.round(saved * 1000) / 10.0);
        assertTrue(saved > 0.9, flooding + " flooded, " + answering + " answering");
    }
}
