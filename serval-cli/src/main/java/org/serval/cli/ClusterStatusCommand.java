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
    /** The datastore's shards as it registers them with JMX, one MBean per replica on this member. */
    private static final String SHARDS = "org.opendaylight.controller:Category=Shards,*";
    private static final String SHARD_MANAGERS = "org.opendaylight.controller:Category=ShardManager,*";

    /** One replica on this member: its datastore, role, and the member that leads the shard. */
    record Replica(String shard, String datastore, String role, String leader) {
    }

    @Override
    public Object execute() throws InterruptedException, CommandException {
        final var server = ManagementFactory.getPlatformMBeanServer();
        final var out = out();
        out.println("Member:  " + member(server));
        final var nodes = Datastore.read(broker, OPERATIONAL, Datastore.NODES)
            .map(all -> all.nonnullNode().size()).orElse(0);
        final var clients = Datastore.read(broker, OPERATIONAL, Datastore.CLIENTS)
            .map(all -> all.nonnullClient().size()).orElse(0);
        out.println("SERVAL:  " + nodes + " node" + (nodes == 1 ? "" : "s") + " (serval:node-list), " + clients
            + " client" + (clients == 1 ? "" : "s") + " connected");
        final var replicas = replicas(server);
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

    static String member(final MBeanServer server) {
        try {
            for (var name : server.queryNames(new ObjectName(SHARD_MANAGERS), null)) {
                final var member = server.getAttribute(name, "MemberName");
                if (member != null) {
                    return member.toString();
                }
            }
        } catch (JMException e) {
            return "unknown (" + e.getMessage() + ")";
        }
        return "unknown";
    }

    /**
     * The shard replicas on this member, by shard and datastore. Each shard's MBean is named
     * {@code member-N-shard-NAME-config} or {@code ...-operational}; its leader is named the same way.
     */
    static List<Replica> replicas(final MBeanServer server) {
        final Map<String, Replica> found = new TreeMap<>();
        try {
            for (var name : server.queryNames(new ObjectName(SHARDS), null)) {
                final var id = String.valueOf(name.getKeyProperty("name"));
                final var role = String.valueOf(server.getAttribute(name, "RaftState"));
                final var leader = server.getAttribute(name, "Leader");
                final var replica = new Replica(shard(id), id.endsWith("-operational") ? "operational" : "config",
                    role, leader == null || leader.toString().isEmpty() ? "none" : memberOf(leader.toString()));
                found.put(replica.shard() + "/" + replica.datastore(), replica);
            }
        } catch (JMException e) {
            return List.of();
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
