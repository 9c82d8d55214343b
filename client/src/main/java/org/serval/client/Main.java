/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.client;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import org.serval.client.cli.ClientCommand;
import org.serval.client.control.ControlRequests;
import org.serval.client.control.ControlServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code serval-client}: the command line is {@link ClientCommand}'s; this runs the client itself for its
 * {@code run}.
 */
public final class Main {
    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    private Main() {
        // entry point only
    }

    public static void main(final String[] args) {
        System.exit(ClientCommand.execute(args, writer(FileDescriptor.out), writer(FileDescriptor.err)));
    }

    private static PrintWriter writer(final FileDescriptor fd) {
        return new PrintWriter(new OutputStreamWriter(new FileOutputStream(fd), StandardCharsets.UTF_8), true);
    }

    /**
     * Runs the client until it is stopped (SIGTERM, Ctrl-C) or cannot go on.
     *
     * @return the exit code ({@link ClientFailure})
     */
    public static int runClient(final ClientOptions options, final ServiceOptions service, final PrintWriter out) {
        final ServalClient client;
        try {
            client = new ServalClient(options, service);
        } catch (ClientFailure e) {
            LOG.error("Cannot go on: {}", e.getMessage());
            out.println("serval-client: " + e.getMessage());
            return e.exitCode();
        }
        // Before connecting, so that status answers while the client connects.
        final ControlServer control;
        try {
            control = service.controlSocket() == null ? null
                : ControlServer.open(service.controlSocket(), new ControlRequests(new ServiceControl(client)));
        } catch (IOException e) {
            LOG.error("Cannot open the control socket {}: {}", service.controlSocket(), e.getMessage());
            out.println("serval-client: cannot open the control socket " + service.controlSocket() + ": "
                + e.getMessage());
            client.close();
            return ClientFailure.USAGE;
        }
        // SIGTERM and Ctrl-C: say goodbye and remove the interfaces.
        final var hook = new Thread(() -> {
            if (control != null) {
                control.close();
            }
            client.close();
            client.printStatus(out);
        }, "serval-client-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            client.start();
            client.printStatus(out);
            if (client.awaitEnd(out)) {
                // stopped by a signal: the shutdown hook says goodbye and prints the last status
                return 0;
            }
            LOG.error("The connection to the server was lost");
            out.println("serval-client: the connection to the server was lost");
            return ClientFailure.CONNECTION_LOST;
        } catch (ClientFailure e) {
            LOG.error("Cannot go on: {}", e.getMessage());
            out.println("serval-client: " + e.getMessage());
            return e.exitCode();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        } finally {
            if (control != null) {
                control.close();
            }
            client.close();
        }
    }
}
