/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.cli;

import static org.opendaylight.mdsal.common.api.LogicalDatastoreType.OPERATIONAL;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.CommandException;
import org.apache.karaf.shell.support.table.ShellTable;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.nodes.Node;

@Service
@Command(scope = "serval", name = "cluster-status",
    description = "Shows the cluster at a glance, one line per member: its address, how many shard replicas it leads "
        + "and follows, its clients, load and certificate fingerprint; then each shard replica on this member, its "
        + "role (Leader, Follower, Candidate) and who leads the shard.")
public class ClusterStatusCommand extends DatastoreAction {
    /** Where the datastore registers its MBeans: one per shard replica on this member, and its shard managers. */
    private static final String CONTROLLER = "org.opendaylight.controller:*";
    /** One entry of a replica's PeerVotingStates, {@code member-2-shard-default-config: true}. */
    private static final Pattern VOTER = Pattern.compile("([^\\s,:=]+?)-shard-[^\\s,:=]+\\s*[:=]\\s*(true|false)");
    /** Members in a natural order: member-2 before member-10. */
    private static final Comparator<String> BY_NAME = Comparator.comparingInt(String::length)
        .thenComparing(Comparator.naturalOrder());

    /**
     * One replica on this member: its datastore, role, the member that leads the shard, this member, and every
     * member with a voting replica of the shard (this one included), as this replica knows them.
     */
    record Replica(String shard, String datastore, String role, String leader, String member, Set<String> voters) {
    }

    /** How many of the shard replicas a member has lead and follow. */
    record Roles(int leads, int follows) {
    }

    @Override
    public Object execute() throws InterruptedException, CommandException {
        final var server = ManagementFactory.getPlatformMBeanServer();
        final var replicas = replicas(server);
        final var nodes = Datastore.read(broker, OPERATIONAL, Datastore.NODES)
            .map(all -> List.copyOf(all.nonnullNode().values())).orElse(List.of());
        final var clients = Datastore.read(broker, OPERATIONAL, Datastore.CLIENTS)
            .map(all -> all.nonnullClient().size()).orElse(0);
        print(out(), member(server, replicas), replicas, nodes, clients);
        return null;
    }

    /**
     * The member table from what this member knows: every shard's leader and voting members (the datastore's view,
     * which every member with a replica shares) and each SERVAL node's own announcement (address, clients, load,
     * fingerprint). A member that is down keeps its replicas' votes, and its node entry goes after the grace period.
     */
    static void print(final PrintStream out, final String here, final List<Replica> replicas, final List<Node> nodes,
            final int clients) {
        out.println("Member:  " + here + " (this shell)   " + nodes.size() + " SERVAL node"
            + (nodes.size() == 1 ? "" : "s") + " announced, " + clients + " client" + (clients == 1 ? "" : "s")
            + " connected");
        final var roles = new TreeMap<>(roles(replicas));
        final Map<String, Node> byId = new TreeMap<>();
        nodes.forEach(node -> byId.put(node.getId().getValue(), node));
        // A server that is no cluster member is datastore member-1 and a node named after its host: one row.
        if (roles.size() == 1 && byId.size() == 1 && !roles.containsKey(byId.keySet().iterator().next())) {
            final var node = byId.values().iterator().next();
            final var member = roles.keySet().iterator().next();
            byId.clear();
            byId.put(member + " (node " + node.getId().getValue() + ")", node);
            roles.put(member + " (node " + node.getId().getValue() + ")", roles.remove(member));
        }
        final var names = new TreeSet<>(BY_NAME);
        names.addAll(roles.keySet());
        names.addAll(byId.keySet());
        final var members = new ShellTable();
        members.column("Member");
        members.column("Address");
        members.column("Leads").alignRight();
        members.column("Follows").alignRight();
        members.column("Clients").alignRight();
        members.column("CPU %").alignRight();
        members.column("TLS fingerprint (SHA-256)");
        for (var name : names) {
            final var role = roles.getOrDefault(name, new Roles(0, 0));
            final var node = byId.get(name);
            final var load = node == null ? null : node.getLoad();
            members.addRow().addContent(name, node == null ? "-" : address(node), role.leads(), role.follows(),
                load == null || load.getClients() == null ? "-" : load.getClients(),
                load == null || load.getCpuPercent() == null ? "-" : load.getCpuPercent(),
                node == null ? "- (no SERVAL node announced: down or starting)"
                    : node.getTlsFingerprint() == null ? "none (plaintext)" : node.getTlsFingerprint());
        }
        members.print(out);
        if (replicas.isEmpty()) {
            out.println("Shards:  none registered on this member (is the datastore starting?)");
            return;
        }
        final var leaderless = replicas.stream().filter(replica -> "none".equals(replica.leader()))
            .map(replica -> replica.shard() + "/" + replica.datastore()).toList();
        if (!leaderless.isEmpty()) {
            out.println("Without a leader (no majority, or electing): " + String.join(", ", leaderless));
        }
        out.println();
        final var table = new ShellTable();
        table.column("Shard");
        table.column("Datastore");
        table.column("Role here");
        table.column("Leader");
        replicas.forEach(replica -> table.addRow().addContent(replica.shard(), replica.datastore(), replica.role(),
            replica.leader()));
        table.print(out);
    }

    /**
     * Per member, how many shard replicas it leads and follows: a shard's leader leads one, each other voting member
     * follows one. A shard without a leader counts for no one.
     */
    static Map<String, Roles> roles(final List<Replica> replicas) {
        final Map<String, Roles> roles = new TreeMap<>(BY_NAME);
        for (var replica : replicas) {
            for (var voter : replica.voters()) {
                final var was = roles.getOrDefault(voter, new Roles(0, 0));
                if ("none".equals(replica.leader())) {
                    roles.put(voter, was);
                } else if (voter.equals(replica.leader())) {
                    roles.put(voter, new Roles(was.leads() + 1, was.follows()));
                } else {
                    roles.put(voter, new Roles(was.leads(), was.follows() + 1));
                }
            }
        }
        return roles;
    }

    /**
     * The members with a voting replica of a shard: this one, and the peers its replica lists as voting
     * ({@code member-2-shard-default-config: true, member-3-shard-default-config: true}).
     */
    static Set<String> voters(final String local, final String peerVotingStates) {
        final Set<String> voters = new TreeSet<>(BY_NAME);
        voters.add(local);
        if (peerVotingStates != null) {
            final var matcher = VOTER.matcher(peerVotingStates);
            while (matcher.find()) {
                if ("true".equals(matcher.group(2))) {
                    voters.add(matcher.group(1));
                }
            }
        }
        return voters;
    }

    /**
     * Where a node is reached: the addresses of its client endpoints (its advertise.address), else its peering one.
     */
    static String address(final Node node) {
        final var addresses = node.nonnullEndpoint().values().stream()
            .map(endpoint -> endpoint.getAddress().stringValue()).collect(Collectors.toCollection(TreeSet::new));
        if (addresses.isEmpty() && node.getPeering() != null) {
            addresses.add(node.getPeering().getAddress().stringValue());
        }
        return addresses.isEmpty() ? "-" : String.join(", ", addresses);
    }

    /**
     * This member's name, as its shard manager reports it, or else as its replicas are named.
     */
    static String member(final MBeanServer server, final List<Replica> replicas) {
        try {
            for (var name : server.queryNames(new ObjectName(CONTROLLER), null)) {
                if ("ShardManager".equals(name.getKeyProperty("Category"))) {
                    final var member = server.getAttribute(name, "MemberName");
                    if (member != null) {
                        return member.toString();
                    }
                }
            }
        } catch (JMException e) {
            // fall back to the replicas' names
        }
        return replicas.isEmpty() ? "unknown" : replicas.get(0).member();
    }

    /**
     * The shard replicas on this member, by shard and datastore: the datastore's MBeans that have a RaftState. Each
     * is named {@code member-N-shard-NAME-config} or {@code ...-operational}; its leader is named the same way.
     */
    static List<Replica> replicas(final MBeanServer server) {
        final Map<String, Replica> found = new TreeMap<>();
        final Set<ObjectName> names;
        try {
            names = server.queryNames(new ObjectName(CONTROLLER), null);
        } catch (JMException e) {
            return List.of();
        }
        for (var name : names) {
            final var id = name.getKeyProperty("name");
            if (id == null || !id.contains("-shard-")) {
                continue;
            }
            try {
                final var role = String.valueOf(server.getAttribute(name, "RaftState"));
                final var leader = server.getAttribute(name, "Leader");
                final var peers = server.getAttribute(name, "PeerVotingStates");
                final var replica = new Replica(shard(id), id.endsWith("-operational") ? "operational" : "config",
                    role, leader == null || leader.toString().isEmpty() ? "none" : memberOf(leader.toString()),
                    memberOf(id), voters(memberOf(id), peers == null ? null : peers.toString()));
                found.put(replica.shard() + "/" + replica.datastore(), replica);
            } catch (JMException e) {
                // not a shard (or it went away while we looked)
            }
        }
        return new ArrayList<>(found.values());
    }

    // member-1-shard-default-config -> default
    static String shard(final String id) {
        final int start = id.indexOf("-shard-");
        final int end = id.lastIndexOf('-');
        return start < 0 || end <= start + 7 ? id : id.substring(start + 7, end);
    }

    // member-1-shard-default-config -> member-1
    static String memberOf(final String id) {
        final int end = id.indexOf("-shard-");
        return end < 0 ? id : id.substring(0, end);
    }
}
