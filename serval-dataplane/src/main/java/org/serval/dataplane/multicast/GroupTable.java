/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.multicast;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.serval.dataplane.resolution.IpAddress;
import org.serval.dataplane.switching.FrameFilter;
import org.serval.dataplane.switching.SwitchPort;

/**
 * One VLAN's multicast groups: which members joined which group (IGMP, MLD reports), each membership aging out
 * unless a report renews it, as bridges keep them. Bounded per VLAN and per member; a join that does not fit is
 * not recorded, and a VLAN whose table is full says so ({@link #isFull}), so that groups it could not record are
 * flooded rather than lost.
 *
 * <p>Lookups are lock-free (any sender's executor); changes are rare (reports, aging) and serialised.
 */
final class GroupTable {
    /**
     * The members of one group, the scope of its frames: the members that joined it, and every link to another
     * node, which snoops for its own members.
     */
    static final class Group implements FrameFilter.Scope {
        private final Map<SwitchPort, Long> members = new ConcurrentHashMap<>();

        @Override
        public boolean includes(final SwitchPort port) {
            return port.isRemote() || members.containsKey(port);
        }

        boolean isEmpty() {
            return members.isEmpty();
        }

        int size() {
            return members.size();
        }
    }

    private final int maxGroups;
    private final int maxPerMember;
    private final long membershipNanos;
    private final Map<IpAddress, Group> groups = new ConcurrentHashMap<>();
    private final Map<SwitchPort, Integer> perMember = new ConcurrentHashMap<>();
    private volatile boolean full;

    GroupTable(final int maxGroups, final int maxPerMember, final long membershipNanos) {
        this.maxGroups = maxGroups;
        this.maxPerMember = maxPerMember;
        this.membershipNanos = membershipNanos;
    }

    /**
     * The group's members, or null when no member is in it.
     */
    Group lookup(final IpAddress group) {
        final var found = groups.get(group);
        return found == null || found.isEmpty() ? null : found;
    }

    /**
     * Records or renews a member's membership.
     *
     * @return false when it did not fit (the VLAN's or the member's bound)
     */
    synchronized boolean join(final IpAddress address, final SwitchPort port, final long nowNanos) {
        var group = groups.get(address);
        if (group == null) {
            if (groups.size() >= maxGroups) {
                full = true;
                return false;
            }
            group = new Group();
        }
        final boolean renewal = group.members.containsKey(port);
        if (!renewal && perMember.getOrDefault(port, 0) >= maxPerMember) {
            return false;
        }
        group.members.put(port, nowNanos + membershipNanos);
        groups.put(address, group);
        if (!renewal) {
            perMember.merge(port, 1, Integer::sum);
        }
        return true;
    }

    /**
     * Ends a member's membership at once (IGMP leave, MLD done, a v3 report that includes no source): a port is
     * one client, whose host alone said it left.
     */
    synchronized void leave(final IpAddress address, final SwitchPort port) {
        final var group = groups.get(address);
        if (group != null && group.members.remove(port) != null) {
            uncount(port);
            if (group.isEmpty()) {
                groups.remove(address);
            }
        }
    }

    /**
     * Removes every membership of a member that left the VLAN.
     */
    synchronized void forget(final SwitchPort port) {
        groups.entrySet().removeIf(entry -> {
            entry.getValue().members.remove(port);
            return entry.getValue().isEmpty();
        });
        perMember.remove(port);
        full = groups.size() >= maxGroups;
    }

    /**
     * Ages out memberships no report renewed.
     *
     * @return how many ended
     */
    synchronized int expire(final long nowNanos) {
        int ended = 0;
        for (var it = groups.values().iterator(); it.hasNext(); ) {
            final var group = it.next();
            for (var member = group.members.entrySet().iterator(); member.hasNext(); ) {
                final var entry = member.next();
                if (nowNanos - entry.getValue() >= 0) {
                    member.remove();
                    uncount(entry.getKey());
                    ended++;
                }
            }
            if (group.isEmpty()) {
                it.remove();
            }
        }
        full = groups.size() >= maxGroups;
        return ended;
    }

    private void uncount(final SwitchPort port) {
        perMember.computeIfPresent(port, (p, count) -> count > 1 ? count - 1 : null);
    }

    /**
     * Whether a join was refused for want of room, and the table is still full.
     */
    boolean isFull() {
        return full;
    }

    int size() {
        return groups.size();
    }
}
