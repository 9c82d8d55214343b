/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.client;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.serval.api.Checks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The VLANs the client is to be in, with their interface names, kept in {@code STATE_DIR/vlans} so that a
 * restarted service joins what its user joined and left at run time (the configured {@code vlan} lines count only
 * while there is no such file). One {@code vlan = interface} line each; written whole to a temporary file and
 * moved over the old one, so that a crash leaves the old list or the new, never half of one.
 */
final class JoinedVlans {
    private static final Logger LOG = LoggerFactory.getLogger(JoinedVlans.class);
    static final String FILE = "vlans";

    private final Path dir;

    /**
     * A store in a directory (made when first written), or none when {@code dir} is null.
     */
    JoinedVlans(final Path dir) {
        this.dir = dir;
    }

    /**
     * The VLANs saved, in order; null when there is no file (or no store): then the configured VLANs count.
     */
    Map<String, String> load() {
        if (dir == null || !Files.exists(dir.resolve(FILE))) {
            return null;
        }
        final var file = dir.resolve(FILE);
        final var result = new LinkedHashMap<String, String>();
        try {
            final var lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                final var line = lines.get(i).strip();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                final int eq = line.indexOf('=');
                try {
                    if (eq < 0) {
                        throw new IllegalArgumentException("missing '='");
                    }
                    result.put(Checks.vlanName(line.substring(0, eq).strip()),
                        ClientOptions.interfaceName(line.substring(eq + 1).strip()));
                } catch (IllegalArgumentException e) {
                    LOG.warn("{} line {}: {}; line ignored", file, i + 1, e.getMessage());
                }
            }
        } catch (IOException e) {
            LOG.warn("Cannot read {}: {}; starting from the configured VLANs", file, e.getMessage());
            return null;
        }
        return result;
    }

    /**
     * Saves the VLANs, replacing the file atomically. A failure is logged: the client goes on, and only a restart
     * would forget the change.
     */
    void save(final Map<String, String> vlans) {
        if (dir == null) {
            return;
        }
        final List<String> lines = new ArrayList<>();
        lines.add("# VLANs serval-client joins at start, with their interfaces; written by serval-client (join, "
            + "leave)");
        vlans.forEach((vlan, iface) -> lines.add(vlan + " = " + iface));
        try {
            Files.createDirectories(dir);
            final var temporary = Files.createTempFile(dir, FILE, ".new");
            Files.write(temporary, lines, StandardCharsets.UTF_8);
            try {
                Files.move(temporary, dir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, dir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            LOG.warn("Cannot save the joined VLANs in {}: {}", dir, e.getMessage());
        }
    }
}
