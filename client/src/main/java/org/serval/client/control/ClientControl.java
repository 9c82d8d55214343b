/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.client.control;

import com.google.gson.JsonObject;

/**
 * What the control socket can ask of the running client; each method returns the {@code result} object of its
 * answer (docs/client-control.md) or throws the error. Called on the control server's connection threads.
 */
public interface ClientControl {
    /**
     * The status, from memory: never waits for the server or another request.
     */
    JsonObject status();

    JsonObject list() throws ControlException, InterruptedException;

    JsonObject join(String vlan, String iface) throws ControlException, InterruptedException;

    JsonObject leave(String vlan) throws ControlException, InterruptedException;

    JsonObject create(String vlan, boolean open) throws ControlException, InterruptedException;

    JsonObject delete(String vlan) throws ControlException, InterruptedException;

    JsonObject members(String vlan) throws ControlException, InterruptedException;

    JsonObject up() throws ControlException, InterruptedException;

    JsonObject down() throws ControlException, InterruptedException;
}
