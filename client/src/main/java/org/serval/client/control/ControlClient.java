/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.client.control;

import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.serval.client.ClientFailure;

/**
 * The command line's side of the control socket: one request, one answer (docs/client-control.md).
 */
public final class ControlClient {
    // An answer holds at most a list of VLANs or members, paged from the server 2 KB at a time.
    private static final int MAX_ANSWER = 4 * 1024 * 1024;

    private ControlClient() {
        // static only
    }

    /**
     * Sends a request to the client at {@code socket} and returns its answer's {@code result}.
     *
     * @param timeout how long to wait for the answer (a join waits for the server)
     * @throws ControlException the answer's error, or why there was none: no client runs (exit 7), the socket is
     *     not this user's to use (8), no answer in time or a bad one (9)
     */
    public static JsonObject call(final Path socket, final JsonObject request, final Duration timeout)
            throws ControlException {
        final var answer = exchange(socket, request, timeout);
        if (answer.has("ok") && answer.get("ok").getAsBoolean()) {
            return answer.has("result") ? answer.getAsJsonObject("result") : new JsonObject();
        }
        final var error = answer.getAsJsonObject("error");
        if (error == null) {
            throw new ControlException("bad-answer", ClientFailure.CONTROL, "the client answered neither ok nor "
                + "an error");
        }
        throw new ControlException(string(error, "code"), error.has("exit") ? error.get("exit").getAsInt()
            : ClientFailure.CONTROL, string(error, "message"));
    }

    private static String string(final JsonObject object, final String key) {
        return object.has(key) && !object.get(key).isJsonNull() ? object.get(key).getAsString() : "";
    }

    private static JsonObject exchange(final Path socket, final JsonObject request, final Duration timeout)
            throws ControlException {
        final var timedOut = new AtomicBoolean();
        try (var channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            try {
                channel.connect(UnixDomainSocketAddress.of(socket));
            } catch (IOException e) {
                throw notConnected(socket, e);
            }
            // Closing the channel from elsewhere ends a blocked read: the one timeout a blocking channel has.
            CompletableFuture.delayedExecutor(timeout.toMillis(), TimeUnit.MILLISECONDS).execute(() -> {
                timedOut.set(true);
                try {
                    channel.close();
                } catch (IOException e) {
                    // closing anyway
                }
            });
            final var bytes = (request.toString() + "\n").getBytes(StandardCharsets.UTF_8);
            final var out = ByteBuffer.wrap(bytes);
            while (out.hasRemaining()) {
                channel.write(out);
            }
            final var line = new ByteArrayOutputStream();
            final var in = ByteBuffer.allocate(8192);
            while (true) {
                in.clear();
                if (channel.read(in) < 0) {
                    throw new ControlException("bad-answer", ClientFailure.CONTROL, "the client closed the control "
                        + "connection without an answer");
                }
                in.flip();
                while (in.hasRemaining()) {
                    final byte b = in.get();
                    if (b == '\n') {
                        return JsonParser.parseString(line.toString(StandardCharsets.UTF_8)).getAsJsonObject();
                    }
                    line.write(b);
                }
                if (line.size() > MAX_ANSWER) {
                    throw new ControlException("bad-answer", ClientFailure.CONTROL, "the client's answer is "
                        + "longer than " + MAX_ANSWER + " bytes");
                }
            }
        } catch (IOException e) {
            if (timedOut.get()) {
                throw new ControlException("timeout", ClientFailure.CONTROL, "no answer from the client at " + socket
                    + " within " + timeout.toSeconds() + " s", e);
            }
            throw new ControlException("bad-answer", ClientFailure.CONTROL, "the control connection to " + socket
                + " failed: " + e.getMessage(), e);
        } catch (JsonParseException | IllegalStateException e) {
            throw new ControlException("bad-answer", ClientFailure.CONTROL, "the client's answer is not a JSON "
                + "object: " + e.getMessage(), e);
        }
    }

    private static ControlException notConnected(final Path socket, final IOException failure) {
        final var message = String.valueOf(failure.getMessage());
        if (message.contains("Permission denied") || message.contains("Operation not permitted")) {
            return new ControlException("permission", ClientFailure.PERMISSION, "no permission to use the control "
                + "socket " + socket + ": run as root or as a member of the group serval", failure);
        }
        return new ControlException("no-service", ClientFailure.NO_SERVICE, "no serval-client runs with the "
            + "control socket " + socket + " (" + message + "); start it (systemctl start serval-client) or name "
            + "its socket with --socket or SERVAL_CLIENT_SOCKET", failure);
    }
}
