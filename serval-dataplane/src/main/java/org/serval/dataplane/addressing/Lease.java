/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.addressing;

/**
 * One DHCPv4 lease: a MAC's address in a VLAN until a wall-clock time (shared by the nodes, unlike nanoTime).
 *
 * @param address the IPv4 address, unsigned 32 bits
 * @param expiresMillis when it ends unless renewed, epoch milliseconds
 * @param clientId the SERVAL client whose interface asked, or null when not known
 */
public record Lease(long mac, int address, long expiresMillis, String clientId) {
    public boolean isActive(final long nowMillis) {
        return expiresMillis > nowMillis;
    }
}
