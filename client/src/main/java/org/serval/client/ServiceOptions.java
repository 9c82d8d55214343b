/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.client;

import java.nio.file.Path;

/**
 * How the client runs beside its connection: as a service ({@code run --config FILE}, what systemd runs) or one
 * shot (plain flags, as before issue 13), where its control socket is and where it keeps the VLANs joined.
 *
 * @param service whether a VLAN refused at start, or an administrator's BYE, leaves the client running (idle)
 *     instead of ending it
 * @param controlSocket the control socket's path, or null for none
 * @param stateDir the directory of the joined-VLANs file, or null to keep no state
 */
public record ServiceOptions(boolean service, Path controlSocket, Path stateDir) {
    public static final Path DEFAULT_SOCKET = Path.of("/run/serval-client/control.sock");
    public static final Path DEFAULT_STATE_DIR = Path.of("/var/lib/serval-client");
    /**
     * The environment variable that names the control socket when no option does.
     */
    public static final String SOCKET_ENV = "SERVAL_CLIENT_SOCKET";

    /**
     * As a service has them: a control socket and a state directory always, the defaults unless given. One shot:
     * only what was given.
     */
    public static ServiceOptions of(final boolean service, final Path controlSocket, final Path stateDir) {
        if (!service) {
            return new ServiceOptions(false, controlSocket, stateDir);
        }
        final var env = System.getenv(SOCKET_ENV);
        return new ServiceOptions(true,
            controlSocket != null ? controlSocket : env != null && !env.isEmpty() ? Path.of(env) : DEFAULT_SOCKET,
            stateDir != null ? stateDir : DEFAULT_STATE_DIR);
    }
}
