/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.bridge;

import static java.nio.charset.StandardCharsets.US_ASCII;

import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The interfaces of the node's network namespace, as {@code /sys/class/net} shows them, opened as packet sockets.
 */
public final class LinuxWires implements Wires {
    private static final Path SYS = Path.of("/sys/class/net");
    private static final int IFF_UP = 1;

    @Override
    public Presence presence(final String iface) {
        if (!BridgeConfig.isInterfaceName(iface)) {
            return Presence.MISSING;
        }
        final var dir = SYS.resolve(iface);
        try {
            final int index = Integer.parseInt(read(dir.resolve("ifindex")));
            final int flags = Integer.decode(read(dir.resolve("flags")));
            final var operstate = read(dir.resolve("operstate"));
            // "unknown" is what interfaces without carrier detection (tun, dummy) say when up
            final boolean up = (flags & IFF_UP) != 0 && ("up".equals(operstate) || "unknown".equals(operstate));
            return new Presence(true, up, index);
        } catch (IOException | NumberFormatException e) {
            return Presence.MISSING;
        }
    }

    /**
     * Whether an interface exists on this node.
     */
    public static boolean exists(final String iface) {
        return BridgeConfig.isInterfaceName(iface) && Files.isDirectory(SYS.resolve(iface));
    }

    /**
     * The Linux bridge or bond an interface is a port of, or null: a packet socket on such a port sees frames the
     * kernel's bridge also switches, so bridging it here as well would duplicate them.
     */
    public static String masterOf(final String iface) {
        if (!BridgeConfig.isInterfaceName(iface)) {
            return null;
        }
        final var master = SYS.resolve(iface).resolve("master");
        try {
            return Files.isSymbolicLink(master) ? Files.readSymbolicLink(master).getFileName().toString() : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static String read(final Path file) throws IOException {
        return new String(Files.readAllBytes(file), US_ASCII).strip();
    }

    @Override
    public Wire open(final String iface, final ByteBufAllocator alloc) throws IOException {
        return PacketSocket.open(iface, alloc);
    }
}
