/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.bridge;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.serval.dataplane.Bounds;
import org.serval.dataplane.session.Dataplane;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's bridged interfaces (docs/architecture.md, "Bridged interfaces"): attaches each configured interface to
 * the switches of its VLANs as a port like a member's, looks for the interfaces every
 * {@link Bounds#BRIDGE_POLL_MILLIS} (one that went away is reported missing and attached again when it is back, even
 * with a new ifindex), and reports their state and counters.
 *
 * <p>Everything happens on one thread of its own: the configuration listener and the VLAN listener only hand their
 * news over, so that no datastore listener waits for an interface to open or close.
 */
public final class Bridges implements AutoCloseable {
    /**
     * Hears the interfaces' state, on the bridges' thread, when a state changed or the counters did.
     */
    @FunctionalInterface
    public interface StateListener {
        void changed(List<PortState> states);
    }

    private static final Logger LOG = LoggerFactory.getLogger(Bridges.class);
    private static final long FLUSH_SECONDS = 10;

    private final Dataplane dataplane;
    private final Wires wires;
    private final ByteBufAllocator alloc;
    private final StateListener listener;
    private final ScheduledExecutorService thread;
    private final Map<String, BridgedInterface> interfaces = new TreeMap<>();
    private final Map<String, String> notes = new HashMap<>();
    private Map<String, BridgeConfig> configs = Map.of();
    private Map<String, Integer> vids = Map.of();
    private List<PortState> reported = List.of();
    private volatile List<PortState> states = List.of();

    public Bridges(final Dataplane dataplane, final Wires wires, final ByteBufAllocator alloc,
            final StateListener listener) {
        this.dataplane = requireNonNull(dataplane);
        this.wires = requireNonNull(wires);
        this.alloc = requireNonNull(alloc);
        this.listener = requireNonNull(listener);
        thread = Executors.newSingleThreadScheduledExecutor(runnable -> {
            final var made = new Thread(runnable, "serval-bridges");
            made.setDaemon(true);
            return made;
        });
        thread.scheduleWithFixedDelay(this::poll, Bounds.BRIDGE_POLL_MILLIS, Bounds.BRIDGE_POLL_MILLIS,
            TimeUnit.MILLISECONDS);
    }

    /**
     * The interfaces this node is to bridge now (its {@code nodes-config/node/bridge} entries), replacing what it
     * was told before.
     */
    public void configure(final Collection<BridgeConfig> wanted) {
        final var copy = new LinkedHashMap<String, BridgeConfig>();
        for (var config : wanted) {
            if (copy.size() >= Bounds.BRIDGE_MAX_INTERFACES) {
                LOG.warn("Bridging only the first {} interfaces configured", Bounds.BRIDGE_MAX_INTERFACES);
                break;
            }
            copy.put(config.iface(), config);
        }
        run(() -> {
            configs = copy;
            poll();
        });
    }

    /**
     * The VLANs there are, each with its vid (0 for none): a trunk carries a VLAN by its vid, and a VLAN deleted is
     * carried nowhere.
     */
    public void vlans(final Map<String, Integer> vlanVids) {
        final var copy = Map.copyOf(vlanVids);
        run(() -> {
            vids = copy;
            poll();
        });
    }

    /**
     * The interfaces' state as last looked at.
     */
    public List<PortState> states() {
        return states;
    }

    /**
     * Waits until what was handed over so far has been acted on (tests).
     */
    void flush() throws InterruptedException {
        try {
            thread.submit(() -> { }).get(FLUSH_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the bridges' thread did not answer", e);
        }
    }

    private void run(final Runnable task) {
        try {
            thread.execute(task);
        } catch (RejectedExecutionException e) {
            LOG.debug("Bridges closed; ignoring a change");
        }
    }

    /**
     * Brings the interfaces in line with the configuration, the VLANs and what the node has: on the thread only.
     */
    private void poll() {
        try {
            reconcile();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        final var now = new ArrayList<PortState>();
        for (var bridged : interfaces.values()) {
            now.add(stateOf(bridged));
        }
        states = List.copyOf(now);
        if (!now.equals(reported)) {
            reported = List.copyOf(now);
            listener.changed(reported);
        }
    }

    private void reconcile() throws InterruptedException {
        for (var it = interfaces.entrySet().iterator(); it.hasNext();) {
            final var entry = it.next();
            final var config = configs.get(entry.getKey());
            if (!entry.getValue().config().equals(config)) {
                // removed, or its mode or VLANs changed: made again from the new configuration
                entry.getValue().shut();
                entry.getValue().carry(Map.of());
                it.remove();
                notes.remove(entry.getKey());
                LOG.info("Stopped bridging interface {}", entry.getKey());
            }
        }
        for (var config : configs.values()) {
            final var bridged = interfaces.computeIfAbsent(config.iface(),
                name -> new BridgedInterface(config, dataplane, wires, alloc));
            bridged.carry(carried(config));
            final var presence = wires.presence(config.iface());
            if (!presence.exists()) {
                if (bridged.isOpen()) {
                    LOG.info("Interface {} is gone; attaching it again when it is back", config.iface());
                    bridged.shut();
                }
                continue;
            }
            if (bridged.isOpen() && (bridged.failed() || bridged.openIndex() != presence.index())) {
                bridged.shut();
            }
            if (!bridged.isOpen()) {
                try {
                    bridged.open(presence.index());
                    notes.remove(config.iface());
                } catch (IOException e) {
                    if (!String.valueOf(e.getMessage()).equals(notes.put(config.iface(), e.getMessage()))) {
                        LOG.warn("Cannot bridge interface {}: {}", config.iface(), e.getMessage());
                    }
                }
            }
        }
    }

    /**
     * The VLANs a configuration carries now: an access port's VLAN while it exists; a trunk's VLANs that exist and
     * have a vid, the first of any two with the same vid.
     */
    private Map<String, Integer> carried(final BridgeConfig config) {
        final var carried = new LinkedHashMap<String, Integer>();
        if (config.mode() == BridgeConfig.Mode.ACCESS) {
            final var vlan = config.vlans().get(0);
            if (vids.containsKey(vlan)) {
                carried.put(vlan, 0);
            }
            return carried;
        }
        for (var vlan : config.vlans()) {
            final var vid = vids.get(vlan);
            if (vid != null && vid > 0 && !carried.containsValue(vid)) {
                carried.put(vlan, vid);
            }
        }
        return carried;
    }

    private PortState stateOf(final BridgedInterface bridged) {
        final var config = bridged.config();
        final var presence = wires.presence(config.iface());
        final var carried = bridged.carried();
        final PortState.Status status;
        String reason = null;
        if (!presence.exists()) {
            status = PortState.Status.MISSING;
            reason = "no interface " + config.iface() + " on this node";
        } else if (!bridged.isOpen()) {
            status = PortState.Status.DOWN;
            reason = notes.getOrDefault(config.iface(), "not opened yet");
        } else if (!presence.up()) {
            status = PortState.Status.DOWN;
            reason = "the interface is down";
        } else {
            status = PortState.Status.UP;
        }
        final var missing = config.vlans().stream().filter(vlan -> !carried.containsKey(vlan)).toList();
        if (!missing.isEmpty()) {
            final var text = "not carried (no such VLAN" + (config.mode() == BridgeConfig.Mode.TRUNK
                ? ", no vid, or a vid another VLAN on the trunk has" : "") + "): " + String.join(", ", missing);
            reason = reason == null ? text : reason + "; " + text;
        }
        return new PortState(config.iface(), config.mode(), status, reason, carried, bridged.counters(),
            presence.index());
    }

    @Override
    public void close() throws InterruptedException {
        run(() -> {
            for (var bridged : interfaces.values()) {
                try {
                    bridged.shut();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                bridged.carry(Map.of());
            }
            interfaces.clear();
        });
        thread.shutdown();
        if (!thread.awaitTermination(FLUSH_SECONDS, TimeUnit.SECONDS)) {
            thread.shutdownNow();
        }
    }
}
