/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.client;

import java.io.PrintWriter;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.serval.dataplane.protocol.Message;
import org.serval.dataplane.transport.Warmup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running client: brings up the interfaces ({@link TapBridge}), connects and logs in ({@link Connection}), joins
 * its VLANs ({@link Memberships}), and when the node is lost goes to another ({@link Failover}); {@link StatusView}
 * says how it goes. {@code down} and {@code up} (control socket) end and resume the session while it runs.
 */
public final class ServalClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServalClient.class);
    private static final long WARMUP_MILLIS = 4_000;
    // A busy server (ERROR limit at login) is asked again for at least this long, --retry or not: the length of
    // the server's login-throttling window (Bounds.LOGIN_WINDOW_SECONDS), after which a throttled source is let in.
    static final int BUSY_RETRY_SECONDS = 60;

    private final ClientOptions options;
    private final ServiceOptions service;
    private final Connection connection;
    private final TapBridge bridge;
    private final Failover failover;
    private final Memberships memberships;
    private final AtomicLong failovers = new AtomicLong();
    // Used by the thread that starts the client and then awaits its end, one loop at a time.
    private final Backoff backoff = Backoff.standard();
    // Released by up (and close) for the main thread waiting while the client is down.
    private final Semaphore upRequests = new Semaphore(0);
    private volatile boolean closing;
    // The user said down (control socket); the session stays ended until up.
    private volatile boolean down;
    // The server said BYE admin in the session that ended last.
    private volatile boolean adminBye;
    // Why the client is not connected, when it is down or disconnected for good; null otherwise.
    private volatile String idleReason;

    public ServalClient(final ClientOptions options, final ServiceOptions service) throws ClientFailure {
        this.options = options;
        this.service = service;
        connection = new Connection(options, new Events());
        failover = new Failover(new Endpoint(options.host(), options.port()), connection.udp(), connection.trust());
        bridge = new TapBridge(connection::channel);
        memberships = new Memberships(options, connection, bridge, new JoinedVlans(service.stateDir()),
            service.service(), this::offloads);
    }

    /**
     * What the connection passes on: frames and writability to the TAPs, node lists to the failover, the server's
     * membership changes to the memberships.
     */
    private final class Events implements Connection.Listener {
        @Override
        public void data(final Message.Data data) {
            bridge.fromServer(data);
        }

        @Override
        public void readComplete() {
            bridge.flushToTaps();
        }

        @Override
        public void writable() {
            bridge.resume();
        }

        @Override
        public void nodes(final Message.Nodes list) {
            failover.received(list);
        }

        @Override
        public void membership(final Message message) {
            memberships.serverChange(message);
        }

        @Override
        public void bye(final int reason) {
            if (reason == Message.Bye.ADMIN) {
                adminBye = true;
            }
        }
    }

    /**
     * Runs the hot path over loopback first, so that the first frames of the session do not run interpreted.
     */
    private void warmUp() throws InterruptedException {
        try {
            // the path this client's frames will take: TLS over TCP, or sealed datagrams
            final var warmup = connection.udp() && Connection.EPOLL
                ? DatagramWarmup.startLogged(Warmup.FRAMES, WARMUP_MILLIS) : Warmup.startLogged(WARMUP_MILLIS);
            warmup.get(WARMUP_MILLIS * 2, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            // logged by the warm-up; only speed is at stake
        } catch (TimeoutException e) {
            LOG.info("The JIT warm-up did not end in time; connecting anyway");
        }
    }

    /**
     * Brings the interfaces up, connects and joins every VLAN. The interfaces come first, so that they exist (for
     * the system to configure) while the server is still being reached, and stay across reconnections.
     */
    public void start() throws ClientFailure, InterruptedException {
        // Before the interfaces: an interface that is up means the client is about to join, as it did before.
        if (options.warmup()) {
            warmUp();
        }
        memberships.open();
        final long started = System.nanoTime();
        final long deadline = started + TimeUnit.SECONDS.toNanos(options.retrySeconds());
        final long busyDeadline = started + TimeUnit.SECONDS.toNanos(Math.max(options.retrySeconds(),
            BUSY_RETRY_SECONDS));
        final var lock = memberships.lock();
        failover.start(deadline, busyDeadline, to -> {
            lock.lockInterruptibly();
            try {
                connection.logIn(to, offloadsFromServer());
            } finally {
                lock.unlock();
            }
        }, connection::takeMovedTo, backoff);
        final var welcome = connection.welcome();
        LOG.info("Connected to {} over {} (node {}), TAP MTU {}", connection.endpoint(), options.transport(),
            welcome.nodeId(), welcome.tapMtu());
        connection.startKeepalives();
        lock.lockInterruptibly();
        try {
            memberships.joinAll(welcome, deadline, backoff);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The connection was lost without this client closing it: its node died, or the network between them did.
     * Reconnects to a node from the last node list ({@link Failover#candidates}), logs in again and joins the same
     * VLANs with the same MACs, so that the interfaces, their addresses and the other members' neighbour caches
     * all stay valid. Gives up after {@code seconds}, or when every node refused the login.
     *
     * @return whether the client is connected again
     * @throws ClientFailure when every node refused the login
     */
    private boolean failover(final int seconds) throws ClientFailure, InterruptedException {
        final var last = connection.welcome();
        final var lost = last == null ? null : last.nodeId();
        final long started = System.nanoTime();
        final long deadline = started + TimeUnit.SECONDS.toNanos(seconds);
        LOG.warn("Not connected to node {} at {}; reconnecting", lost, connection.endpoint());
        final var lock = memberships.lock();
        final var to = failover.reconnect(lost, deadline, () -> closing || down, candidate -> {
            lock.lockInterruptibly();
            try {
                final var welcome = connection.logIn(candidate, offloadsFromServer());
                memberships.joinAll(welcome, System.nanoTime(), Backoff.standard());
            } catch (ClientFailure e) {
                // a full node's pointer is not followed here: the candidates are already lightest first
                connection.takeMovedTo();
                throw e;
            } finally {
                lock.unlock();
            }
        }, backoff);
        if (to == null) {
            return false;
        }
        failovers.incrementAndGet();
        LOG.info("Reconnected to node {} at {} after {} ms", connection.welcome().nodeId(), to,
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        return true;
    }

    /**
     * Whether the TAPs hand out TCP super-frames and partial checksums: when the TAP is polled by the event loop
     * (Linux), unless --no-offload. Over a stream they cross whole; over UDP they are cut here, after one read
     * instead of one per segment, and leave in one GSO send (DatagramPipeline).
     */
    private boolean offloads() {
        return options.offload() && Connection.EPOLL;
    }

    /**
     * Whether to ask the server for super-frames (HELLO's offload flag): only over a stream, since a datagram
     * cannot carry 64 KB.
     */
    private boolean offloadsFromServer() {
        return offloads() && !connection.udp();
    }

    /**
     * Blocks until the client ends: stopped, or the connection lost for good. While the user has it down (or an
     * administrator disconnected a service), it waits for {@link #up()}.
     *
     * @return true if it ended because this client was stopped
     * @throws ClientFailure when no node would take the client back because each refused its login, or (one shot)
     *     an administrator disconnected it
     */
    public boolean awaitEnd(final PrintWriter status) throws ClientFailure, InterruptedException {
        while (true) {
            final var closed = connection.channel().closeFuture();
            while (!closed.await(options.statusSeconds() == 0 ? Long.MAX_VALUE / 2 : options.statusSeconds(),
                    TimeUnit.SECONDS)) {
                printStatus(status);
            }
            if (closing) {
                return true;
            }
            if (adminBye) {
                adminBye = false;
                if (!service.service()) {
                    throw new ClientFailure(ClientFailure.CONNECTION_LOST, "an administrator disconnected this "
                        + "client");
                }
                idleReason = "an administrator disconnected this client; serval-client up connects again";
                LOG.warn("An administrator disconnected this client; waiting for serval-client up");
                bridge.setUp(false);
            }
            if (down || idleReason != null) {
                if (!waitForUp()) {
                    return true;
                }
                if (!failover(Math.max(options.reconnectSeconds(), BUSY_RETRY_SECONDS))) {
                    if (closing) {
                        return true;
                    }
                    idleReason = "serval-client up could not reconnect; it may be tried again";
                    continue;
                }
                idleReason = null;
                bridge.setUp(true);
                printStatus(status);
                continue;
            }
            if (options.reconnectSeconds() == 0 || !failover(options.reconnectSeconds())) {
                if (down && !closing) {
                    // the user said down while the client was reconnecting
                    continue;
                }
                return closing;
            }
            printStatus(status);
        }
    }

    /**
     * Waits while the client is down.
     *
     * @return false when the client is closing instead
     */
    private boolean waitForUp() throws InterruptedException {
        while (!closing) {
            if (upRequests.tryAcquire(1, TimeUnit.SECONDS) && !closing) {
                return true;
            }
        }
        return false;
    }

    /**
     * Ends the session with BYE, at the user's request; the interfaces stay, set down, and the client waits for
     * {@link #up()}.
     */
    void down() throws InterruptedException {
        final var lock = memberships.lock();
        lock.lockInterruptibly();
        try {
            down = true;
            idleReason = "down (serval-client down); serval-client up connects again";
            upRequests.drainPermits();
            connection.bye();
            bridge.setUp(false);
            LOG.info("Down at the user's request: session ended, interfaces down");
        } finally {
            lock.unlock();
        }
    }

    /**
     * Connects again after {@link #down()} or an administrator's BYE, and waits up to {@code millis} for it.
     *
     * @return whether the client is connected
     */
    boolean up(final long millis) throws InterruptedException {
        if (connection.connected()) {
            return true;
        }
        down = false;
        upRequests.release();
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() - deadline < 0) {
            if (connection.connected() && idleReason == null) {
                return true;
            }
            Thread.sleep(50);
        }
        return connection.connected();
    }

    Memberships memberships() {
        return memberships;
    }

    /**
     * What the client is doing now, as data: from memory, never waiting for the server or a request.
     */
    StatusView.Snapshot status() {
        final var welcome = connection.welcome();
        final boolean connected = connection.connected();
        final String state = closing ? "stopping"
            : down ? "down"
            : idleReason != null ? "disconnected"
            : connected ? "connected"
            : welcome == null ? "connecting" : "reconnecting";
        return new StatusView.Snapshot(options.clientId(), options.user(), connection.endpoint(),
            options.transport(), welcome == null ? null : welcome.nodeId(), connected, state,
            connected ? null : idleReason, service.service(), failovers.get(),
            StatusView.vlans(memberships.list()));
    }

    public void printStatus(final PrintWriter out) {
        StatusView.print(status(), out);
    }

    /**
     * Says goodbye, removes the interfaces, stops.
     */
    @Override
    public void close() {
        closing = true;
        upRequests.release();
        memberships.close();
        connection.bye();
        bridge.close(connection.group());
        connection.close();
    }
}
