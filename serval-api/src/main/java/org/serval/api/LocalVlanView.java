/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.api;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/**
 * The in-memory {@link VlanDirectory} the controller keeps current from datastore change notifications.
 *
 * <p>Reads are lock-free. Updates come from a few listener threads and are serialized so that the two membership
 * indexes (by client and by VLAN) never disagree. Memberships are recorded even for VLANs that do not exist (the
 * operational and configuration datastores change independently) but are reported only while the VLAN exists.
 */
public final class LocalVlanView implements VlanDirectory {
    private final ConcurrentSkipListMap<String, VlanInfo> vlans = new ConcurrentSkipListMap<>();
    private final Map<Integer, String> vlanByVid = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> membersByVlan = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> vlansByClient = new ConcurrentHashMap<>();
    private final Map<String, String> nodeByClient = new ConcurrentHashMap<>();
    private final Map<String, String> userByClient = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> clientsByUser = new ConcurrentHashMap<>();
    // Each client's interface MAC per VLAN, where known (LIST_MEMBERS); replaced whole, never changed in place.
    private final Map<String, Map<String, Long>> macsByClient = new ConcurrentHashMap<>();
    private final Set<String> managedClients = ConcurrentHashMap.newKeySet();
    // The administrators' decisions (configuration), by VLAN and by client; values replaced whole.
    private final Map<String, Map<String, Decision>> decisionsByVlan = new ConcurrentHashMap<>();
    private final Map<String, Map<String, Decision>> decisionsByClient = new ConcurrentHashMap<>();
    private final Set<Waiter> waiters = ConcurrentHashMap.newKeySet();

    /**
     * Someone waiting for the view to reach a state, typically an RPC for its own commit to show.
     */
    private static final class Waiter {
        final BooleanSupplier condition;
        final CompletableFuture<Void> future = new CompletableFuture<>();

        Waiter(final BooleanSupplier condition) {
            this.condition = condition;
        }

        boolean check() {
            if (condition.getAsBoolean()) {
                future.complete(null);
                return true;
            }
            return future.isDone();
        }
    }

    @Override
    public Optional<VlanInfo> vlan(final String name) {
        return Optional.ofNullable(vlans.get(name));
    }

    @Override
    public Optional<VlanInfo> vlanByVid(final int vid) {
        final var name = vlanByVid.get(vid);
        return name == null ? Optional.empty() : vlan(name);
    }

    @Override
    public List<VlanInfo> vlans(final String prefix, final int limit) {
        return vlans(prefix, null, limit);
    }

    @Override
    public List<VlanInfo> vlans(final String prefix, final String after, final int limit) {
        final var from = prefix == null ? "" : prefix;
        // Straight to the cursor, so that a page costs its own length, however far into the list it is.
        final var tail = after != null && after.compareTo(from) >= 0 ? vlans.tailMap(after, false)
            : vlans.tailMap(from, true);
        final var result = new ArrayList<VlanInfo>(Math.min(limit, 64));
        for (var entry : tail.entrySet()) {
            if (result.size() >= limit || !entry.getKey().startsWith(from)) {
                break;
            }
            result.add(entry.getValue());
        }
        return result;
    }

    @Override
    public int vlanCount() {
        return vlans.size();
    }

    @Override
    public int memberCount(final String vlan) {
        if (!vlans.containsKey(vlan)) {
            return 0;
        }
        final var members = membersByVlan.get(vlan);
        return members == null ? 0 : members.size();
    }

    @Override
    public boolean isMember(final String clientId, final String vlan) {
        final var joined = vlansByClient.get(clientId);
        return joined != null && joined.contains(vlan) && vlans.containsKey(vlan);
    }

    @Override
    public Set<String> members(final String vlan) {
        final var members = membersByVlan.get(vlan);
        return members == null || !vlans.containsKey(vlan) ? Set.of() : Set.copyOf(members);
    }

    @Override
    public List<String> members(final String vlan, final String after, final int limit) {
        final var members = membersByVlan.get(vlan);
        if (members == null || !vlans.containsKey(vlan)) {
            return List.of();
        }
        // Client ids are ASCII (Checks.clientId), so String order is the byte order the protocol pages by.
        final var result = new ArrayList<String>(Math.min(limit, 64));
        for (var id : members instanceof ConcurrentSkipListSet<String> sorted ? sorted.tailSet(after, false)
                : members) {
            if (result.size() >= limit) {
                break;
            }
            result.add(id);
        }
        return result;
    }

    @Override
    public Set<String> vlansOf(final String clientId) {
        final var joined = vlansByClient.get(clientId);
        return joined == null ? Set.of()
            : joined.stream().filter(vlans::containsKey).collect(Collectors.toUnmodifiableSet());
    }

    @Override
    public boolean isKnownClient(final String clientId) {
        return vlansByClient.containsKey(clientId);
    }

    /**
     * Returns a future that completes once a condition on this view holds. The RPCs use it to answer only once
     * their own commit is visible here, so that a caller who lists right after creating or deleting sees the
     * change.
     *
     * @param condition evaluated now and after every update, under the update lock
     * @return a future that the caller should bound with a timeout
     */
    public CompletableFuture<Void> when(final BooleanSupplier condition) {
        final var waiter = new Waiter(condition);
        waiters.add(waiter);
        // Checked after adding, so that an update between the check and the add cannot be missed.
        synchronized (this) {
            if (waiter.check()) {
                waiters.remove(waiter);
            }
        }
        waiter.future.whenComplete((ok, failure) -> waiters.remove(waiter));
        return waiter.future;
    }

    private void signal() {
        if (!waiters.isEmpty()) {
            waiters.removeIf(Waiter::check);
        }
    }

    @Override
    public boolean isOnNode(final String clientId, final String nodeId) {
        return nodeId.equals(nodeByClient.get(clientId));
    }

    /**
     * Adds or replaces a VLAN.
     */
    public synchronized void putVlan(final VlanInfo vlan) {
        final var previous = vlans.put(vlan.name(), vlan);
        if (previous != null && previous.hasVid()) {
            vlanByVid.remove(previous.vid(), previous.name());
        }
        if (vlan.hasVid()) {
            vlanByVid.put(vlan.vid(), vlan.name());
        }
        signal();
    }

    /**
     * Removes a VLAN. Memberships in it stop counting at once; their records go when the registry drops them.
     */
    public synchronized void removeVlan(final String name) {
        final var previous = vlans.remove(name);
        if (previous != null && previous.hasVid()) {
            vlanByVid.remove(previous.vid(), name);
        }
        // The decisions are the VLAN's own (they are stored in it) and go with it.
        putDecisions(name, Map.of());
        signal();
    }

    /**
     * Replaces the administrators' decisions about a VLAN's clients.
     *
     * @param byClient decision by client id; empty to forget them all
     */
    public synchronized void putDecisions(final String vlan, final Map<String, Decision> byClient) {
        final var before = decisionsByVlan.get(vlan);
        if (before != null) {
            for (var clientId : before.keySet()) {
                if (!byClient.containsKey(clientId)) {
                    changeDecision(clientId, vlan, null);
                }
            }
        }
        byClient.forEach((clientId, decision) -> changeDecision(clientId, vlan, decision));
        if (byClient.isEmpty()) {
            decisionsByVlan.remove(vlan);
        } else {
            decisionsByVlan.put(vlan, Map.copyOf(byClient));
        }
        signal();
    }

    private void changeDecision(final String clientId, final String vlan, final Decision decision) {
        final var now = new HashMap<>(decisionsByClient.getOrDefault(clientId, Map.of()));
        if (decision == null) {
            now.remove(vlan);
        } else {
            now.put(vlan, decision);
        }
        if (now.isEmpty()) {
            decisionsByClient.remove(clientId);
        } else {
            decisionsByClient.put(clientId, Map.copyOf(now));
        }
    }

    @Override
    public Decision decision(final String clientId, final String vlan) {
        final var decisions = decisionsByClient.get(clientId);
        return decisions == null || !vlans.containsKey(vlan) ? null : decisions.get(vlan);
    }

    @Override
    public Map<String, Decision> decisionsOf(final String clientId) {
        final var decisions = decisionsByClient.get(clientId);
        if (decisions == null) {
            return Map.of();
        }
        return decisions.entrySet().stream().filter(entry -> vlans.containsKey(entry.getKey()))
            .collect(Collectors.toUnmodifiableMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    /**
     * How many decisions name a client, in VLANs that exist or not: what its bound counts.
     */
    public int decisionCount(final String clientId) {
        final var decisions = decisionsByClient.get(clientId);
        return decisions == null ? 0 : decisions.size();
    }

    @Override
    public boolean isManaged(final String clientId) {
        return managedClients.contains(clientId);
    }

    @Override
    public long macOf(final String clientId, final String vlan) {
        final var macs = macsByClient.get(clientId);
        final var mac = macs == null ? null : macs.get(vlan);
        return mac == null ? -1 : mac;
    }

    /**
     * Records a connected client with what its registry entry says: whether it follows the server's changes, and
     * its memberships with their MACs (-1 where not known).
     */
    public synchronized void putClient(final String clientId, final String nodeId, final String user,
            final boolean managed, final Map<String, Long> joined) {
        putClient(clientId, nodeId, user, joined.keySet());
        if (managed) {
            managedClients.add(clientId);
        } else {
            managedClients.remove(clientId);
        }
        final var macs = new HashMap<String, Long>();
        joined.forEach((vlan, mac) -> {
            if (mac != null && mac >= 0) {
                macs.put(vlan, mac);
            }
        });
        macsByClient.put(clientId, Map.copyOf(macs));
    }

    /**
     * Records a connected client, its node and the VLANs it has joined, replacing what was known of it.
     *
     * @param clientId the client
     * @param nodeId the node it is connected to, or null when not known
     * @param user the user it authenticated as, or null when not known
     * @param joined the VLANs it is a member of
     */
    public synchronized void putClient(final String clientId, final String nodeId, final String user,
            final Collection<String> joined) {
        requireNonNull(clientId);
        if (nodeId == null) {
            nodeByClient.remove(clientId);
        } else {
            nodeByClient.put(clientId, nodeId);
        }
        dropUser(clientId);
        if (user != null) {
            userByClient.put(clientId, user);
            clientsByUser.computeIfAbsent(user, k -> ConcurrentHashMap.newKeySet()).add(clientId);
        }
        final var now = Set.copyOf(joined);
        final var before = vlansByClient.put(clientId, now);
        if (before != null) {
            for (var vlan : before) {
                if (!now.contains(vlan)) {
                    dropMember(vlan, clientId);
                }
            }
        }
        for (var vlan : now) {
            membersByVlan.computeIfAbsent(vlan, k -> new ConcurrentSkipListSet<>()).add(clientId);
        }
        signal();
    }

    /**
     * Adds one membership of a known client (this node's own client joining, applied before the datastore has it).
     */
    public synchronized void join(final String clientId, final String vlan) {
        final var before = vlansByClient.get(clientId);
        if (before == null || before.contains(vlan)) {
            return;
        }
        final var now = new HashSet<>(before);
        now.add(vlan);
        vlansByClient.put(clientId, Set.copyOf(now));
        membersByVlan.computeIfAbsent(vlan, k -> new ConcurrentSkipListSet<>()).add(clientId);
        signal();
    }

    /**
     * Adds one membership of a known client with the MAC of its interface there.
     */
    public synchronized void join(final String clientId, final String vlan, final long mac) {
        join(clientId, vlan);
        if (vlansByClient.containsKey(clientId)) {
            final var macs = new HashMap<>(macsByClient.getOrDefault(clientId, Map.of()));
            macs.put(vlan, mac);
            macsByClient.put(clientId, Map.copyOf(macs));
        }
    }

    /**
     * Removes one membership of a client.
     */
    public synchronized void leave(final String clientId, final String vlan) {
        final var before = vlansByClient.get(clientId);
        if (before == null || !before.contains(vlan)) {
            return;
        }
        final var now = new HashSet<>(before);
        now.remove(vlan);
        vlansByClient.put(clientId, Set.copyOf(now));
        dropMember(vlan, clientId);
        signal();
    }

    @Override
    public Optional<String> nodeOf(final String clientId) {
        return Optional.ofNullable(nodeByClient.get(clientId));
    }

    /**
     * The clients known to be connected to a node.
     */
    public Set<String> clientsOn(final String nodeId) {
        return nodeByClient.entrySet().stream().filter(entry -> nodeId.equals(entry.getValue()))
            .map(Map.Entry::getKey).collect(Collectors.toUnmodifiableSet());
    }

    /**
     * Forgets a client that left the registry.
     */
    public synchronized void removeClient(final String clientId) {
        nodeByClient.remove(clientId);
        managedClients.remove(clientId);
        macsByClient.remove(clientId);
        dropUser(clientId);
        final var before = vlansByClient.remove(clientId);
        if (before != null) {
            for (var vlan : before) {
                dropMember(vlan, clientId);
            }
        }
        signal();
    }

    private void dropUser(final String clientId) {
        final var user = userByClient.remove(clientId);
        if (user != null) {
            final var clients = clientsByUser.get(user);
            if (clients != null) {
                clients.remove(clientId);
                if (clients.isEmpty()) {
                    clientsByUser.remove(user);
                }
            }
        }
    }

    @Override
    public Optional<String> userOf(final String clientId) {
        return Optional.ofNullable(userByClient.get(clientId));
    }

    @Override
    public Set<String> clientsOf(final String user) {
        final var clients = clientsByUser.get(user);
        return clients == null ? Set.of() : Set.copyOf(clients);
    }

    @Override
    public int vlansOwnedBy(final String user) {
        // Not indexed: it is asked only when a user creates a VLAN, and users own few.
        return (int) vlans.values().stream().filter(vlan -> user.equals(vlan.owner())).count();
    }

    private void dropMember(final String vlan, final String clientId) {
        final var members = membersByVlan.get(vlan);
        if (members != null) {
            members.remove(clientId);
            if (members.isEmpty()) {
                membersByVlan.remove(vlan);
            }
        }
    }
}
