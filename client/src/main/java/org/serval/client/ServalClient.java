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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.serval.dataplane.protocol.Message;
import org.serval.dataplane.transport.Warmup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running client: brings up the interfaces ({@link TapBridge}), connects and logs in ({@link Connection}), joins
 * every VLAN, and when the node is lost goes to another ({@link Failover}); {@link StatusView} says how it goes.
 */
public final class ServalClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServalClient.class);
    private static final long WARMUP_MILLIS = 4_000;
    // A busy server (ERROR limit at login) is asked again for at least this long, --retry or not: the length of
    // the server's login-throttling window (Bounds.LOGIN_WINDOW_SECONDS), after which a throttled source is let in.
    static final int BUSY_RETRY_SECONDS = 60;

    private final ClientOptions options;
    private final Connection connection;
    private final TapBridge bridge;
    private final Failover failover;
    private final AtomicLong failovers = new AtomicLong();
    // Used by the thread that starts the client and then awaits its end, one loop at a time.
    private final Backoff backoff = Backoff.standard();
    private volatile boolean closing;

    public ServalClient(final ClientOptions options) throws ClientFailure {
        this.options = options;
        connection = new Connection(options, new Events());
        failover = new Failover(new Endpoint(options.host(), options.port()), connection.udp(), connection.trust());
        bridge = new TapBridge(connection::channel);
    }

    /**
     * What the connection passes on: frames and writability to the TAPs, node lists to the failover.
     */
    private final class Events implements Connection.Listener {
        @Override
        public void data(final Message.Data data) {
            bridge.fromServer(data);
        }

        @Override
        public void writable() {
            bridge.resume();
        }

        @Override
        public void nodes(final Message.Nodes list) {
            failover.received(list);
        }
    }

    /**
     * Runs the hot path over loopback first, so that the first frames of the session do not run interpreted.
     */
    private static void warmUp() throws InterruptedException {
        try {
            Warmup.startLogged(WARMUP_MILLIS).get(WARMUP_MILLIS * 2, TimeUnit.MILLISECONDS);
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
        final var attachments = bridge.open(options.vlans(), options.clientId(), offloads());
        final long started = System.nanoTime();
        final long deadline = started + TimeUnit.SECONDS.toNanos(options.retrySeconds());
        final long busyDeadline = started + TimeUnit.SECONDS.toNanos(Math.max(options.retrySeconds(),
            BUSY_RETRY_SECONDS));
        failover.start(deadline, busyDeadline, to -> connection.logIn(to, offloads()), connection::takeMovedTo,
            backoff);
        final var welcome = connection.welcome();
        LOG.info("Connected to {} over {} (node {}), TAP MTU {}", connection.endpoint(), options.transport(),
            welcome.nodeId(), welcome.tapMtu());
        connection.startKeepalives();

        for (var attachment : attachments) {
            backoff.reset();
            Message.Joined joined;
            while (true) {
                try {
                    joined = connection.join(attachment.vlan, attachment.macLong());
                    break;
                } catch (ClientFailure e) {
                    if (e.exitCode() != ClientFailure.VLAN_REFUSED || System.nanoTime() - deadline >= 0) {
                        throw e;
                    }
                    LOG.info("{}; trying again", e.getMessage());
                    backoff.pause(deadline);
                }
            }
            bridge.bind(attachment, joined.vlanRef(), welcome.tapMtu());
            LOG.info("Joined VLAN {} as {} ({})", attachment.vlan, attachment.tap.name(), attachment.mac);
        }
    }

    /**
     * The connection was lost without this client closing it: its node died, or the network between them did.
     * Reconnects to a node from the last node list ({@link Failover#candidates}), logs in again and joins the same
     * VLANs with the same MACs, so that the interfaces, their addresses and the other members' neighbour caches
     * all stay valid. Gives up after --reconnect seconds, or when every node refused the login.
     *
     * @return whether the client is connected again
     * @throws ClientFailure when every node refused the login
     */
    private boolean failover() throws ClientFailure, InterruptedException {
        final var last = connection.welcome();
        final var lost = last == null ? null : last.nodeId();
        final long started = System.nanoTime();
        final long deadline = started + TimeUnit.SECONDS.toNanos(options.reconnectSeconds());
        LOG.warn("Lost the connection to node {} at {}; reconnecting", lost, connection.endpoint());
        final var to = failover.reconnect(lost, deadline, () -> closing, candidate -> {
            try {
                final var welcome = connection.logIn(candidate, offloads());
                rejoin(welcome);
            } catch (ClientFailure e) {
                // a full node's pointer is not followed here: the candidates are already lightest first
                connection.takeMovedTo();
                throw e;
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
     * Joins every VLAN again on a new connection, with the MAC each interface has.
     */
    private void rejoin(final Message.Welcome welcome) throws ClientFailure, InterruptedException {
        bridge.unbindAll();
        for (var attachment : bridge.joined()) {
            final var joined = connection.join(attachment.vlan, attachment.macLong());
            bridge.bind(attachment, joined.vlanRef(), welcome.tapMtu());
        }
    }

    /**
     * Whether the TAPs hand out TCP super-frames and partial checksums to pass on whole: over a TCP stream (a UDP
     * datagram cannot carry 64 KB), when the TAP is polled by the event loop (Linux), unless --no-offload.
     */
    private boolean offloads() {
        return options.offload() && !connection.udp() && Connection.EPOLL;
    }

    /**
     * Blocks until the connection ends.
     *
     * @return true if it ended because this client closed it
     * @throws ClientFailure when no node would take the client back because each refused its login
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
            if (options.reconnectSeconds() == 0 || !failover()) {
                return closing;
            }
            printStatus(status);
        }
    }

    /**
     * What the client is doing now, as data.
     */
    StatusView.Snapshot status() {
        final var welcome = connection.welcome();
        return new StatusView.Snapshot(options.clientId(), connection.endpoint(), options.transport(),
            welcome == null ? null : welcome.nodeId(), connection.connected(), failovers.get(),
            StatusView.vlans(bridge.joined()));
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
        connection.bye();
        bridge.close(connection.group());
        connection.close();
    }
}
