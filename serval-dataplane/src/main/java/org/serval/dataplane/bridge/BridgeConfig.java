/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.bridge;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.regex.Pattern;

/**
 * One interface a node is told to bridge (YANG {@code nodes-config/node/bridge}).
 *
 * @param iface the Linux interface's name
 * @param mode access (one VLAN, untagged) or trunk (several, each tagged with its vid)
 * @param vlans the VLANs: exactly one for an access port; for a trunk, in the order configured
 */
public record BridgeConfig(String iface, Mode mode, List<String> vlans) {
    /**
     * How frames on the interface map to VLANs.
     */
    public enum Mode {
        ACCESS, TRUNK
    }

    // What Linux accepts as an interface name (IFNAMSIZ - 1), without the characters that would leave /sys/class/net.
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._@-]{1,15}");

    public BridgeConfig {
        requireNonNull(iface);
        requireNonNull(mode);
        vlans = List.copyOf(vlans);
        if (!isInterfaceName(iface)) {
            throw new IllegalArgumentException("not an interface name: " + iface);
        }
        if (mode == Mode.ACCESS && vlans.size() != 1) {
            throw new IllegalArgumentException("access port " + iface + " needs exactly one VLAN");
        }
        if (mode == Mode.TRUNK && vlans.isEmpty()) {
            throw new IllegalArgumentException("trunk " + iface + " needs at least one VLAN");
        }
    }

    /**
     * Whether a name can be a Linux interface's.
     */
    public static boolean isInterfaceName(final String name) {
        return name != null && NAME.matcher(name).matches() && !".".equals(name) && !"..".equals(name);
    }
}
