/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.client;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import org.serval.dataplane.protocol.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The VLANs the client is to be in and what became of each: joined (with its interface), joining, or refused
 * with the server's reason. Joins and leaves them at start, after a reconnection, at its user's request (the
 * control socket) and at the server's (ASSIGN, REMOVED), and keeps the list in {@link JoinedVlans}.
 *
 * <p>Requests to the server go one at a time, under {@link #lock}: the connection matches an answer to the one
 * request outstanding. Status reads never take it: they copy the table, guarded by its own short monitor.
 */
final class Memberships {
    /**
     * Where one VLAN stands.
     */
    enum State {
        JOINING, JOINED, REFUSED;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One VLAN of the list.
     */
    static final class Entry {
        final String vlan;
        final String iface;
        final String mac;
        volatile State state = State.JOINING;
        // The server's words when it refused the VLAN.
        volatile String reason;
        volatile TapBridge.Attachment attachment;

        Entry(final String vlan, final String iface, final String clientId) {
            this.vlan = vlan;
            this.iface = iface;
            mac = HexFormat.ofDelimiter(":").formatHex(TapBridge.stableMac(clientId, vlan));
        }
    }

    /**
     * Why a request could not be done, with the exit code the command line ends with.
     */
    static final class Refusal extends Exception {
        private static final long serialVersionUID = 1L;

        final String code;
        final int exitCode;

        Refusal(final String code, final int exitCode, final String message) {
            this(code, exitCode, message, null);
        }

        Refusal(final String code, final int exitCode, final String message, final Throwable cause) {
            super(message, cause);
            this.code = code;
            this.exitCode = exitCode;
        }

        static Refusal of(final ClientFailure failure) {
            final var code = switch (failure.exitCode()) {
                case ClientFailure.VLAN_REFUSED -> "vlan-refused";
                case ClientFailure.AUTH -> "auth";
                case ClientFailure.NO_TAP -> "no-tap";
                case ClientFailure.USAGE -> "usage";
                case ClientFailure.CONNECTION_LOST -> "not-connected";
                default -> "server";
            };
            return new Refusal(code, failure.exitCode(), failure.getMessage(), failure);
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(Memberships.class);
    // How long a control request waits for the one before it (a join takes up to the answer timeout) before
    // answering busy.
    private static final long LOCK_WAIT_SECONDS = Connection.ANSWER_TIMEOUT_SECONDS + 5;
    // A listing stops after this many pages: 2 KB a page, beyond any real server's VLANs; a server answering
    // forever cannot keep a control request (and the lock) for ever.
    static final int MAX_PAGES = 512;
    private static final Path SYS_NET = Path.of("/sys/class/net");

    private final ClientOptions options;
    private final Connection connection;
    private final TapBridge bridge;
    private final JoinedVlans store;
    private final boolean service;
    private final BooleanSupplier offloads;
    private final ReentrantLock lock = new ReentrantLock();
    // In the order joined; guarded by itself, never held while waiting.
    private final Map<String, Entry> entries = new LinkedHashMap<>();
    // The server's changes (ASSIGN, REMOVED) arrive on the event loop, which must not wait for a TAP or an answer.
    private final ExecutorService serverChanges = Executors.newSingleThreadExecutor(runnable -> {
        final var thread = new Thread(runnable, "serval-membership");
        thread.setDaemon(true);
        return thread;
    });

    Memberships(final ClientOptions options, final Connection connection, final TapBridge bridge,
            final JoinedVlans store, final boolean service, final BooleanSupplier offloads) {
        this.options = options;
        this.connection = connection;
        this.bridge = bridge;
        this.store = store;
        this.service = service;
        this.offloads = offloads;
    }

    ReentrantLock lock() {
        return lock;
    }

    /**
     * Creates the interfaces of the VLANs to join at start: those saved in the state directory, or while there is
     * no such file the configured ones (which are then saved).
     */
    void open() throws ClientFailure {
        final var saved = store.load();
        final var initial = saved != null ? saved : options.vlans();
        if (saved != null && !saved.equals(options.vlans()) && !options.vlans().isEmpty()) {
            LOG.info("Joining the VLANs saved by the last run ({}), not the configured ones", saved.keySet());
        }
        final var attachments = bridge.open(initial, options.clientId(), offloads.getAsBoolean());
        synchronized (entries) {
            for (var attachment : attachments) {
                final var entry = new Entry(attachment.vlan, attachment.tap.name(), options.clientId());
                entry.attachment = attachment;
                entries.put(entry.vlan, entry);
            }
        }
        if (saved == null) {
            save();
        }
    }

    /**
     * Joins every VLAN of the list on a new session, with the MAC each interface has. A VLAN the server refuses
     * is, for a service, marked refused (its interface removed) while the others go on; one shot, it ends the
     * client, as before.
     *
     * @param deadline until when an unknown VLAN is asked again (--retry), in {@link System#nanoTime()}
     */
    void joinAll(final Message.Welcome welcome, final long deadline, final Backoff backoff)
            throws ClientFailure, InterruptedException {
        bridge.unbindAll();
        for (var entry : list()) {
            final var attachment = entry.attachment;
            if (entry.state == State.REFUSED || attachment == null) {
                continue;
            }
            backoff.reset();
            while (true) {
                try {
                    final var joined = connection.join(entry.vlan, attachment.macLong());
                    bridge.bind(attachment, joined.vlanRef(), welcome.tapMtu());
                    entry.state = State.JOINED;
                    entry.reason = null;
                    LOG.info("Joined VLAN {} as {} ({})", entry.vlan, entry.iface, entry.mac);
                    break;
                } catch (ClientFailure e) {
                    if (e.exitCode() != ClientFailure.VLAN_REFUSED) {
                        throw e;
                    }
                    if (System.nanoTime() - deadline < 0) {
                        LOG.info("{}; trying again", e.getMessage());
                        backoff.pause(deadline);
                        continue;
                    }
                    if (!service) {
                        throw e;
                    }
                    refused(entry, e.getMessage());
                    break;
                }
            }
        }
    }

    private void refused(final Entry entry, final String reason) {
        LOG.error("VLAN {} refused: {}; the client goes on without it (serval-client join {} tries again)",
            entry.vlan, reason, entry.vlan);
        final var attachment = entry.attachment;
        entry.attachment = null;
        if (attachment != null) {
            bridge.remove(attachment, connection.group());
        }
        entry.reason = reason;
        entry.state = State.REFUSED;
    }

    /**
     * The list now, in order.
     */
    List<Entry> list() {
        synchronized (entries) {
            return List.copyOf(entries.values());
        }
    }

    /**
     * Joins a VLAN now, at the user's request: creates its interface (named, or the next free servalN), brings it
     * up, joins and saves the list.
     */
    Entry join(final String vlan, final String iface) throws Refusal, InterruptedException {
        requireConnected();
        locked();
        try {
            return joinLocked(vlan, iface);
        } finally {
            lock.unlock();
        }
    }

    private Entry joinLocked(final String vlan, final String iface) throws Refusal, InterruptedException {
        requireConnected();
        final Entry existing;
        synchronized (entries) {
            existing = entries.get(vlan);
        }
        if (existing != null && existing.state != State.REFUSED) {
            throw new Refusal("already-joined", ClientFailure.USAGE, "VLAN " + vlan + " is joined already, as "
                + existing.iface);
        }
        final String name;
        try {
            name = iface != null ? ClientOptions.interfaceName(iface) : nextFreeName();
        } catch (IllegalArgumentException e) {
            throw new Refusal("usage", ClientFailure.USAGE, e.getMessage(), e);
        }
        if (iface != null && (bridge.names().contains(name) || Files.exists(SYS_NET.resolve(name)))) {
            throw new Refusal("interface-taken", ClientFailure.USAGE, "interface " + name + " exists already");
        }
        final var entry = new Entry(vlan, name, options.clientId());
        try {
            entry.attachment = bridge.openOne(vlan, name, options.clientId(), offloads.getAsBoolean());
        } catch (ClientFailure e) {
            throw Refusal.of(e);
        }
        // in the list (joining) while the server answers, so that status shows it
        synchronized (entries) {
            entries.remove(vlan);
            entries.put(vlan, entry);
        }
        try {
            final var joined = connection.join(vlan, entry.attachment.macLong());
            bridge.bind(entry.attachment, joined.vlanRef(), connection.welcome().tapMtu());
        } catch (ClientFailure e) {
            bridge.remove(entry.attachment, connection.group());
            entry.attachment = null;
            synchronized (entries) {
                entries.remove(vlan, entry);
                if (existing != null) {
                    existing.reason = e.getMessage();
                    entries.put(vlan, existing);
                }
            }
            throw Refusal.of(e);
        }
        // saved before it shows as joined, so that whoever sees it joined finds it saved
        save();
        entry.state = State.JOINED;
        LOG.info("Joined VLAN {} as {} ({})", vlan, name, entry.mac);
        return entry;
    }

    /**
     * Leaves a VLAN at the user's request: LEAVE (when connected), then the interface goes; the list is saved
     * without it, so that no reconnection or restart joins it again.
     */
    void leave(final String vlan) throws Refusal, InterruptedException {
        locked();
        try {
            final Entry entry;
            synchronized (entries) {
                entry = entries.get(vlan);
            }
            if (entry == null) {
                throw new Refusal("not-joined", ClientFailure.USAGE, "VLAN " + vlan + " is not joined here");
            }
            final var attachment = entry.attachment;
            if (attachment != null && attachment.vlanRef >= 0 && connection.connected()) {
                try {
                    connection.leave(attachment.vlanRef, vlan);
                } catch (ClientFailure e) {
                    throw Refusal.of(e);
                }
            }
            forget(entry);
            LOG.info("Left VLAN {}; removed {}", vlan, entry.iface);
        } finally {
            lock.unlock();
        }
    }

    private void forget(final Entry entry) {
        synchronized (entries) {
            entries.remove(entry.vlan, entry);
        }
        final var attachment = entry.attachment;
        entry.attachment = null;
        if (attachment != null) {
            bridge.remove(attachment, connection.group());
        }
        save();
    }

    /**
     * A change the server made (ASSIGN, REMOVED), handled off the event loop.
     */
    void serverChange(final Message message) {
        serverChanges.execute(() -> {
            try {
                lock.lockInterruptibly();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            try {
                switch (message) {
                    case Message.Assign assign -> assigned(assign.vlan());
                    case Message.Removed removed -> removed(removed);
                    default -> LOG.debug("Not a membership change: {}", message);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                lock.unlock();
            }
        });
    }

    private void assigned(final String vlan) throws InterruptedException {
        final Entry existing;
        synchronized (entries) {
            existing = entries.get(vlan);
        }
        if (existing != null && existing.state == State.JOINED) {
            return;
        }
        try {
            final var entry = joinLocked(vlan, existing != null ? existing.iface : null);
            LOG.info("An administrator assigned VLAN {}: joined as {}", vlan, entry.iface);
        } catch (Refusal e) {
            LOG.warn("An administrator assigned VLAN {}, but it cannot be joined: {}", vlan, e.getMessage());
        }
    }

    private void removed(final Message.Removed removed) {
        final Entry entry;
        synchronized (entries) {
            entry = entries.get(removed.vlan());
        }
        if (entry == null) {
            return;
        }
        final var why = switch (removed.reason()) {
            case Message.Removed.ADMIN -> "an administrator removed this client";
            case Message.Removed.DELETED -> "the VLAN was deleted";
            case Message.Removed.DENIED -> "access control no longer lets the user in";
            default -> "reason " + removed.reason();
        };
        LOG.warn("The server ended this client's membership of VLAN {} ({}); removing {}", entry.vlan, why,
            entry.iface);
        forget(entry);
    }

    /**
     * The VLANs the user may see, every page, with whether each is joined here.
     */
    List<Message.VlanEntry> listVlans() throws Refusal, InterruptedException {
        requireConnected();
        locked();
        try {
            final List<Message.VlanEntry> result = new ArrayList<>();
            String after = "";
            for (int page = 0; page < MAX_PAGES; page++) {
                final var vlans = connection.listVlans(after);
                result.addAll(vlans.vlans());
                if (!vlans.more() || vlans.vlans().isEmpty()) {
                    break;
                }
                final var last = vlans.vlans().get(vlans.vlans().size() - 1).name();
                if (last.compareTo(after) <= 0) {
                    // a page that does not move on would be asked for again and again
                    break;
                }
                after = last;
            }
            return result;
        } catch (ClientFailure e) {
            throw Refusal.of(e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The members of a VLAN, every page.
     */
    List<Message.MemberEntry> members(final String vlan) throws Refusal, InterruptedException {
        requireConnected();
        locked();
        try {
            final List<Message.MemberEntry> result = new ArrayList<>();
            String after = "";
            for (int page = 0; page < MAX_PAGES; page++) {
                final var members = connection.listMembers(vlan, after);
                result.addAll(members.members());
                if (!members.more() || members.members().isEmpty()) {
                    break;
                }
                final var last = members.members().get(members.members().size() - 1).clientId();
                if (last.compareTo(after) <= 0) {
                    break;
                }
                after = last;
            }
            return result;
        } catch (ClientFailure e) {
            throw Refusal.of(e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Creates ({@code create}) or deletes a VLAN on the server.
     */
    void createOrDelete(final String vlan, final boolean create, final boolean open)
            throws Refusal, InterruptedException {
        requireConnected();
        locked();
        try {
            if (create) {
                connection.createVlan(vlan, open);
            } else {
                connection.deleteVlan(vlan);
            }
        } catch (ClientFailure e) {
            throw Refusal.of(e);
        } finally {
            lock.unlock();
        }
    }

    private void requireConnected() throws Refusal {
        if (!connection.connected() || connection.welcome() == null) {
            throw new Refusal("not-connected", ClientFailure.CONNECTION_LOST, "the client is not connected to "
                + "the server now (serval-client status; serval-client up after down)");
        }
    }

    private void locked() throws Refusal, InterruptedException {
        if (!lock.tryLock(LOCK_WAIT_SECONDS, TimeUnit.SECONDS)) {
            throw new Refusal("busy", ClientFailure.CONTROL, "the client is busy with another request to the "
                + "server; try again");
        }
    }

    /**
     * The next servalN that neither this client nor anything else on the machine uses.
     */
    private String nextFreeName() {
        final var taken = bridge.names();
        for (var entry : list()) {
            taken.add(entry.iface);
        }
        for (int n = 0;; n++) {
            final var name = "serval" + n;
            if (!taken.contains(name) && !Files.exists(SYS_NET.resolve(name))) {
                return name;
            }
        }
    }

    private void save() {
        final var vlans = new LinkedHashMap<String, String>();
        for (var entry : list()) {
            vlans.put(entry.vlan, entry.iface);
        }
        store.save(vlans);
    }

    /**
     * Stops handling the server's changes.
     */
    void close() {
        serverChanges.shutdownNow();
    }
}
