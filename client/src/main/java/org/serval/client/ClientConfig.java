/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.client;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The configuration file of {@code serval-client run --config FILE}: {@code key = value} lines, {@code #} comment
 * lines, the keys being the long option names without their dashes ({@code vlan} repeatable, flags {@code true} or
 * {@code false}). A bad line is refused with the file, its line number and what is wrong, and no value in the
 * message beyond what the line's own check names (passwords are never in this file: {@code password-file} points
 * to them).
 */
public final class ClientConfig {
    /**
     * One line of the file.
     *
     * @param line its number, from 1
     */
    public record Setting(int line, String key, String value) {
    }

    // A configuration file is a few dozen lines; a larger one is a mistake (the wrong file), not a configuration.
    private static final long MAX_BYTES = 64 * 1024;

    private ClientConfig() {
        // static only
    }

    /**
     * Reads and checks a file: every line is applied to a scratch builder, so that a bad value is found here,
     * with its line number.
     *
     * @throws IllegalArgumentException naming the file, the line and the problem
     */
    public static List<Setting> read(final Path file) {
        final List<String> lines;
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw new IllegalArgumentException(file + ": larger than " + MAX_BYTES / 1024 + " KB; is it the"
                    + " configuration file?");
            }
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (MalformedInputException e) {
            throw new IllegalArgumentException(file + ": not UTF-8 text", e);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the configuration file " + file + ": " + e, e);
        }
        return parse(file.toString(), lines);
    }

    /**
     * Parses lines as of a file named {@code name}.
     */
    static List<Setting> parse(final String name, final List<String> lines) {
        final List<Setting> settings = new ArrayList<>();
        final var check = new ClientOptions.Builder();
        for (int i = 0; i < lines.size(); i++) {
            final var text = lines.get(i).strip();
            final int number = i + 1;
            if (text.isEmpty() || text.startsWith("#")) {
                continue;
            }
            final int eq = text.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException(name + " line " + number + ": missing '=' (lines are key = value)");
            }
            final var key = text.substring(0, eq).strip();
            final var value = text.substring(eq + 1).strip();
            if (!ClientOptions.Builder.KEYS.contains(key)) {
                throw new IllegalArgumentException(name + " line " + number + ": unknown key '" + key + "' (keys: "
                    + String.join(", ", ClientOptions.Builder.KEYS) + ")");
            }
            if (value.isEmpty()) {
                throw new IllegalArgumentException(name + " line " + number + ": no value for " + key);
            }
            try {
                check.set(key, value);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(name + " line " + number + ": " + e.getMessage(), e);
            }
            settings.add(new Setting(number, key, value));
        }
        return settings;
    }

    /**
     * Applies a file's settings to a builder, but for the keys the command line gives, which override the file's
     * (for {@code vlan}: the command line's VLANs replace all of the file's).
     */
    public static void apply(final List<Setting> settings, final ClientOptions.Builder builder,
            final Set<String> overridden) {
        for (var setting : settings) {
            if (!overridden.contains(setting.key())) {
                builder.set(setting.key(), setting.value());
            }
        }
    }
}
