/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.cli;

import static org.opendaylight.mdsal.common.api.LogicalDatastoreType.CONFIGURATION;

import java.util.ArrayList;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.CommandException;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.VlanId;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.vlan.config.FloodPolicy;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.vlan.config.FloodPolicyBuilder;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.vlans.VlanBuilder;
import org.opendaylight.yangtools.yang.common.Uint16;
import org.opendaylight.yangtools.yang.common.Uint32;
import org.serval.api.Checks;

@Service
@Command(scope = "serval", name = "vlan-set",
    description = "Changes a VLAN's settings: who may join, how many, storm control, description, 802.1Q vid. "
        + "Takes effect at once on every node.")
public class VlanSetCommand extends DatastoreAction {
    @Argument(index = 0, name = "name", required = true, description = "The VLAN")
    @Completion(VlanCompleter.class)
    String name;

    @Option(name = "-o", aliases = "--open", description = "true lets every authenticated user join; false needs a "
        + "permit rule")
    @Completion(values = {"true", "false"}, value = StringsCompleter.class)
    String open;

    @Option(name = "-m", aliases = "--max-members", description = "Most clients at once (1-65535)")
    Long maxMembers;

    @Option(name = "-d", aliases = "--description", description = "Free text (at most 255 characters); \"\" clears")
    String description;

    @Option(name = "-v", aliases = "--vid", description = "802.1Q VLAN id (1-4094), unique across VLANs")
    Long vid;

    @Option(name = "--no-vid", description = "Remove the vid: the VLAN is no longer bridged")
    boolean noVid;

    @Option(name = "--broadcast", description = "Broadcast frames: forward, rate-limit or drop")
    @Completion(values = {"forward", "rate-limit", "drop"}, value = StringsCompleter.class)
    String broadcast;

    @Option(name = "--multicast", description = "Multicast frames: forward, rate-limit or drop")
    @Completion(values = {"forward", "rate-limit", "drop"}, value = StringsCompleter.class)
    String multicast;

    @Option(name = "--rate-limit", description = "Frames per second per client for rate-limit (at least 1)")
    Long rateLimit;

    @Override
    public Object execute() throws InterruptedException, CommandException {
        final var changes = new ArrayList<String>();
        final var builder = new VlanBuilder();
        final var flood = new FloodPolicyBuilder();
        check(() -> {
            if (vid != null && noVid) {
                throw new IllegalArgumentException("give --vid or --no-vid, not both");
            }
            if (open != null) {
                builder.setOpen(Values.bool("--open", open));
                changes.add("open " + builder.getOpen());
            }
            if (maxMembers != null) {
                builder.setMaxMembers(Uint32.valueOf(Checks.maxMembers(maxMembers)));
                changes.add("max-members " + maxMembers);
            }
            if (description != null) {
                builder.setDescription(Checks.description(description));
                changes.add("description");
            }
            if (vid != null) {
                builder.setVid(new VlanId(Uint16.valueOf(Checks.vid(vid))));
                changes.add("vid " + vid);
            }
            if (broadcast != null) {
                flood.setBroadcast(Values.floodAction("--broadcast", broadcast));
                changes.add("broadcast " + broadcast);
            }
            if (multicast != null) {
                flood.setMulticast(Values.floodAction("--multicast", multicast));
                changes.add("multicast " + multicast);
            }
            if (rateLimit != null) {
                flood.setRateLimit(Uint32.valueOf(Checks.rateLimit(rateLimit)));
                changes.add("rate-limit " + rateLimit);
            }
        });
        if (changes.isEmpty() && !noVid) {
            return error("nothing to change: give --open, --max-members, --description, --vid, --no-vid, "
                + "--broadcast, --multicast or --rate-limit");
        }
        final var existing = existingVlan(name);
        builder.setName(existing.getName());
        final var floodPolicy = flood.build();
        if (broadcast != null || multicast != null || rateLimit != null) {
            builder.setFloodPolicy(floodPolicy);
        }
        final var tx = broker.newWriteOnlyTransaction();
        if (noVid) {
            // A leaf cannot be deleted through the binding on its own: the VLAN is written back whole without it.
            final var whole = new VlanBuilder(existing).setVid(null);
            final var merged = builder.build();
            if (merged.getOpen() != null) {
                whole.setOpen(merged.getOpen());
            }
            if (merged.getMaxMembers() != null) {
                whole.setMaxMembers(merged.getMaxMembers());
            }
            if (merged.getDescription() != null) {
                whole.setDescription(merged.getDescription());
            }
            if (merged.getFloodPolicy() != null) {
                whole.setFloodPolicy(mergeFlood(existing.getFloodPolicy(), floodPolicy));
            }
            tx.put(CONFIGURATION, Datastore.vlan(name), whole.build());
            changes.add("no vid");
        } else {
            tx.merge(CONFIGURATION, Datastore.vlan(name), builder.build());
        }
        Datastore.commit(tx);
        out().println("VLAN " + name + " changed: " + String.join(", ", changes));
        return null;
    }

    private static FloodPolicy mergeFlood(final FloodPolicy before, final FloodPolicy change) {
        final var merged = before == null ? new FloodPolicyBuilder() : new FloodPolicyBuilder(before);
        if (change.getBroadcast() != null) {
            merged.setBroadcast(change.getBroadcast());
        }
        if (change.getMulticast() != null) {
            merged.setMulticast(change.getMulticast());
        }
        if (change.getRateLimit() != null) {
            merged.setRateLimit(change.getRateLimit());
        }
        return merged.build();
    }
}
