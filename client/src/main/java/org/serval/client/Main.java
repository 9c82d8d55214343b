/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.client;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code serval-client}: see {@link ClientOptions#usage()}.
 */
public final class Main {
    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    private Main() {
        // entry point only
    }

    public static void main(final String[] args) {
        System.exit(run(args, new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
            StandardCharsets.UTF_8)));
    }

    static int run(final String[] args, final PrintStream out) {
        if (args.length == 0 || "--help".equals(args[0]) || "-h".equals(args[0])) {
            out.println(ClientOptions.usage());
            return args.length == 0 ? ClientFailure.USAGE : 0;
        }
        final ClientOptions options;
        try {
            options = ClientOptions.parse(args);
        } catch (IllegalArgumentException e) {
            LOG.error("Cannot go on: {}", e.getMessage());
            out.println("serval-client: " + e.getMessage() + " (--help for usage)");
            return ClientFailure.USAGE;
        }
        final ServalClient client;
        try {
            client = new ServalClient(options);
        } catch (ClientFailure e) {
            LOG.error("Cannot go on: {}", e.getMessage());
            out.println("serval-client: " + e.getMessage());
            return e.exitCode();
        }
        // SIGTERM and Ctrl-C: say goodbye and remove the interfaces.
        final var hook = new Thread(() -> {
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
            client.close();
        }
    }
}
