/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.client;

import java.io.Serial;

/**
 * Why the client cannot go on, with the exit code a script can act on (serval-client --help,
 * docs/client-control.md).
 */
public final class ClientFailure extends Exception {
    public static final int USAGE = 1;
    public static final int NO_TAP = 2;
    public static final int SERVER = 3;
    public static final int VLAN_REFUSED = 4;
    public static final int CONNECTION_LOST = 5;
    public static final int AUTH = 6;
    // The control commands' own (serval-client status, join, ...; docs/client-control.md).
    public static final int NO_SERVICE = 7;
    public static final int PERMISSION = 8;
    public static final int CONTROL = 9;

    @Serial
    private static final long serialVersionUID = 1L;

    private final int exitCode;
    private final int serverError;

    public ClientFailure(final int exitCode, final String message, final Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
        serverError = 0;
    }

    public ClientFailure(final int exitCode, final String message) {
        this(exitCode, message, null);
    }

    /**
     * The server answered with ERROR (docs/protocol.md, "Error codes").
     */
    ClientFailure(final int exitCode, final String message, final int serverError) {
        super(message);
        this.exitCode = exitCode;
        this.serverError = serverError;
    }

    public int exitCode() {
        return exitCode;
    }

    /**
     * The code of the server's ERROR, or 0 when the failure was no such answer.
     */
    public int serverError() {
        return serverError;
    }
}
