/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.client.control;

import com.google.gson.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.serval.client.ClientFailure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running client's control socket: a Unix domain socket, mode 0660 and group {@code serval} when that group
 * exists, speaking one JSON object per line each way (docs/client-control.md). Each connection has a thread of
 * its own, so that one slow or silent peer holds up nothing but itself; the number of connections, the length of
 * a request line and the time a peer may stay silent are bounded.
 */
public final class ControlServer implements AutoCloseable {
    /**
     * Connections at once: the command line opens one per command and the GUI at most two (its poll and a
     * request); more than that is a local program opening connections without end, each of which would hold a
     * thread.
     */
    public static final int MAX_CONNECTIONS = 8;
    /**
     * The longest request line: a request is a command and a VLAN and an interface name, well under 1 KB; a
     * longer line is a peer that does not speak this protocol, and is not buffered.
     */
    public static final int MAX_LINE = 4096;
    /**
     * How long a peer may take to send a whole line or read an answer before it is dropped: a command line asks
     * at once, and so does the GUI, one connection per request.
     */
    public static final long IDLE_MILLIS = 10_000;
    /**
     * The group that may use the socket besides root, when it exists.
     */
    public static final String GROUP = "serval";

    private static final Logger LOG = LoggerFactory.getLogger(ControlServer.class);

    private final Path path;
    private final ServerSocketChannel server;
    private final ControlRequests requests;
    private final long idleMillis;
    private final AtomicInteger open = new AtomicInteger();
    // Each connection with the System.nanoTime() after which the reaper closes it.
    private final Set<Peer> peers = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService reaper = Executors.newSingleThreadScheduledExecutor(runnable -> {
        final var thread = new Thread(runnable, "serval-control-reaper");
        thread.setDaemon(true);
        return thread;
    });
    private final Thread acceptor;
    private volatile boolean closed;

    private static final class Peer {
        final SocketChannel channel;
        volatile long deadline;

        Peer(final SocketChannel channel) {
            this.channel = channel;
        }
    }

    private ControlServer(final Path path, final ServerSocketChannel server, final ControlRequests requests,
            final long idleMillis) {
        this.path = path;
        this.server = server;
        this.requests = requests;
        this.idleMillis = idleMillis;
        acceptor = new Thread(this::acceptLoop, "serval-control");
        acceptor.setDaemon(true);
    }

    /**
     * Opens the socket at a path, replacing a stale socket file (one nobody answers at, left by a client that
     * died) and refusing to start beside a live one.
     *
     * @throws IOException saying why it cannot (another client runs, the path is not a socket, no permission)
     */
    public static ControlServer open(final Path path, final ControlRequests requests) throws IOException {
        return open(path, requests, IDLE_MILLIS);
    }

    static ControlServer open(final Path path, final ControlRequests requests, final long idleMillis)
            throws IOException {
        final var parent = path.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            if (!Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isOther()) {
                throw new FileAlreadyExistsException(path.toString(), null, "exists and is not a socket; not "
                    + "replaced");
            }
            if (answers(path)) {
                throw new IOException("another serval-client runs with the control socket " + path + " (stop it, or "
                    + "give this one another --control-socket)");
            }
            LOG.info("Replacing the stale control socket {} (nobody answers there)", path);
            Files.delete(path);
        }
        // Bound under a temporary name and moved into place once its mode and group are set, so that the socket
        // is never usable by others, not even for a moment.
        final var temporary = parent.resolve("." + path.getFileName() + "." + ProcessHandle.current().pid());
        Files.deleteIfExists(temporary);
        final var server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(temporary), MAX_CONNECTIONS);
            restrict(temporary);
            Files.move(temporary, path, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            server.close();
            Files.deleteIfExists(temporary);
            throw e;
        }
        final var control = new ControlServer(path, server, requests, idleMillis);
        control.acceptor.start();
        LOG.info("Control socket at {}", path);
        return control;
    }

    private static boolean answers(final Path path) {
        try (var probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.connect(UnixDomainSocketAddress.of(path));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    // 0660 and the group serval; where there are no POSIX permissions (Windows), an ACL to the same effect.
    private static void restrict(final Path socket) throws IOException {
        if (!socket.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            SocketAcl.restrict(socket, GROUP);
            return;
        }
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw----"));
        setGroup(socket);
    }

    private static void setGroup(final Path socket) throws IOException {
        try {
            final var group = socket.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName(GROUP);
            Files.getFileAttributeView(socket, PosixFileAttributeView.class).setGroup(group);
        } catch (UserPrincipalNotFoundException e) {
            LOG.debug("No group {}: the control socket keeps the process's group", GROUP);
        }
    }

    public Path path() {
        return path;
    }

    private void acceptLoop() {
        while (!closed) {
            final SocketChannel channel;
            try {
                channel = server.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("Control socket: {}", e.getMessage());
                }
                return;
            }
            if (open.incrementAndGet() > MAX_CONNECTIONS) {
                open.decrementAndGet();
                refuse(channel);
                continue;
            }
            final var peer = new Peer(channel);
            peer.deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(idleMillis);
            peers.add(peer);
            watch(peer, TimeUnit.MILLISECONDS.toNanos(idleMillis));
            final var thread = new Thread(() -> serve(peer), "serval-control-peer");
            thread.setDaemon(true);
            thread.start();
        }
    }

    /**
     * Answers a connection beyond the bound with an error, without waiting for it: a non-blocking write of one
     * short line into an empty socket buffer, then close.
     */
    private static void refuse(final SocketChannel channel) {
        try (channel) {
            channel.configureBlocking(false);
            channel.write(line(ControlRequests.error(null, new ControlException("busy", ClientFailure.CONTROL,
                "too many control connections at once (" + MAX_CONNECTIONS + "); try again"))));
        } catch (IOException e) {
            LOG.debug("Refusing a control connection: {}", e.getMessage());
        }
    }

    private static ByteBuffer line(final JsonObject answer) {
        return ByteBuffer.wrap((answer + "\n").getBytes(StandardCharsets.UTF_8));
    }

    private void serve(final Peer peer) {
        final var channel = peer.channel;
        final var buffer = ByteBuffer.allocate(1024);
        final var line = new ByteArrayOutputStream();
        try (channel) {
            while (!closed) {
                buffer.clear();
                if (channel.read(buffer) < 0) {
                    return;
                }
                buffer.flip();
                while (buffer.hasRemaining()) {
                    final byte b = buffer.get();
                    if (b != '\n') {
                        line.write(b);
                        if (line.size() > MAX_LINE) {
                            write(peer, ControlRequests.error(null, ControlRequests.usage("request line longer than "
                                + MAX_LINE + " bytes")));
                            return;
                        }
                        continue;
                    }
                    // The request's own time is the client's, not the peer's: the reaper waits for it.
                    peer.deadline = Long.MAX_VALUE;
                    final var answer = requests.answer(line.toString(StandardCharsets.UTF_8));
                    line.reset();
                    write(peer, answer);
                }
                peer.deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(idleMillis);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            LOG.debug("Control connection: {}", e.getMessage());
        } finally {
            peers.remove(peer);
            open.decrementAndGet();
        }
    }

    private void write(final Peer peer, final JsonObject answer) throws IOException {
        peer.deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(idleMillis);
        final var bytes = line(answer);
        while (bytes.hasRemaining()) {
            peer.channel.write(bytes);
        }
    }

    /**
     * Looks at a connection again when its deadline would be up. One timer per open connection and none without:
     * an idle client wakes up for nothing here.
     */
    private void watch(final Peer peer, final long delayNanos) {
        try {
            reaper.schedule(() -> check(peer), delayNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // closing: close() ends every connection
        }
    }

    /**
     * Closes the connection if its peer has been silent (or has not read) past its deadline, which ends the
     * blocked read or write of its thread; otherwise looks again when the deadline is up.
     */
    private void check(final Peer peer) {
        if (!peers.contains(peer)) {
            return;
        }
        final long deadline = peer.deadline;
        if (deadline == Long.MAX_VALUE) {
            // a request is being answered: the time is the client's, not the peer's
            watch(peer, TimeUnit.MILLISECONDS.toNanos(idleMillis));
            return;
        }
        final long left = deadline - System.nanoTime();
        if (left > 0) {
            watch(peer, left);
            return;
        }
        LOG.debug("Dropping a silent control connection");
        try {
            peer.channel.close();
        } catch (IOException e) {
            LOG.debug("Closing a control connection: {}", e.getMessage());
        }
        peers.remove(peer);
    }

    /**
     * Stops answering and removes the socket file.
     */
    @Override
    public void close() {
        closed = true;
        reaper.shutdownNow();
        try {
            server.close();
        } catch (IOException e) {
            LOG.debug("Closing the control socket: {}", e.getMessage());
        }
        for (var peer : peers) {
            try {
                peer.channel.close();
            } catch (IOException e) {
                LOG.debug("Closing a control connection: {}", e.getMessage());
            }
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.warn("Cannot remove the control socket {}: {}", path, e.getMessage());
        }
    }
}
