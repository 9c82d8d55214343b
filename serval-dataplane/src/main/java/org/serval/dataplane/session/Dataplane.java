/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.session;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.serval.api.ClientRegistry;
import org.serval.api.VlanDirectory;
import org.serval.dataplane.switching.VlanSwitch;

/**
 * One node's dataplane: the switches of the VLANs that have members here, and the sessions of the clients
 * connected here. Transports (TCP, UDP) give each client a {@link Link} and a {@link ClientSession}, which finds
 * everything else here.
 */
public final class Dataplane {
    private final DataplaneSettings settings;
    private final VlanDirectory directory;
    private final ClientRegistry registry;
    private final Gatekeeper gatekeeper;
    private final ConcurrentHashMap<String, VlanSwitch> switches = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, ClientSession> sessions = new ConcurrentHashMap<>();

    public Dataplane(final DataplaneSettings settings, final VlanDirectory directory, final ClientRegistry registry,
            final Gatekeeper gatekeeper) {
        this.settings = requireNonNull(settings);
        this.directory = requireNonNull(directory);
        this.registry = requireNonNull(registry);
        this.gatekeeper = requireNonNull(gatekeeper);
    }

    public Gatekeeper gatekeeper() {
        return gatekeeper;
    }

    public DataplaneSettings settings() {
        return settings;
    }

    VlanDirectory directory() {
        return directory;
    }

    ClientRegistry registry() {
        return registry;
    }

    VlanSwitch switchFor(final String vlan) {
        return switches.computeIfAbsent(vlan, name -> new VlanSwitch(name, settings.maxMacsPerVlan(),
            settings.maxMacsPerPort(), TimeUnit.SECONDS.toNanos(settings.macAgingSeconds()),
            settings.answerNeighbors()));
    }

    /**
     * Records the session of a client, returning the one it replaces (a client that reconnected before its old
     * session expired).
     */
    ClientSession register(final String clientId, final ClientSession session) {
        return sessions.put(clientId, session);
    }

    /**
     * Forgets a session that ended.
     *
     * @return false when a newer session of the same client has taken its place, whose registry entry must stay
     */
    boolean unregister(final String clientId, final ClientSession session) {
        return sessions.remove(clientId, session);
    }

    /**
     * Closes a client's session on this node, if it has one (disconnect-client).
     *
     * @return whether there was one
     */
    public boolean disconnect(final String clientId) {
        final var session = sessions.get(clientId);
        if (session == null) {
            return false;
        }
        session.close("administrative");
        return true;
    }

    /**
     * Closes the sessions of a user on this node (the user was deleted or disabled).
     *
     * @return how many there were
     */
    public int disconnectUser(final String user) {
        int count = 0;
        for (var session : sessions.values()) {
            if (user.equals(session.user())) {
                session.close("administrative");
                count++;
            }
        }
        return count;
    }

    public int sessionCount() {
        return sessions.size();
    }

    /**
     * Periodic housekeeping: reports changed client counters, ages MAC entries and drops the switches of VLANs
     * that are gone or empty.
     */
    public void sweep(final long nowNanos) {
        sessions.values().forEach(ClientSession::reportCounters);
        for (var entry : switches.entrySet()) {
            final var vlanSwitch = entry.getValue();
            vlanSwitch.expire(nowNanos);
            if (vlanSwitch.memberCount() == 0 && directory.vlan(entry.getKey()).isEmpty()) {
                switches.remove(entry.getKey(), vlanSwitch);
            }
        }
    }
}
