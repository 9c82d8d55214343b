/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.client.gui;

import java.nio.file.Path;
import org.serval.client.control.ControlException;
import org.serval.client.gui.GuiState.Health;
import org.serval.client.gui.GuiState.Status;

/**
 * The control socket's answers and failures in words for the window: what is wrong and what to do about it.
 */
final class Messages {
    private Messages() {
        // static only
    }

    static Health healthOf(final ControlException failure) {
        return switch (failure.code()) {
            case "no-service" -> Health.NO_SERVICE;
            case "permission" -> Health.NO_PERMISSION;
            default -> Health.NOT_ANSWERING;
        };
    }

    static Health healthOf(final Status status) {
        final var state = status.state() == null ? "" : status.state();
        return switch (state) {
            case "connected" -> status.connected() ? Health.CONNECTED : Health.RECONNECTING;
            case "connecting" -> Health.CONNECTING;
            case "reconnecting" -> Health.RECONNECTING;
            case "down" -> Health.DOWN;
            case "stopping" -> Health.STOPPING;
            default -> Health.DISCONNECTED;
        };
    }

    /**
     * Why the status could not be read.
     */
    static String ofService(final ControlException failure, final Path socket) {
        return switch (failure.code()) {
            case "no-service" -> "The SERVAL client service is not running: nobody answers at " + socket
                + ". Start it (sudo systemctl start serval-client), or give its socket with --control.";
            case "permission" -> "No permission to use the client's control socket " + socket + ": run as root or "
                + "as a member of the group serval (sudo usermod -aG serval $USER, then log in again).";
            default -> "The SERVAL client service does not answer as expected: " + failure.getMessage();
        };
    }

    /**
     * What is wrong with the client's connection, null when it is connected.
     */
    static String ofStatus(final Status status) {
        final var reason = status.reason() == null ? "" : " (" + status.reason() + ")";
        return switch (healthOf(status)) {
            case CONNECTED -> null;
            case CONNECTING -> "Not logged in yet: connecting to " + status.server() + reason + ".";
            case RECONNECTING -> "Server " + status.server() + " unreachable: the client keeps trying its nodes"
                + reason + ".";
            case DOWN -> "Disconnected: you said Disconnect" + reason + ". Connect to go back online.";
            case STOPPING -> "The client service is stopping.";
            default -> "Disconnected from " + status.server() + reason + ". Connect to try again.";
        };
    }

    /**
     * Why a request (join, leave, create, list, members, up, down) failed.
     */
    static String ofRequest(final ControlException failure, final Path socket) {
        return switch (failure.code()) {
            case "vlan-refused" -> "Refused: " + failure.getMessage();
            case "not-connected" -> "Not logged in to the server: " + failure.getMessage();
            case "auth" -> "Login refused: " + failure.getMessage();
            case "server" -> "Server unreachable or failing: " + failure.getMessage();
            case "no-tap" -> "No TAP interface could be made: " + failure.getMessage();
            case "busy" -> "The client is busy: " + failure.getMessage() + ". Try again.";
            case "no-service", "permission" -> ofService(failure, socket);
            default -> failure.getMessage();
        };
    }
}
