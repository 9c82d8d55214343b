/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.impl.metrics;

import static java.util.Objects.requireNonNull;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.serval.api.ClientRegistry.VlanCounters;
import org.serval.dataplane.Bounds;
import org.serval.dataplane.session.Dataplane;

/**
 * SERVAL's metrics, read from the dataplane's own counters when Prometheus scrapes (nothing is counted for the
 * metrics themselves): the node's clients, sessions, logins and links to other nodes, each VLAN switch's members,
 * frames and bytes, and each client's traffic, for at most {@link Bounds#METRICS_CLIENT_SERIES} clients.
 * docs/operations.md, "Metrics", lists them.
 */
public final class ServalCollector implements MultiCollector {
    private static final String VLAN = "vlan";
    private static final String OUTCOME = "outcome";
    private static final String CLIENT = "client";
    private static final String DIRECTION = "direction";

    private final Dataplane dataplane;
    private final String nodeId;
    private final int clientSeries;

    public ServalCollector(final Dataplane dataplane, final String nodeId) {
        this(dataplane, nodeId, Bounds.METRICS_CLIENT_SERIES);
    }

    /**
     * A collector that gives at most {@code clientSeries} clients series of their own.
     */
    public ServalCollector(final Dataplane dataplane, final String nodeId, final int clientSeries) {
        this.dataplane = requireNonNull(dataplane);
        this.nodeId = requireNonNull(nodeId);
        this.clientSeries = clientSeries;
    }

    @Override
    public MetricSnapshots collect() {
        final var all = new ArrayList<MetricSnapshot>();
        node(all);
        vlans(all);
        clients(all);
        return new MetricSnapshots(all);
    }

    private void node(final List<MetricSnapshot> all) {
        all.add(gauge("serval_node_info", "This node's id, as a label; always 1", null,
            List.of(gaugePoint(Labels.of("node", nodeId), 1))));
        final var traffic = dataplane.clientTraffic();
        all.add(gauge("serval_clients", "Clients logged in to this node now", null,
            List.of(gaugePoint(Labels.EMPTY, traffic.size()))));
        final var byTransport = new TreeMap<String, Integer>(Map.of("tcp", 0, "udp", 0));
        traffic.forEach(client -> byTransport.merge(client.transport(), 1, Integer::sum));
        all.add(gauge("serval_sessions", "Client sessions on this node now, by transport", null,
            byTransport.entrySet().stream()
                .map(entry -> gaugePoint(Labels.of("transport", entry.getKey()), entry.getValue())).toList()));
        final var gatekeeper = dataplane.gatekeeper();
        all.add(counter("serval_logins", "Client logins let in since the node started", null,
            List.of(counterPoint(Labels.EMPTY, gatekeeper.admittedLogins()))));
        all.add(counter("serval_login_failures", "Client logins refused since the node started (credentials, "
            + "disabled users, limits)", null, List.of(counterPoint(Labels.EMPTY, gatekeeper.refusedLogins()))));
        final var links = dataplane.peerLinks();
        final var peers = links == null ? List.<String>of() : new ArrayList<>(new TreeSet<>(links.linkedPeers()));
        all.add(gauge("serval_node_links", "Links to other nodes of the cluster that are up now", null,
            List.of(gaugePoint(Labels.EMPTY, peers.size()))));
        all.add(gauge("serval_node_link_up", "1 for each other node this node has a link with now", null,
            peers.stream().map(peer -> gaugePoint(Labels.of("peer", peer), 1)).toList()));
        final var linkOctets = new ArrayList<CounterDataPointSnapshot>();
        if (links != null) {
            new TreeMap<>(links.linkTraffic()).forEach((peer, link) -> {
                linkOctets.add(counterPoint(Labels.of(DIRECTION, "out", "peer", peer), link.sentOctets()));
                linkOctets.add(counterPoint(Labels.of(DIRECTION, "in", "peer", peer), link.receivedOctets()));
            });
        }
        all.add(counter("serval_node_link", "Bytes of the frames a link to another node carried since it came up "
            + "(out: sent to that node)", Unit.BYTES, linkOctets));
        all.add(counter("serval_node_link_dropped_frames", "Frames that could not go to another node: its link was "
            + "congested or gone", null, List.of(counterPoint(Labels.EMPTY, links == null ? 0
                : links.droppedFrames()))));
    }

    private void vlans(final List<MetricSnapshot> all) {
        final var vlans = new TreeMap<>(dataplane.vlanCounters());
        final var members = new ArrayList<GaugeDataPointSnapshot>();
        final var groups = new ArrayList<GaugeDataPointSnapshot>();
        final var frames = new ArrayList<CounterDataPointSnapshot>();
        final var octets = new ArrayList<CounterDataPointSnapshot>();
        final var chatter = new ArrayList<CounterDataPointSnapshot>();
        final var chatterDropped = new ArrayList<CounterDataPointSnapshot>();
        vlans.forEach((vlan, counters) -> {
            members.add(gaugePoint(Labels.of(VLAN, vlan), counters.members()));
            groups.add(gaugePoint(Labels.of(VLAN, vlan), counters.groups()));
            frameOutcomes(vlan, counters, frames);
            octets.add(counterPoint(Labels.of(OUTCOME, "forwarded", VLAN, vlan), counters.forwardedOctets()));
            octets.add(counterPoint(Labels.of(OUTCOME, "flooded", VLAN, vlan), counters.floodedOctets()));
            octets.add(counterPoint(Labels.of(OUTCOME, "snooped", VLAN, vlan), counters.snoopedOctets()));
            counters.protocols().forEach((protocol, seen) -> {
                chatter.add(counterPoint(Labels.of("protocol", protocol, VLAN, vlan), seen.frames()));
                chatterDropped.add(counterPoint(Labels.of("protocol", protocol, "reason", "rate_limited", VLAN,
                    vlan), seen.rateLimited()));
                chatterDropped.add(counterPoint(Labels.of("protocol", protocol, "reason", "filtered", VLAN, vlan),
                    seen.dropped()));
            });
        });
        all.add(gauge("serval_vlan_members", "A VLAN's members on this node now (clients, not links to other "
            + "nodes)", null, members));
        all.add(gauge("serval_vlan_multicast_groups", "Multicast groups with at least one member, per VLAN", null,
            groups));
        all.add(counter("serval_vlan_frames", "Frames members sent into a VLAN's switch on this node, by what "
            + "became of them", null, frames));
        all.add(counter("serval_vlan", "Bytes (Ethernet frames) of the frames a VLAN's switch forwarded, flooded "
            + "or snooped, each frame counted once", Unit.BYTES, octets));
        all.add(counter("serval_vlan_chatter_frames", "Frames of each chatty protocol a VLAN's members sent", null,
            chatter));
        all.add(counter("serval_vlan_chatter_dropped_frames", "Frames of each chatty protocol the VLAN's chatter "
            + "policy dropped (rate_limited: faster than its rate; filtered: action drop)", null, chatterDropped));
    }

    private static void frameOutcomes(final String vlan, final VlanCounters counters,
            final List<CounterDataPointSnapshot> frames) {
        final var outcomes = new TreeMap<String, Long>();
        outcomes.put("forwarded", counters.forwarded());
        outcomes.put("flooded", counters.flooded());
        outcomes.put("snooped", counters.snooped());
        outcomes.put("answered", counters.answered());
        outcomes.put("filtered", counters.filtered());
        outcomes.put("rate_limited", counters.rateLimited());
        outcomes.put("storm_dropped", counters.stormDropped());
        outcomes.put("dropped", counters.dropped());
        outcomes.forEach((outcome, value) -> frames.add(counterPoint(Labels.of(OUTCOME, outcome, VLAN, vlan),
            value)));
    }

    private void clients(final List<MetricSnapshot> all) {
        final var traffic = new ArrayList<>(dataplane.clientTraffic());
        // The same clients get series scrape after scrape (the first ids in order), so that series do not flap.
        traffic.sort(Comparator.comparing(Dataplane.ClientTraffic::clientId));
        final var labelled = traffic.subList(0, Math.min(clientSeries, traffic.size()));
        final var frames = new ArrayList<CounterDataPointSnapshot>();
        final var octets = new ArrayList<CounterDataPointSnapshot>();
        final var discards = new ArrayList<CounterDataPointSnapshot>();
        for (var client : labelled) {
            final var counters = client.counters();
            final var in = Labels.of(CLIENT, client.clientId(), DIRECTION, "in");
            final var out = Labels.of(CLIENT, client.clientId(), DIRECTION, "out");
            frames.add(counterPoint(in, counters.inFrames()));
            frames.add(counterPoint(out, counters.outFrames()));
            octets.add(counterPoint(in, counters.inOctets()));
            octets.add(counterPoint(out, counters.outOctets()));
            discards.add(counterPoint(in, counters.inDiscards()));
            discards.add(counterPoint(out, counters.outDiscards()));
        }
        all.add(counter("serval_client_frames", "A client's frames since its session began (in: from the client "
            + "into the switch, out: to the client)", null, frames));
        all.add(counter("serval_client", "A client's bytes (Ethernet frames) since its session began", Unit.BYTES,
            octets));
        all.add(counter("serval_client_discarded_frames", "A client's frames discarded (in: not a member, storm "
            + "control, refused by the switch; out: the client could not take them)", null, discards));
        all.add(gauge("serval_metrics_unlabelled_clients", "Clients beyond the bound of per-client series, left out "
            + "of the serval_client_* metrics (VLAN and node metrics include them)", null,
            List.of(gaugePoint(Labels.EMPTY, traffic.size() - labelled.size()))));
    }

    private static GaugeSnapshot gauge(final String name, final String help, final Unit unit,
            final List<GaugeDataPointSnapshot> points) {
        final var builder = GaugeSnapshot.builder().name(name).help(help);
        if (unit != null) {
            builder.unit(unit);
        }
        points.forEach(builder::dataPoint);
        return builder.build();
    }

    private static CounterSnapshot counter(final String name, final String help, final Unit unit,
            final List<CounterDataPointSnapshot> points) {
        final var builder = CounterSnapshot.builder().name(unit == null ? name : name + "_" + unit).help(help);
        if (unit != null) {
            builder.unit(unit);
        }
        points.forEach(builder::dataPoint);
        return builder.build();
    }

    private static GaugeDataPointSnapshot gaugePoint(final Labels labels, final double value) {
        return GaugeDataPointSnapshot.builder().labels(labels).value(value).build();
    }

    private static CounterDataPointSnapshot counterPoint(final Labels labels, final double value) {
        return CounterDataPointSnapshot.builder().labels(labels).value(value).build();
    }
}
