/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.client.gui;

import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.serval.client.control.ControlClient;
import org.serval.client.control.ControlException;
import org.serval.client.gui.GuiState.Health;
import org.serval.client.gui.GuiState.Member;
import org.serval.client.gui.GuiState.Status;
import org.serval.client.gui.GuiState.Throughput;
import org.serval.client.gui.GuiState.Vlan;

/**
 * The GUI's model, without Swing: it reads the client through its control socket only (docs/client-control.md),
 * {@code status} once a period on one scheduled thread, {@code list} and the selected VLAN's {@code members} less
 * often (those go to the server), and runs the user's requests (join, leave, create, up, down) one at a time on a
 * thread of their own, so that a join waiting for the server holds up neither the status nor the window. Each
 * change makes a new {@link GuiState} for the listeners, called on those threads.
 */
public final class GuiModel implements AutoCloseable {
    /**
     * How often the status is read: the counters and the graph move once a second, like a tray app's.
     */
    public static final Duration PERIOD = Duration.ofSeconds(1);
    /**
     * The list and the members are read every this many status polls (and at once after a change): each is a
     * request to the server, paged, which a once-a-second poll would repeat for nothing.
     */
    static final int SERVER_POLL_EVERY = 5;
    /**
     * Samples of the throughput graph: a minute at one a second.
     */
    static final int HISTORY = 60;
    /**
     * Requests of the user waiting behind the one under way: a few clicks ahead; more are refused with a message
     * rather than queued without end.
     */
    static final int MAX_QUEUED_ACTIONS = 4;
    // The status is answered from the client's memory at once; a service that takes longer is stuck.
    private static final Duration STATUS_TIMEOUT = Duration.ofSeconds(5);
    // As the command line: a join waits for the server (up to 10 s an answer), a list for every page of it.
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

    /**
     * One request on the control socket; the real one is {@link ControlClient#call}.
     */
    @FunctionalInterface
    interface Control {
        JsonObject call(JsonObject request, Duration timeout) throws ControlException;
    }

    private final Path socket;
    private final Control control;
    private final Duration period;
    private final List<Consumer<GuiState>> listeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService poller;
    private final ExecutorService actions;
    // Samples and the counters they were computed from, touched by the poll thread only.
    private final Map<String, long[]> lastCounters = new HashMap<>();
    private final Map<String, List<Double>> samplesIn = new HashMap<>();
    private final Map<String, List<Double>> samplesOut = new HashMap<>();
    private long lastPollNanos;
    private int polls;
    private volatile boolean serverDataStale = true;
    private GuiState state = GuiState.starting();

    /**
     * A model for the client at this control socket, polling every {@link #PERIOD} once started.
     */
    public GuiModel(final Path socket) {
        this(socket, (request, timeout) -> ControlClient.call(socket, request, timeout), PERIOD);
    }

    GuiModel(final Path socket, final Control control, final Duration period) {
        this.socket = socket;
        this.control = control;
        this.period = period;
        poller = new ScheduledThreadPoolExecutor(1, runnable -> daemon(runnable, "serval-gui-poll"));
        actions = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
            new LinkedBlockingQueue<>(MAX_QUEUED_ACTIONS), runnable -> daemon(runnable, "serval-gui-request"));
    }

    private static Thread daemon(final Runnable runnable, final String name) {
        final var thread = new Thread(runnable, name);
        thread.setDaemon(true);
        return thread;
    }

    public Path socket() {
        return socket;
    }

    /**
     * Starts polling: at once, then every period.
     */
    public void start() {
        poller.scheduleWithFixedDelay(this::poll, 0, period.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Adds a listener, called with each new state on the model's threads (a view hands it to its own thread).
     */
    public void addListener(final Consumer<GuiState> listener) {
        listeners.add(listener);
    }

    public synchronized GuiState state() {
        return state;
    }

    /**
     * Shows the members of this VLAN (null: none), read at once.
     */
    public void select(final String vlan) {
        update(s -> new GuiState(s.health(), s.message(), s.status(), s.vlans(), vlan,
            vlan != null && vlan.equals(s.selected()) ? s.members() : List.of(), s.pending(), s.actionError(),
            s.throughput(), s.updated()));
        refresh();
    }

    /**
     * Reads everything again soon, the list and members too.
     */
    public void refresh() {
        serverDataStale = true;
        submitPoll();
    }

    private void submitPoll() {
        try {
            poller.execute(this::poll);
        } catch (RejectedExecutionException e) {
            // closed
        }
    }

    public void join(final String vlan) {
        submit("Joining " + vlan, command("join", vlan));
    }

    public void leave(final String vlan) {
        submit("Leaving " + vlan, command("leave", vlan));
    }

    /**
     * Creates a VLAN on the server (where access control lets this user) and joins it.
     */
    public void create(final String vlan, final boolean open) {
        final var create = command("create", vlan);
        create.addProperty("open", open);
        submit("Creating " + vlan, create, command("join", vlan));
    }

    /**
     * Connects again ({@code up}).
     */
    public void connect() {
        submit("Connecting", command("up", null));
    }

    /**
     * Ends the session, the client keeps running ({@code down}).
     */
    public void disconnect() {
        submit("Disconnecting", command("down", null));
    }

    static JsonObject command(final String cmd, final String vlan) {
        final var request = new JsonObject();
        request.addProperty("cmd", cmd);
        if (vlan != null) {
            request.addProperty("vlan", vlan);
        }
        return request;
    }

    private void submit(final String what, final JsonObject... requests) {
        try {
            actions.execute(() -> run(what, requests));
            update(s -> s.withPending(what, null));
        } catch (RejectedExecutionException e) {
            update(s -> s.withPending(s.pending(), "Too many requests at once; wait for " + s.pending()));
        }
    }

    private void run(final String what, final JsonObject... requests) {
        update(s -> s.withPending(what, null));
        String error = null;
        for (var request : requests) {
            try {
                control.call(request, REQUEST_TIMEOUT);
            } catch (ControlException e) {
                error = Messages.ofRequest(e, socket);
                break;
            }
        }
        final var failure = error;
        update(s -> s.withPending(null, failure));
        refresh();
    }

    private void poll() {
        Status status;
        try {
            status = Status.of(control.call(command("status", null), STATUS_TIMEOUT));
        } catch (ControlException e) {
            final var health = Messages.healthOf(e);
            final var message = Messages.ofService(e, socket);
            lastCounters.clear();
            serverDataStale = true;
            update(s -> new GuiState(health, message, null, List.of(), s.selected(), List.of(), s.pending(),
                s.actionError(), Map.of(), s.updated()));
            return;
        } catch (IllegalStateException | UnsupportedOperationException e) {
            // a status whose fields have other types than documented
            update(s -> new GuiState(Health.NOT_ANSWERING, "The client's status is not as expected: "
                + e.getMessage(), null, List.of(), s.selected(), List.of(), s.pending(), s.actionError(),
                Map.of(), s.updated()));
            return;
        }
        final var health = Messages.healthOf(status);
        final var throughput = sample(status);
        final boolean askServer = health.online() && (serverDataStale || polls % SERVER_POLL_EVERY == 0);
        polls++;
        List<Vlan> vlans = state().vlans();
        List<Member> members = state().members();
        String serverError = null;
        final var selected = state().selected();
        if (!health.online()) {
            vlans = List.of();
            members = List.of();
        } else if (askServer) {
            serverDataStale = false;
            try {
                vlans = vlans(control.call(command("list", null), REQUEST_TIMEOUT));
                members = selected == null ? List.of()
                    : members(control.call(command("members", selected), REQUEST_TIMEOUT));
            } catch (ControlException e) {
                serverError = Messages.ofRequest(e, socket);
                serverDataStale = true;
            }
        }
        final var message = serverError != null ? serverError : Messages.ofStatus(status);
        final var list = vlans;
        final var shown = members;
        update(s -> new GuiState(health, message, status, list, s.selected(),
            selected != null && selected.equals(s.selected()) ? shown : s.members(), s.pending(), s.actionError(),
            throughput, Instant.now()));
    }

    private static List<Vlan> vlans(final JsonObject list) {
        final var vlans = new ArrayList<Vlan>();
        for (var element : GuiState.array(list, "vlans")) {
            vlans.add(Vlan.of(element.getAsJsonObject()));
        }
        return List.copyOf(vlans);
    }

    private static List<Member> members(final JsonObject answer) {
        final var members = new ArrayList<Member>();
        for (var element : GuiState.array(answer, "members")) {
            members.add(Member.of(element.getAsJsonObject()));
        }
        return List.copyOf(members);
    }

    /**
     * Frames a second since the last poll, per VLAN in the status; VLANs no longer there are forgotten.
     */
    private Map<String, Throughput> sample(final Status status) {
        final long now = System.nanoTime();
        final double seconds = lastPollNanos == 0 ? 0 : (now - lastPollNanos) / 1e9;
        final var result = new LinkedHashMap<String, Throughput>();
        if (lastPollNanos != 0 && seconds < period.toNanos() / 2e9) {
            // A poll soon after the last one (a refresh after a click): over so short a time the counters say
            // little, and the graph would jump; the samples stay as they are.
            for (var vlan : status.vlans()) {
                result.put(vlan.name(), new Throughput(List.copyOf(samplesIn.getOrDefault(vlan.name(), List.of())),
                    List.copyOf(samplesOut.getOrDefault(vlan.name(), List.of()))));
            }
            return result;
        }
        lastPollNanos = now;
        final var present = new HashMap<String, long[]>();
        for (var vlan : status.vlans()) {
            final long[] counters = {vlan.framesIn(), vlan.framesOut()};
            present.put(vlan.name(), counters);
            final var in = samplesIn.computeIfAbsent(vlan.name(), k -> new ArrayList<>());
            final var out = samplesOut.computeIfAbsent(vlan.name(), k -> new ArrayList<>());
            final var before = lastCounters.get(vlan.name());
            if (before != null && seconds > 0) {
                // a counter that went back (the interface was made again) starts over from zero
                add(in, Math.max(0, counters[0] - before[0]) / seconds);
                add(out, Math.max(0, counters[1] - before[1]) / seconds);
            }
            result.put(vlan.name(), new Throughput(List.copyOf(in), List.copyOf(out)));
        }
        lastCounters.clear();
        lastCounters.putAll(present);
        samplesIn.keySet().retainAll(present.keySet());
        samplesOut.keySet().retainAll(present.keySet());
        return result;
    }

    private static void add(final List<Double> samples, final double value) {
        samples.add(value);
        if (samples.size() > HISTORY) {
            samples.remove(0);
        }
    }

    private void update(final UnaryOperator<GuiState> change) {
        final GuiState next;
        synchronized (this) {
            next = change.apply(state);
            state = next;
        }
        for (var listener : listeners) {
            listener.accept(next);
        }
    }

    /**
     * Stops polling; a request under way is abandoned (the client finishes it on its own).
     */
    @Override
    public void close() {
        poller.shutdownNow();
        actions.shutdownNow();
    }
}
