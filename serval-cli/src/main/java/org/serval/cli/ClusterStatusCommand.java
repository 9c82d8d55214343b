/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.cli;

import static org.opendaylight.mdsal.common.api.LogicalDatastoreType.OPERATIONAL;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.CommandException;
import org.apache.karaf.shell.support.table.ShellTable;

@Service
@Command(scope = "serval", name = "cluster-status",
    description = "Shows this member of the datastore cluster and the role of each of its shard replicas (Leader, "
        + "Follower, Candidate), who leads each shard, and how many SERVAL nodes and clients the cluster has.")
public class ClusterStatusCommand extends DatastoreAction {
    /** Where the datastore registers its MBeans: one per shard replica on this member, and its shard managers. */
    private static final String CONTROLLER = "org.opendaylight.controller:*";

    /** One replica on this member: its datastore, role, the member that leads the shard, and this member. */
    record Replica(String shard, String datastore, String role, String leader, String member) {
    }

    @Override
    public Object execute() throws InterruptedException, CommandException {
        final var server = ManagementFactory.getPlatformMBeanServer();
        final var out = out();
        final var replicas = replicas(server);
        out.println("Member:  " + member(server, replicas));
        final var nodes = Datastore.read(broker, OPERATIONAL, Datastore.NODES)
            .map(all -> all.nonnullNode().size()).orElse(0);
        final var clients = Datastore.read(broker, OPERATIONAL, Datastore.CLIENTS)
            .map(all -> all.nonnullClient().size()).orElse(0);
        out.println("SERVAL:  " + nodes + " node" + (nodes == 1 ? "" : "s") + " (serval:node-list), " + clients
            + " client" + (clients == 1 ? "" : "s") + " connected");
        if (replicas.isEmpty()) {
            out.println("Shards:  none registered on this member (is the datastore starting?)");
            return null;
        }
        final var table = new ShellTable();
        table.column("Shard");
        table.column("Datastore");
        table.column("Role here");
        table.column("Leader");
        replicas.forEach(replica -> table.addRow().addContent(replica.shard(), replica.datastore(), replica.role(),
            replica.leader()));
        table.print(out);
        return null;
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
                final var replica = new Replica(shard(id), id.endsWith("-operational") ? "operational" : "config",
                    role, leader == null || leader.toString().isEmpty() ? "none" : memberOf(leader.toString()),
                    memberOf(id));
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
