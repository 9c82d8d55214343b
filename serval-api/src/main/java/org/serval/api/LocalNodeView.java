/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.api;

import static java.util.Objects.requireNonNull;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The server nodes as this node last heard of them from the operational datastore, kept in memory so that the
 * dataplane (links between nodes, the node list sent to clients) never reads the datastore. Listeners hear of
 * every change, after it is applied, on the updater's thread; they must not block.
 */
public final class LocalNodeView {
    private final Map<String, NodeInfo> nodes = new ConcurrentHashMap<>();
    private final List<Consumer<Collection<NodeInfo>>> listeners = new CopyOnWriteArrayList<>();

    public Optional<NodeInfo> node(final String id) {
        return Optional.ofNullable(nodes.get(id));
    }

    public Collection<NodeInfo> nodes() {
        return List.copyOf(nodes.values());
    }

    /**
     * The node whose certificate has this fingerprint, if one is known: how a node authenticates another.
     */
    public Optional<NodeInfo> byFingerprint(final String fingerprint) {
        return nodes.values().stream().filter(node -> fingerprint.equals(node.fingerprint())).findFirst();
    }

    public void put(final NodeInfo node) {
        if (!node.equals(nodes.put(node.id(), node))) {
            changed();
        }
    }

    public void remove(final String id) {
        if (nodes.remove(id) != null) {
            changed();
        }
    }

    /**
     * Registers a listener, which hears at once of the nodes known now.
     */
    public void listen(final Consumer<Collection<NodeInfo>> listener) {
        listeners.add(requireNonNull(listener));
        listener.accept(nodes());
    }

    public void unlisten(final Consumer<Collection<NodeInfo>> listener) {
        listeners.remove(listener);
    }

    private void changed() {
        final var now = nodes();
        listeners.forEach(listener -> listener.accept(now));
    }
}
