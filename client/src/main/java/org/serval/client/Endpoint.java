/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.client;

import static java.util.Objects.requireNonNull;

/**
 * Where the client connects: a host as it is dialled (name or address, as given to --server or named by a node
 * list) and a port.
 */
record Endpoint(String host, int port) {
    Endpoint {
        requireNonNull(host);
    }

    @Override
    public String toString() {
        return host + ":" + port;
    }
}
