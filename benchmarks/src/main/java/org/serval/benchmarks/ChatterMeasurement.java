/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.benchmarks;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.serval.api.ChatterPolicy;
import org.serval.dataplane.multicast.ChattyProtocols;
import org.serval.dataplane.multicast.VlanChatter;
import org.serval.dataplane.switching.SwitchPort;
import org.serval.dataplane.switching.VlanSwitch;

/**
 * How much broadcast and multicast each member of a VLAN receives from the usual chatter of its hosts, with a plain
 * flooding switch and with SERVAL's defaults (ARP and ND answered by the switch, solicited-node multicast to the
 * owner, IGMP and MLD snooping with the switch's querier, the default chatter policy with the switch's mDNS answer
 * cache), as the VLAN grows.
 *
 * <p>A simulation in simulated time, not a timing: the real {@link VlanSwitch} and {@link VlanChatter} switch real
 * frames, and simulated hosts send and answer them as kernels and common daemons do, at these rates per host:
 * an ARP request for a random peer every 30 s and an IPv6 neighbour solicitation (to the peer's solicited-node
 * group) every 30 s, each answered by the owner; an mDNS query over IPv4 and one over IPv6 every 60 s (a PTR
 * question for one of four service types, chosen at random), each answered by a random peer, if that peer heard
 * it, with a multicast response naming its instance of the type (TTL 4500 s); an SSDP M-SEARCH every 120 s (a
 * quarter of the hosts are UPnP devices that listen to the SSDP group); a NetBIOS name query broadcast every
 * 120 s; a DHCP request broadcast every 1800 s.
 * Every host listens to mDNS (IPv4 and IPv6) and to its solicited-node group, reports its groups when it comes up
 * and when queried, as Linux does. Phases are random (a fixed seed), so hosts do not speak in step.
 *
 * <p>Run: {@code benchmarks/bin/chatter [SECONDS] [MEMBERS ...]}; prints one line per VLAN size and mode.
 */
public final class ChatterMeasurement {
    private static final long SECOND = 1_000_000_000L;
    private static final long TICK = SECOND / 10;
    private static final long SWEEP = 5 * SECOND;
    private static final int WARMUP_SECONDS = 300;
    private static final int MDNS4 = 0xE00000FB;
    private static final int SSDP4 = 0xEFFFFFFA;
    private static final long MDNS6_LOW = 0xFB;
    private static final long SSDP6_LOW = 0x0C;
    private static final long LINK_LOCAL_MULTICAST = 0xFF02_0000_0000_0000L;
    private static final String[] SERVICE_TYPES = {"_ipp._tcp.local", "_http._tcp.local", "_airplay._tcp.local",
        "_googlecast._tcp.local"};
    private static final int PTR = 12;

    /**
     * What the members received on average, per member and second.
     *
     * @param groupFrames broadcast and multicast frames
     * @param neighbor of which ARP and neighbour discovery
     * @param mdns of which mDNS
     * @param otherDiscovery of which SSDP, NetBIOS and DHCP
     * @param allFrames every frame, unicast included
     */
    public record Result(int members, boolean serval, double groupFrames, double neighbor, double mdns,
            double otherDiscovery, double allFrames) {
    }

    /**
     * One simulated host: its addresses, and what it received in the measured window.
     */
    private final class Host implements SwitchPort {
        final int index;
        final long mac;
        final int ip;
        final long ip6Low;
        final boolean ssdpListener;
        long groupReceived;
        long neighborReceived;
        long mdnsReceived;
        long otherReceived;
        long allReceived;
        // mDNS queries this host's stack heard (measured or not): a host answers only what it heard
        long queriesHeard;

        Host(final int index) {
            this.index = index;
            mac = 0x020000000000L | index + 1;
            ip = 0x0A000000 | index + 1;
            ip6Low = 0x1000L + index;
            ssdpListener = index % 4 == 0;
        }

        @Override
        public void deliver(final ByteBuf frame) {
            try {
                if (measuring) {
                    allReceived++;
                    if ((frame.getByte(frame.readerIndex()) & 1) != 0) {
                        groupReceived++;
                        count(this, frame);
                    }
                }
                if (isMdnsQuery(frame)) {
                    queriesHeard++;
                }
                react(this, frame);
            } finally {
                frame.release();
            }
        }

        @Override
        public String owner() {
            return "host" + index;
        }
    }

    private final int memberCount;
    private final boolean serval;
    private final VlanSwitch vlanSwitch;
    private final VlanChatter chatter;
    private final List<Host> hosts = new ArrayList<>();
    private final ArrayDeque<Object[]> pending = new ArrayDeque<>();
    private final Random random = new Random(20261130L);
    private boolean measuring;
    private long now = SECOND;

    private ChatterMeasurement(final int memberCount, final boolean serval) {
        this.memberCount = memberCount;
        this.serval = serval;
        vlanSwitch = new VlanSwitch("chatter", 4096, 64, 300 * SECOND, serval);
        chatter = serval ? new VlanChatter(vlanSwitch, () -> ChatterPolicy.DEFAULT) : null;
        vlanSwitch.filterWith(chatter);
        for (int i = 0; i < memberCount; i++) {
            final var host = new Host(i);
            hosts.add(host);
            vlanSwitch.attach(host);
        }
    }

    /**
     * Simulates a VLAN of {@code members} hosts for a warm-up and then {@code seconds}, and returns what each
     * member received during those seconds.
     */
    public static Result measure(final int members, final boolean serval, final int seconds) {
        return new ChatterMeasurement(members, serval).run(seconds);
    }

    private Result run(final int seconds) {
        // when each host next sends each kind of chatter: random phases
        final long[][] next = new long[memberCount][Kind.values().length];
        for (var host : hosts) {
            for (var kind : Kind.values()) {
                next[host.index][kind.ordinal()] = now + (long) (random.nextDouble() * kind.period * SECOND);
            }
            // a host that comes up reports its groups unasked
            send(host, igmpReport(host));
            send(host, mldReport(host));
        }
        final long warmEnd = now + WARMUP_SECONDS * SECOND;
        final long end = warmEnd + seconds * SECOND;
        long nextSweep = now;
        for (; now < end; now += TICK) {
            measuring = now >= warmEnd;
            if (chatter != null && now >= nextSweep) {
                chatter.tick(now);
                vlanSwitch.expire(now);
                drain();
                nextSweep += SWEEP;
            }
            for (var host : hosts) {
                for (var kind : Kind.values()) {
                    if (now >= next[host.index][kind.ordinal()]) {
                        next[host.index][kind.ordinal()] += kind.period * SECOND;
                        chatter(host, kind);
                    }
                }
            }
            drain();
        }
        long group = 0;
        long neighbor = 0;
        long mdns = 0;
        long other = 0;
        long all = 0;
        for (var host : hosts) {
            group += host.groupReceived;
            neighbor += host.neighborReceived;
            mdns += host.mdnsReceived;
            other += host.otherReceived;
            all += host.allReceived;
        }
        final double perMemberSecond = (double) memberCount * seconds;
        return new Result(memberCount, serval, group / perMemberSecond, neighbor / perMemberSecond,
            mdns / perMemberSecond, other / perMemberSecond, all / perMemberSecond);
    }

    private enum Kind {
        ARP(30), ND(30), MDNS4(60), MDNS6(60), SSDP(120), NETBIOS(120), DHCP(1800);

        final int period;

        Kind(final int period) {
            this.period = period;
        }
    }

    private Host peerOf(final Host host) {
        final int other = random.nextInt(memberCount - 1);
        return hosts.get(other >= host.index ? other + 1 : other);
    }

    private void chatter(final Host host, final Kind kind) {
        switch (kind) {
            case ARP -> send(host, arp(1, host.mac, ChatterFrames.BROADCAST, host.ip, 0, peerOf(host).ip));
            case ND -> {
                final var peer = peerOf(host);
                send(host, icmpv6(0x3333FF000000L | peer.ip6Low & 0xFFFFFF, host.mac, global(host.ip6Low),
                    LINK_LOCAL_MULTICAST, 0x1FF000000L | peer.ip6Low & 0xFFFFFF, 135, 0, peer.ip6Low, host.mac));
            }
            case MDNS4, MDNS6 -> {
                final boolean v6 = kind == Kind.MDNS6;
                final var type = SERVICE_TYPES[random.nextInt(SERVICE_TYPES.length)];
                final var peer = peerOf(host);
                final long heard = peer.queriesHeard;
                send(host, mdns(host, v6, mdnsQuery(type)));
                if (peer.queriesHeard > heard) {
                    send(peer, mdns(peer, v6, mdnsResponse(type, "host" + peer.index)));
                }
            }
            case SSDP -> send(host, udp4(host.mac, groupMac(SSDP4), host.ip, SSDP4, 50000, 1900, 120));
            case NETBIOS -> send(host, udp4(host.mac, ChatterFrames.BROADCAST, host.ip, 0x0AFFFFFF, 137, 137, 50));
            case DHCP -> send(host, udp4(host.mac, ChatterFrames.BROADCAST, 0, -1, 68, 67, 300));
            default -> throw new IllegalStateException();
        }
    }

    /**
     * What a host's kernel does with a frame: answers ARP and ND for its addresses, reports its groups when queried.
     */
    private void react(final Host host, final ByteBuf frame) {
        final int at = frame.readerIndex();
        final int type = frame.getUnsignedShort(at + 12);
        if (type == 0x0806 && frame.getUnsignedShort(at + 20) == 1 && frame.getInt(at + 38) == host.ip) {
            final long asker = ChatterFrames.mac(frame, at + 22);
            pending.add(new Object[] {host, arp(2, host.mac, asker, host.ip, asker, frame.getInt(at + 28))});
        } else if (type == 0x0800 && frame.getUnsignedByte(at + 23) == 2
                && frame.getUnsignedByte(at + 14 + (frame.getUnsignedByte(at + 14) & 0xF) * 4) == 0x11) {
            pending.add(new Object[] {host, igmpReport(host)});
        } else if (type == 0x86DD) {
            final int next = frame.getUnsignedByte(at + 20);
            if (next == 58 && frame.getUnsignedByte(at + 54) == 135 && frame.getLong(at + 62) == 0x20010DB8L << 32
                    && frame.getLong(at + 70) == host.ip6Low) {
                final long asker = ChatterFrames.mac(frame, at + 6);
                pending.add(new Object[] {host, icmpv6(asker, host.mac, global(host.ip6Low), 0x20010DB8L << 32,
                    frame.getLong(at + 30), 136, 0x60, host.ip6Low, host.mac)});
            } else if (next == 0 && frame.getUnsignedByte(at + 62) == 130) {
                pending.add(new Object[] {host, mldReport(host)});
            }
        }
    }

    private static boolean isMdnsQuery(final ByteBuf frame) {
        if (ChattyProtocols.classify(frame) != ChatterPolicy.Protocol.MDNS) {
            return false;
        }
        final int at = frame.readerIndex();
        final int dns = at + 14 + (frame.getUnsignedShort(at + 12) == 0x86DD ? 40 : 20) + 8;
        return frame.writerIndex() >= dns + 12 && (frame.getUnsignedShort(dns + 2) & 0x8000) == 0;
    }

    private ByteBuf mdns(final Host host, final boolean v6, final byte[] dns) {
        final var frame = v6 ? udp6(host, MDNS6_LOW, 5353, 5353, dns.length)
            : udp4(host.mac, groupMac(MDNS4), host.ip, MDNS4, 5353, 5353, dns.length);
        frame.setBytes(frame.writerIndex() - dns.length, dns);
        return frame;
    }

    private static void writeName(final ByteBuf out, final String dotted) {
        for (var label : dotted.split("\\.")) {
            out.writeByte(label.length()).writeCharSequence(label, java.nio.charset.StandardCharsets.US_ASCII);
        }
        out.writeByte(0);
    }

    private static byte[] bytes(final ByteBuf out) {
        final var bytes = new byte[out.readableBytes()];
        out.readBytes(bytes);
        out.release();
        return bytes;
    }

    /**
     * A PTR question for a service type, from port 5353 and without known answers (a browser's first query).
     */
    private static byte[] mdnsQuery(final String type) {
        final var out = Unpooled.buffer();
        out.writeShort(0).writeShort(0).writeShort(1).writeShort(0).writeShort(0).writeShort(0);
        writeName(out, type);
        out.writeShort(PTR).writeShort(1);
        return bytes(out);
    }

    /**
     * A response with one PTR record: the type's instance on this host, its name compressed against the type.
     */
    private static byte[] mdnsResponse(final String type, final String instance) {
        final var out = Unpooled.buffer();
        out.writeShort(0).writeShort(0x8400).writeShort(0).writeShort(1).writeShort(0).writeShort(0);
        writeName(out, type);
        out.writeShort(PTR).writeShort(1).writeInt(4500).writeShort(instance.length() + 3);
        out.writeByte(instance.length()).writeCharSequence(instance, java.nio.charset.StandardCharsets.US_ASCII);
        out.writeShort(0xC000 | 12);
        return bytes(out);
    }

    private static void count(final Host host, final ByteBuf frame) {
        final int at = frame.readerIndex();
        final int type = frame.getUnsignedShort(at + 12);
        final var protocol = ChattyProtocols.classify(frame);
        if (type == 0x0806 || type == 0x86DD && frame.getUnsignedByte(at + 20) == 58
                && (frame.getUnsignedByte(at + 54) == 135 || frame.getUnsignedByte(at + 54) == 136)) {
            host.neighborReceived++;
        } else if (protocol == ChatterPolicy.Protocol.MDNS) {
            host.mdnsReceived++;
        } else if (protocol != null) {
            host.otherReceived++;
        }
    }

    private void send(final Host host, final ByteBuf frame) {
        pending.add(new Object[] {host, frame});
        drain();
    }

    private void drain() {
        // replies are sent after the frame that caused them has been switched, as a host's kernel would
        Object[] item;
        while ((item = pending.poll()) != null) {
            vlanSwitch.receive((Host) item[0], (ByteBuf) item[1], now);
        }
    }

    private static long[] global(final long low) {
        return new long[] {0x20010DB8L << 32, low};
    }

    private static long groupMac(final int group) {
        return 0x01005E000000L | group & 0x7FFFFF;
    }

    private ByteBuf igmpReport(final Host host) {
        final int[] groups = host.ssdpListener ? new int[] {MDNS4, SSDP4} : new int[] {MDNS4};
        return ChatterFrames.igmpV3Report(host.mac, host.ip, groups);
    }

    private ByteBuf mldReport(final Host host) {
        final var groups = new ArrayList<long[]>();
        groups.add(new long[] {LINK_LOCAL_MULTICAST, MDNS6_LOW});
        groups.add(new long[] {LINK_LOCAL_MULTICAST, 0x1FF000000L | host.ip6Low & 0xFFFFFF});
        if (host.ssdpListener) {
            groups.add(new long[] {LINK_LOCAL_MULTICAST, SSDP6_LOW});
        }
        return ChatterFrames.mldV2Report(host.mac, global(host.ip6Low), groups);
    }

    private static ByteBuf arp(final int op, final long ethSrc, final long ethDst, final int senderIp,
            final long targetMac, final int targetIp) {
        final var frame = Unpooled.buffer(42);
        ChatterFrames.writeMac(frame, ethDst);
        ChatterFrames.writeMac(frame, ethSrc);
        frame.writeShort(0x0806).writeShort(1).writeShort(0x0800).writeByte(6).writeByte(4).writeShort(op);
        ChatterFrames.writeMac(frame, ethSrc);
        frame.writeInt(senderIp);
        ChatterFrames.writeMac(frame, targetMac);
        frame.writeInt(targetIp);
        return frame;
    }

    private static ByteBuf udp4(final long srcMac, final long dstMac, final int srcIp, final int dstIp,
            final int srcPort, final int dstPort, final int payload) {
        final var frame = ChatterFrames.ipv4(srcMac, dstMac, srcIp, dstIp, 17, 8 + payload);
        frame.writeShort(srcPort).writeShort(dstPort).writeShort(8 + payload).writeShort(0).writeZero(payload);
        return frame;
    }

    private static ByteBuf udp6(final Host host, final long groupLow, final int srcPort, final int dstPort,
            final int payload) {
        final var frame = ChatterFrames.ipv6(host.mac, 0x333300000000L | groupLow, global(host.ip6Low),
            new long[] {LINK_LOCAL_MULTICAST, groupLow}, 17, 8 + payload, false);
        frame.writeShort(srcPort).writeShort(dstPort).writeShort(8 + payload).writeShort(0).writeZero(payload);
        return frame;
    }

    /**
     * A neighbour solicitation or advertisement with a link-layer address option.
     */
    private static ByteBuf icmpv6(final long ethDst, final long ethSrc, final long[] src, final long dstHigh,
            final long dstLow, final int type, final int flags, final long targetLow, final long optionMac) {
        final var frame = ChatterFrames.ipv6(ethSrc, ethDst, src, new long[] {dstHigh, dstLow}, 58, 32, false);
        final int icmp = frame.writerIndex();
        frame.writeByte(type).writeByte(0).writeShort(0).writeByte(flags).writeZero(3);
        frame.writeLong(0x20010DB8L << 32).writeLong(targetLow);
        frame.writeByte(type == 135 ? 1 : 2).writeByte(1);
        ChatterFrames.writeMac(frame, optionMac);
        frame.setShort(icmp + 2, ChatterFrames.icmpv6Checksum(frame, icmp, 32));
        return frame;
    }

    /**
     * Prints the table: {@code [SECONDS] [MEMBERS ...]}.
     */
    @SuppressWarnings("checkstyle:RegexpSinglelineJava")
    public static void main(final String[] args) {
        final int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 600;
        final var sizes = new ArrayList<Integer>();
        for (int i = 1; i < args.length; i++) {
            sizes.add(Integer.parseInt(args[i]));
        }
        if (sizes.isEmpty()) {
            sizes.addAll(List.of(8, 16, 32, 64));
        }
        System.out.println("| members | switch | bc+mc / member / s | ARP+ND | mDNS | SSDP+NetBIOS+DHCP "
            + "| IGMP+MLD | all frames / member / s |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        for (int members : sizes) {
            for (boolean serval : new boolean[] {false, true}) {
                final var result = measure(members, serval, seconds);
                System.out.println(String.format(Locale.ROOT, "| %d | %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f |",
                    members, serval ? "SERVAL defaults" : "flooding", result.groupFrames(), result.neighbor(),
                    result.mdns(), result.otherDiscovery(),
                    Math.max(0, result.groupFrames() - result.neighbor() - result.mdns() - result.otherDiscovery()),
                    result.allFrames()));
            }
        }
    }
}
