/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.session;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.serval.api.ClientRegistry;
import org.serval.api.LocalVlanView;

/**
 * Stands in for the controller in dataplane tests: what it would write to the datastore goes straight into the
 * view, and every call is recorded.
 */
public final class ViewRegistry implements ClientRegistry {
    public final List<String> events = new CopyOnWriteArrayList<>();
    private final Map<String, Set<String>> memberships = new HashMap<>();
    private final Map<String, String> users = new HashMap<>();
    private final LocalVlanView view;

    public ViewRegistry(final LocalVlanView view) {
        this.view = view;
    }

    @Override
    public synchronized CompletionStage<Void> connected(final String clientId, final String user,
            final String transport, final String remoteAddress, final int remotePort) {
        events.add("connected " + clientId);
        memberships.put(clientId, new HashSet<>());
        users.put(clientId, user);
        view.putClient(clientId, "n1", user, Set.of());
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public synchronized CompletionStage<Void> joined(final String clientId, final String vlan, final long mac) {
        memberships.get(clientId).add(vlan);
        view.putClient(clientId, "n1", users.get(clientId), memberships.get(clientId));
        view.join(clientId, vlan, mac);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public synchronized CompletionStage<Void> left(final String clientId, final String vlan) {
        memberships.get(clientId).remove(vlan);
        view.putClient(clientId, "n1", users.get(clientId), memberships.get(clientId));
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public void counters(final String clientId, final TrafficCounters counters) {
        events.add("counters " + clientId + " in " + counters.inFrames() + " out " + counters.outFrames());
    }

    @Override
    public synchronized CompletionStage<Void> disconnected(final String clientId, final String reason) {
        events.add("disconnected " + clientId + " " + reason);
        memberships.remove(clientId);
        users.remove(clientId);
        view.removeClient(clientId);
        return CompletableFuture.completedFuture(null);
    }
}
