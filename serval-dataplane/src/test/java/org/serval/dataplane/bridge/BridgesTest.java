/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.serval.api.FloodPolicy;
import org.serval.api.LocalVlanView;
import org.serval.api.VlanInfo;
import org.serval.dataplane.ethernet.Offload;
import org.serval.dataplane.protocol.LeakCheck;
import org.serval.dataplane.session.Dataplane;
import org.serval.dataplane.session.DataplaneSettings;
import org.serval.dataplane.session.TestUsers;
import org.serval.dataplane.session.ViewRegistry;
import org.serval.dataplane.switching.SwitchPort;

/**
 * Bridged interfaces on a real dataplane with interfaces made of queues: frames cross between an interface and the
 * members of its VLANs as between members, untagged on an access port and by their vids on a trunk (tags in the
 * kernel's metadata or in the frame), never into a VLAN the interface does not carry; an interface that goes away is
 * reported missing and attached again when it is back.
 */
@ExtendWith(LeakCheck.class)
class BridgesTest {
    private static final long HOST = 0x02_00_00_00_00_01L;
    private static final long MEMBER = 0x02_00_00_00_00_02L;
    private static final long BROADCAST = 0xFFFF_FFFF_FFFFL;

    private final LocalVlanView view = new LocalVlanView();
    private final Dataplane dataplane = new Dataplane(DataplaneSettings.defaults("n1"), view, new ViewRegistry(view),
        TestUsers.gatekeeper());
    private final FakeWires wires = new FakeWires();
    private final List<List<PortState>> reports = new CopyOnWriteArrayList<>();
    private final Bridges bridges = new Bridges(dataplane, wires, ByteBufAllocator.DEFAULT, reports::add);
    private final List<Member> members = new ArrayList<>();

    BridgesTest() {
        view.putVlan(new VlanInfo("red", 10, "", 256, false, null));
        view.putVlan(new VlanInfo("blue", 20, "", 256, false, null));
        view.putVlan(new VlanInfo("plain", 0, "", 256, false, null));
        bridges.vlans(Map.of("red", 10, "blue", 20, "plain", 0));
    }

    @AfterEach
    void close() throws InterruptedException {
        bridges.close();
        members.forEach(member -> dataplane.switchFor(member.vlan).detach(member));
        wires.wires.values().forEach(FakeWire::drain);
    }

    /**
     * A member of a VLAN, as far as the switch sees one: it keeps copies of what it gets.
     */
    private final class Member implements SwitchPort {
        final String vlan;
        final List<byte[]> got = new CopyOnWriteArrayList<>();

        Member(final String vlan, final long mac) {
            this.vlan = vlan;
            final var vlanSwitch = dataplane.switchFor(vlan);
            vlanSwitch.attach(this);
            vlanSwitch.learnAt(mac, this, System.nanoTime());
            members.add(this);
        }

        @Override
        public void deliver(final ByteBuf frame) {
            got.add(ByteBufUtil.getBytes(frame));
            frame.release();
        }

        @Override
        public String owner() {
            return "member of " + vlan;
        }

        void send(final ByteBuf frame) {
            dataplane.switchFor(vlan).receive(this, frame, System.nanoTime());
        }
    }

    private static final class FakeWire implements Wire {
        final BlockingQueue<Received> incoming = new LinkedBlockingQueue<>();
        volatile boolean breakOnce;
        final List<Sent> sent = new CopyOnWriteArrayList<>();
        final List<Set<Integer>> carried = new CopyOnWriteArrayList<>();
        volatile boolean closed;

        record Sent(byte[] frame, int vid) {
        }

        @Override
        public Received receive() throws java.io.IOException {
            if (closed) {
                throw new java.io.IOException("closed");
            }
            if (breakOnce) {
                breakOnce = false;
                throw new IllegalStateException("a bug met on the reader thread");
            }
            try {
                return incoming.poll(20, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }

        @Override
        public boolean send(final ByteBuf frame, final int vid) {
            sent.add(new Sent(ByteBufUtil.getBytes(frame), vid));
            return true;
        }

        @Override
        public void carry(final Set<Integer> vids) {
            carried.add(Set.copyOf(vids));
        }

        @Override
        public void close() {
            closed = true;
        }

        Set<Integer> filter() {
            return carried.isEmpty() ? null : carried.get(carried.size() - 1);
        }

        void drain() {
            for (var left = incoming.poll(); left != null; left = incoming.poll()) {
                if (left.frame() != null) {
                    left.frame().release();
                }
            }
        }
    }

    private static final class FakeWires implements Wires {
        final Map<String, Presence> present = new ConcurrentHashMap<>();
        final Map<String, FakeWire> wires = new ConcurrentHashMap<>();
        final List<String> opened = new CopyOnWriteArrayList<>();

        @Override
        public Presence presence(final String iface) {
            return present.getOrDefault(iface, Presence.MISSING);
        }

        @Override
        public Wire open(final String iface, final ByteBufAllocator alloc) {
            final var wire = new FakeWire();
            final var before = wires.put(iface, wire);
            if (before != null) {
                before.drain();
            }
            opened.add(iface);
            return wire;
        }

        FakeWire wire(final String iface) {
            return wires.get(iface);
        }
    }

    private static ByteBuf frame(final long dst, final long src, final int length) {
        final var frame = Unpooled.buffer(length);
        frame.writeShort((int) (dst >>> 32)).writeInt((int) dst);
        frame.writeShort((int) (src >>> 32)).writeInt((int) src);
        frame.writeShort(0x0800);
        frame.writeZero(length - frame.readableBytes());
        return frame;
    }

    private static ByteBuf tagged(final long dst, final long src, final int vid) {
        final var frame = Unpooled.buffer(64);
        frame.writeShort((int) (dst >>> 32)).writeInt((int) dst);
        frame.writeShort((int) (src >>> 32)).writeInt((int) src);
        frame.writeShort(0x8100).writeShort(vid).writeShort(0x0800);
        frame.writeZero(64 - frame.readableBytes());
        return frame;
    }

    private static void await(final BooleanSupplier condition, final String what) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 5 s: " + what);
            }
            Thread.sleep(5);
        }
    }

    private PortState state(final String iface) {
        return bridges.states().stream().filter(state -> state.iface().equals(iface)).findFirst().orElseThrow();
    }

    private void up(final String iface, final int index) {
        wires.present.put(iface, new Wires.Presence(true, true, index));
    }

    @Test
    void accessPortSwitchesUntaggedFramesBothWays() throws InterruptedException {
        up("veth0", 7);
        final var member = new Member("red", MEMBER);
        final var blue = new Member("blue", MEMBER + 1);
        bridges.configure(List.of(new BridgeConfig("veth0", BridgeConfig.Mode.ACCESS, List.of("red"))));
        bridges.flush();
        assertEquals(PortState.Status.UP, state("veth0").status());
        assertEquals(Map.of("red", 0), state("veth0").vlans());

        final var wire = wires.wire("veth0");
        assertEquals(Set.of(0), wire.filter(), "the kernel is told to pass untagged frames only");
        wire.incoming.add(new Wire.Received(frame(MEMBER, HOST, 60), Wire.Received.NO_TAG, null, false));
        await(() -> member.got.size() == 1, "the host's frame reaches the red member");
        // the switch learned the host behind the interface: the member's answer goes there, untagged
        member.send(frame(HOST, MEMBER, 60));
        await(() -> wire.sent.size() == 1, "the member's frame leaves on the interface");
        assertEquals(0, wire.sent.get(0).vid());
        assertEquals(HOST, org.serval.dataplane.ethernet.Macs.read(Unpooled.wrappedBuffer(wire.sent.get(0).frame()),
            0));

        // a tagged frame is no access port's: discarded, and never in blue
        wire.incoming.add(new Wire.Received(frame(BROADCAST, HOST, 60), 20, null, false));
        wire.incoming.add(new Wire.Received(frame(BROADCAST, HOST, 60), Wire.Received.NO_TAG, null, false));
        await(() -> member.got.size() == 2, "the untagged broadcast reaches red");
        bridges.flush();
        await(() -> state("veth0").counters().inDiscards() == 1, "the tagged frame counted as discarded");
        assertTrue(blue.got.isEmpty(), "blue got " + blue.got.size() + " frames");
        await(() -> state("veth0").counters().outOctets() == 60 || pollStates(), "out-octets counted");
        final var counters = state("veth0").counters();
        assertEquals(1, counters.inUnicast());
        assertEquals(1, counters.inBroadcast());
        assertEquals(1, counters.outUnicast());
    }

    @Test
    void trunkCarriesEachVlanByItsVid() throws InterruptedException {
        up("trunk0", 8);
        final var red = new Member("red", MEMBER);
        final var blue = new Member("blue", MEMBER + 1);
        bridges.configure(List.of(new BridgeConfig("trunk0", BridgeConfig.Mode.TRUNK,
            List.of("red", "blue", "plain"))));
        bridges.flush();
        final var state = state("trunk0");
        assertEquals(Map.of("red", 10, "blue", 20), state.vlans());
        assertTrue(state.reason().contains("plain"), state.reason());

        final var wire = wires.wire("trunk0");
        assertEquals(Set.of(10, 20), wire.filter(), "the kernel is told the vids carried");
        // vid 10 in the kernel's metadata, vid 20 still in the frame: both found
        wire.incoming.add(new Wire.Received(frame(BROADCAST, HOST, 60), 10, null, false));
        wire.incoming.add(new Wire.Received(tagged(BROADCAST, HOST + 1, 20), Wire.Received.NO_TAG, null, false));
        await(() -> red.got.size() == 1 && blue.got.size() == 1, "each VLAN gets its own frame");
        // the inline tag was taken out: blue's member gets an untagged frame of 60 bytes
        assertEquals(60, blue.got.get(0).length);
        assertEquals(0x0800, ((blue.got.get(0)[12] & 0xFF) << 8) | (blue.got.get(0)[13] & 0xFF));
        // untagged and unknown vids go nowhere
        wire.incoming.add(new Wire.Received(frame(BROADCAST, HOST, 60), Wire.Received.NO_TAG, null, false));
        wire.incoming.add(new Wire.Received(frame(BROADCAST, HOST, 60), 30, null, false));
        await(() -> state("trunk0").counters().inDiscards() == 2, "untagged and vid 30 discarded");
        assertEquals(1, red.got.size());
        assertEquals(1, blue.got.size());

        red.send(frame(HOST, MEMBER, 60));
        blue.send(frame(BROADCAST, MEMBER + 1, 60));
        await(() -> wire.sent.size() == 2, "both members' frames leave on the trunk");
        assertEquals(List.of(10, 20), wire.sent.stream().map(FakeWire.Sent::vid).sorted().toList());
        // each with its tag's 4 bytes
        await(() -> state("trunk0").counters().outOctets() == 64 + 64 || pollStates(), "out-octets counted");
    }

    @Test
    void vidChangesAndDeletedVlansFollow() throws InterruptedException {
        up("trunk0", 8);
        bridges.configure(List.of(new BridgeConfig("trunk0", BridgeConfig.Mode.TRUNK, List.of("red", "blue"))));
        // blue takes red's vid (the vid check keeps this out of the datastore; a node still never mixes them)
        bridges.vlans(Map.of("red", 10, "blue", 10));
        bridges.flush();
        assertEquals(Map.of("red", 10), state("trunk0").vlans());
        assertEquals(Set.of(10), wires.wire("trunk0").filter());
        bridges.vlans(Map.of("blue", 30));
        bridges.flush();
        assertEquals(Map.of("blue", 30), state("trunk0").vlans());
        assertEquals(Set.of(30), wires.wire("trunk0").filter(), "the filter follows the vids");
        assertEquals(0, dataplane.switchFor("red").memberCount());
        assertEquals(1, dataplane.switchFor("blue").memberCount());
    }

    @Test
    void oversizedFramesAreErrorsAndOffloadedOnesPass() throws InterruptedException {
        up("veth0", 7);
        final var member = new Member("red", MEMBER);
        bridges.configure(List.of(new BridgeConfig("veth0", BridgeConfig.Mode.ACCESS, List.of("red"))));
        bridges.flush();
        final var wire = wires.wire("veth0");
        wire.incoming.add(new Wire.Received(frame(MEMBER, HOST, 1519), Wire.Received.NO_TAG, null, false));
        wire.incoming.add(new Wire.Received(null, Wire.Received.NO_TAG, null, true));
        await(() -> state("veth0").counters().inErrors() == 2 || pollStates(), "too long and truncated: errors");
        assertTrue(member.got.isEmpty());
        // a frame whose checksum the sending host's kernel left undone: passes with its offload header, and the
        // member (which takes no offload) gets it completed
        final var partial = frame(MEMBER, HOST, 14 + 20 + 8 + 10);
        partial.setByte(14, 0x45);
        partial.setByte(14 + 9, 17);
        wire.incoming.add(new Wire.Received(partial, Wire.Received.NO_TAG,
            new Offload(Offload.NEEDS_CSUM, Offload.GSO_NONE, 0, 0, 34, 6), false));
        await(() -> member.got.size() == 1, "the offloaded frame reaches the member");
    }

    private boolean pollStates() {
        try {
            bridges.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    @Test
    void aMissingInterfaceIsReportedAndAttachedAgainWhenItIsBack() throws InterruptedException {
        final var member = new Member("red", MEMBER);
        bridges.configure(List.of(new BridgeConfig("veth0", BridgeConfig.Mode.ACCESS, List.of("red"))));
        bridges.flush();
        assertEquals(PortState.Status.MISSING, state("veth0").status());
        assertEquals(1, dataplane.switchFor("red").memberCount(), "no port in the switch for a missing interface");

        up("veth0", 7);
        bridges.configure(List.of(new BridgeConfig("veth0", BridgeConfig.Mode.ACCESS, List.of("red"))));
        bridges.flush();
        assertEquals(PortState.Status.UP, state("veth0").status());
        assertEquals(2, dataplane.switchFor("red").memberCount());

        // deleted and made again between two looks: a new ifindex, so it is opened again
        wires.present.put("veth0", new Wires.Presence(true, true, 9));
        bridges.vlans(Map.of("red", 10));
        bridges.flush();
        assertEquals(2, wires.opened.size());
        final var wire = wires.wire("veth0");
        wire.incoming.add(new Wire.Received(frame(MEMBER, HOST, 60), Wire.Received.NO_TAG, null, false));
        await(() -> member.got.size() == 1, "frames flow on the new interface");

        wires.present.remove("veth0");
        bridges.vlans(Map.of("red", 10));
        bridges.flush();
        assertEquals(PortState.Status.MISSING, state("veth0").status());
        assertEquals(1, dataplane.switchFor("red").memberCount());
        assertTrue(reports.stream().anyMatch(list -> list.get(0).status() == PortState.Status.MISSING));

        wires.present.put("veth0", new Wires.Presence(true, false, 11));
        bridges.vlans(Map.of("red", 10));
        bridges.flush();
        assertEquals(PortState.Status.DOWN, state("veth0").status());
    }

    @Test
    void stormControlHoldsTheInterfacesBroadcasts() throws InterruptedException {
        view.putVlan(new VlanInfo("red", 10, "", 256, false, null, new FloodPolicy(FloodPolicy.Action.RATE_LIMIT,
            FloodPolicy.Action.RATE_LIMIT, 5), org.serval.api.ChatterPolicy.DEFAULT));
        up("veth0", 7);
        final var member = new Member("red", MEMBER);
        bridges.configure(List.of(new BridgeConfig("veth0", BridgeConfig.Mode.ACCESS, List.of("red"))));
        bridges.flush();
        final var wire = wires.wire("veth0");
        for (int i = 0; i < 50; i++) {
            wire.incoming.add(new Wire.Received(frame(BROADCAST, HOST, 60), Wire.Received.NO_TAG, null, false));
        }
        await(() -> wire.incoming.isEmpty() && state("veth0").counters().inDiscards()
            + state("veth0").counters().inBroadcast() == 50 || pollStates(), "all 50 looked at");
        assertTrue(member.got.size() < 50, "storm control let all " + member.got.size() + " through");
        assertTrue(member.got.size() >= 1);
    }

    @Test
    void aPortIsNamedAsAClientIdAndAReaderThatDiesIsOpenedAgain() throws InterruptedException {
        up("veth0", 7);
        final var member = new Member("red", MEMBER);
        final var owners = new CopyOnWriteArrayList<String>();
        dataplane.switchFor("red").serveWith((vlanSwitch, from, frame, nowNanos) -> {
            owners.add(from.owner());
            return org.serval.dataplane.switching.FrameService.Verdict.PASS;
        });
        bridges.configure(List.of(new BridgeConfig("veth0", BridgeConfig.Mode.ACCESS, List.of("red"))));
        bridges.flush();
        final var wire = wires.wire("veth0");
        wire.incoming.add(new Wire.Received(frame(MEMBER, HOST, 60), Wire.Received.NO_TAG, null, false));
        await(() -> member.got.size() == 1, "the host's frame reaches the member");
        // a DHCP lease records it as the client-id of the port it was given to: YANG's pattern, no spaces
        assertEquals("bridge:veth0", owners.get(0));
        assertTrue(owners.get(0).matches("[A-Za-z0-9][A-Za-z0-9._:@-]*"), owners.get(0));

        wire.breakOnce = true;
        // each look at the interfaces (a change of the VLANs makes one) opens it again once its reader died
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (wires.opened.size() < 2 && System.nanoTime() < deadline) {
            bridges.vlans(Map.of("red", 10, "blue", 20, "plain", 0));
            bridges.flush();
        }
        assertEquals(2, wires.opened.size(), "opened again after the reader died");
        wires.wire("veth0").incoming.add(new Wire.Received(frame(MEMBER, HOST, 60), Wire.Received.NO_TAG, null,
            false));
        await(() -> member.got.size() == 2, "frames flow again");
    }
}
