/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.client.control;

import java.io.Serial;

/**
 * A control request that failed: the error object of docs/client-control.md, with the exit code the command
 * line ends with.
 */
public final class ControlException extends Exception {
    @Serial
    private static final long serialVersionUID = 1L;

    private final String code;
    private final int exitCode;

    /**
     * A failure.
     *
     * @param code the error's name, as in docs/client-control.md ("not-connected", "vlan-refused", ...)
     * @param exitCode the exit code of {@code serval-client} for it (ClientFailure)
     */
    public ControlException(final String code, final int exitCode, final String message) {
        this(code, exitCode, message, null);
    }

    public ControlException(final String code, final int exitCode, final String message, final Throwable cause) {
        super(message, cause);
        this.code = code;
        this.exitCode = exitCode;
    }

    public String code() {
        return code;
    }

    public int exitCode() {
        return exitCode;
    }
}
