/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.cli;

import java.util.Locale;
import java.util.TreeSet;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.CommandException;
import org.serval.api.FloodPolicy;
import org.serval.api.VlanDirectory;

@Service
@Command(scope = "serval", name = "vlan-show", description = "Shows one VLAN and its members.")
public class VlanShowCommand extends ServalAction {
    @Reference
    VlanDirectory directory;

    @Argument(index = 0, name = "name", required = true, description = "The VLAN")
    @Completion(VlanCompleter.class)
    String name;

    @Override
    public Object execute() throws CommandException {
        final var found = directory.vlan(name);
        if (found.isEmpty()) {
            return error("VLAN " + name + " does not exist (data-missing)");
        }
        final var vlan = found.orElseThrow();
        final var members = new TreeSet<>(directory.members(name));
        final var out = out();
        out.println("Name:        " + vlan.name());
        out.println("VID:         " + (vlan.hasVid() ? String.valueOf(vlan.vid()) : "none (not bridged)"));
        out.println("Description: " + vlan.description());
        out.println("Open:        " + (vlan.open() ? "yes, any authenticated user may join" : "no, joins need a rule"));
        out.println("Owner:       " + (vlan.owner() == null ? "-" : vlan.owner()));
        final var flood = vlan.flood();
        out.println("Flooding:    broadcast " + action(flood.broadcast()) + ", multicast " + action(flood.multicast())
            + ", rate limit " + flood.ratePerSecond() + " frames/s per client");
        out.println("Members:     " + members.size() + " of at most " + vlan.maxMembers());
        for (var member : members) {
            out.println("  " + member);
        }
        return null;
    }

    private static String action(final FloodPolicy.Action action) {
        return action.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
