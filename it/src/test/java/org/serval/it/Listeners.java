/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.it;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * The sockets a process listens on, read from {@code /proc} the way {@code ss -ltunp} does: the socket inodes among
 * its open files, looked up in the kernel's TCP and UDP tables. Listening TCP sockets and every UDP socket (UDP has
 * no listen state; an unconnected one receives from anyone).
 */
final class Listeners {
    /**
     * One listening socket.
     */
    record Listener(String protocol, InetAddress address, int port) {
        boolean loopbackOnly() {
            return address.isLoopbackAddress() || isMappedLoopback(address);
        }

        @Override
        public String toString() {
            return protocol + " " + address.getHostAddress() + ":" + port;
        }
    }

    private static final String TCP_LISTEN = "0A";

    private Listeners() {
        // static only
    }

    static List<Listener> of(final long pid) throws IOException {
        final Set<String> inodes = new HashSet<>();
        try (var fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (var fd : fds.toList()) {
                try {
                    final var target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring(8, target.length() - 1));
                    }
                } catch (IOException e) {
                    // closed while we looked
                }
            }
        }
        final var found = new ArrayList<Listener>();
        for (var table : List.of("tcp", "tcp6", "udp", "udp6")) {
            final var path = Path.of("/proc", Long.toString(pid), "net", table);
            if (!Files.exists(path)) {
                continue;
            }
            final var lines = Files.readAllLines(path);
            for (var line : lines.subList(1, lines.size())) {
                final var fields = line.trim().split("\\s+");
                final var local = fields[1].split(":");
                final boolean tcp = table.startsWith("tcp");
                if (!inodes.contains(fields[9]) || tcp && !TCP_LISTEN.equals(fields[3])) {
                    continue;
                }
                found.add(new Listener(tcp ? "tcp" : "udp", address(local[0]), Integer.parseInt(local[1], 16)));
            }
        }
        return found;
    }

    /**
     * The kernel prints an address as 32-bit words in host (little-endian) order.
     */
    private static InetAddress address(final String hex) throws UnknownHostException {
        final byte[] raw = HexFormat.of().parseHex(hex);
        final byte[] bytes = new byte[raw.length];
        for (int word = 0; word < raw.length; word += 4) {
            for (int i = 0; i < 4; i++) {
                bytes[word + i] = raw[word + 3 - i];
            }
        }
        return InetAddress.getByAddress(bytes);
    }

    private static boolean isMappedLoopback(final InetAddress address) {
        final byte[] bytes = address.getAddress();
        if (bytes.length != 16) {
            return false;
        }
        for (int i = 0; i < 10; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return (bytes[10] & 0xff) == 0xff && (bytes[11] & 0xff) == 0xff && (bytes[12] & 0xff) == 127;
    }
}
