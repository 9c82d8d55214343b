/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.transport;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;

/**
 * What a test sees of a listener from a plain socket: whether the server closed the connection.
 */
public final class SocketProbe {
    private SocketProbe() {
        // static helpers only
    }

    /**
     * Whether the server closes the connection within a while, reading (and dropping) whatever it says before.
     */
    public static boolean closedWithin(final Socket socket, final long millis) throws IOException {
        socket.setSoTimeout((int) millis);
        try {
            while (socket.getInputStream().read() >= 0) {
                // what the server said before it closed
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true;
        }
    }
}
