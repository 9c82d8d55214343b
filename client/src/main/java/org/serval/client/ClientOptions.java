/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.client;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.serval.api.Checks;
import org.serval.client.tap.TapDevices;
import org.serval.client.tap.windows.TapAdapters;
import org.serval.dataplane.security.Fingerprints;

/**
 * The client's command line.
 *
 * @param host the server's host
 * @param port the server's dataplane port
 * @param transport {@code tcp} or {@code udp}
 * @param clientId this client's stable id
 * @param vlans the VLANs to join, each with the TAP interface name to give it
 * @param statusSeconds how often to print the status table; 0 for only at start and exit
 * @param retrySeconds how long to keep trying to reach the server and join while it is unreachable or the VLAN
 *     does not exist yet; 0 to give up at once (a busy server is asked again for at least a minute regardless)
 * @param reconnectSeconds how long to keep trying to get back (to any node of the cluster) after the connection
 *     was lost; 0 to exit at once
 * @param user the user to log in as
 * @param password the user's password, or null when a client certificate logs in
 * @param certificate a PKCS#12 file with the client's key and certificate, or null
 * @param pin the server certificate's SHA-256 fingerprint to trust, or null
 * @param ca a PEM file of CA certificates to trust, or null
 * @param plaintext whether to connect without encryption (the server must be told so too)
 * @param offload whether the TAPs may hand out and take TCP super-frames (on Linux): sent whole over TCP, cut by the
 *     client over UDP
 * @param warmup whether to warm up the JIT on a loopback connection before connecting
 */
public record ClientOptions(String host, int port, String transport, String clientId, Map<String, String> vlans,
        int statusSeconds, int retrySeconds, int reconnectSeconds, String user, String password, String pin, Path ca,
        boolean plaintext, Path certificate, boolean offload, boolean warmup) {
    public static final int DEFAULT_PORT = 4000;

    /**
     * Parses the arguments, throwing {@link IllegalArgumentException} with a message for the person who typed
     * them.
     */
    static ClientOptions parse(final String... args) {
        final var builder = new Builder();
        for (int i = 0; i < args.length; i++) {
            final var arg = args[i];
            if (!arg.startsWith("--") || !Builder.KEYS.contains(arg.substring(2))) {
                throw new IllegalArgumentException("unknown argument " + arg);
            }
            final var key = arg.substring(2);
            builder.set(key, Builder.FLAGS.contains(key) ? "true" : value(args, ++i, arg));
        }
        return builder.build(false);
    }

    /**
     * The options one setting at a time, by long option name without its dashes: the command line's and a
     * configuration file's way in, with the same checks and messages (ClientConfig adds the file and line).
     */
    public static final class Builder {
        /**
         * The options that take no value; in a configuration file they take {@code true} or {@code false}.
         */
        public static final Set<String> FLAGS = Set.of("plaintext", "no-offload", "no-warmup");
        /**
         * Every key, in the order of --help.
         */
        public static final Set<String> KEYS = Collections.unmodifiableSet(new LinkedHashSet<>(List.of("server",
            "vlan", "id", "transport", "user", "password-file", "cert", "pin", "ca", "plaintext", "no-offload",
            "no-warmup", "status", "retry", "reconnect", "control-socket", "state-dir")));

        private String server;
        private String id;
        private String transport = "tcp";
        private int status = 60;
        private int retry;
        private int reconnect = 300;
        private String user;
        private String passwordFile;
        private String pin;
        private Path ca;
        private boolean plaintext;
        private Path certificate;
        private boolean offload = true;
        private boolean warmup = true;
        private Path controlSocket;
        private Path stateDir;
        private final List<String> vlanArgs = new ArrayList<>();
        private final Set<String> given = new HashSet<>();

        /**
         * Sets one option ({@code vlan} adds one VLAN).
         *
         * @throws IllegalArgumentException for an unknown key or a bad value, saying which
         */
        public Builder set(final String key, final String value) {
            final var option = "--" + key;
            switch (key) {
                case "server" -> server = value;
                case "vlan" -> {
                    final var vlan = vlan(value);
                    vlanArgs.add(vlan.getKey() + "=" + vlan.getValue());
                }
                case "id" -> id = Checks.clientId(value);
                case "status" -> status = number(value, option, 0, 86_400);
                case "retry" -> retry = number(value, option, 0, 86_400);
                case "reconnect" -> reconnect = number(value, option, 0, 86_400);
                case "user" -> user = Checks.userName(value);
                case "password-file" -> passwordFile = value;
                case "pin" -> pin = Fingerprints.parse(value);
                case "ca" -> ca = Path.of(value);
                case "plaintext" -> plaintext = flag(value, option);
                case "no-offload" -> offload = !flag(value, option);
                case "no-warmup" -> warmup = !flag(value, option);
                case "cert" -> certificate = Path.of(value);
                case "control-socket" -> controlSocket = Path.of(value);
                case "state-dir" -> stateDir = Path.of(value);
                case "transport" -> {
                    if (!"tcp".equals(value) && !"udp".equals(value)) {
                        throw new IllegalArgumentException("transport must be tcp or udp, not '" + value + "'");
                    }
                    transport = value;
                }
                default -> throw new IllegalArgumentException("unknown option " + key);
            }
            given.add(key);
            return this;
        }

        /**
         * Whether an option was set.
         */
        public boolean has(final String key) {
            return given.contains(key);
        }

        /**
         * The control socket's path, or null when none was given.
         */
        public Path controlSocket() {
            return controlSocket;
        }

        /**
         * The state directory, or null when none was given.
         */
        public Path stateDir() {
            return stateDir;
        }

        /**
         * Checks the options together and reads the password.
         *
         * @param vlansOptional whether the client may start without a VLAN (it will join some at run time)
         */
        public ClientOptions build(final boolean vlansOptional) {
            if (server == null) {
                throw new IllegalArgumentException("--server is required");
            }
            if (vlanArgs.isEmpty() && !vlansOptional) {
                throw new IllegalArgumentException("join at least one VLAN with --vlan");
            }
            if (user == null) {
                throw new IllegalArgumentException("--user is required: the server accepts no anonymous clients");
            }
            if (plaintext && (pin != null || ca != null)) {
                throw new IllegalArgumentException("--plaintext does not go with --pin or --ca");
            }
            if (pin != null && ca != null) {
                throw new IllegalArgumentException("give --pin or --ca, not both");
            }
            if (plaintext && certificate != null) {
                throw new IllegalArgumentException("--cert needs TLS: it does not go with --plaintext");
            }
            final var password = certificate != null && passwordFile == null ? null : password(passwordFile);
            String host = server;
            int port = DEFAULT_PORT;
            final int colon = server.lastIndexOf(':');
            if (colon > 0 && server.indexOf(':') == colon) {
                host = server.substring(0, colon);
                port = number(server.substring(colon + 1), "--server port", 1, 65_535);
            }
            final var vlans = new LinkedHashMap<String, String>();
            for (var vlanArg : vlanArgs) {
                final int eq = vlanArg.indexOf('=');
                final var name = vlanArg.substring(0, eq);
                final var tap = eq == vlanArg.length() - 1 ? "serval" + vlans.size() : vlanArg.substring(eq + 1);
                if (vlans.put(name, tap) != null) {
                    throw new IllegalArgumentException("VLAN " + name + " is given twice");
                }
            }
            return new ClientOptions(host, port, transport, Checks.clientId(id != null ? id : hostName()), vlans,
                status, retry, reconnect, user, password, pin, ca, plaintext, certificate, offload, warmup);
        }
    }

    /**
     * A {@code --vlan} value: the VLAN name and the interface name, empty when none was given.
     */
    private static Map.Entry<String, String> vlan(final String value) {
        final int eq = value.indexOf('=');
        final var name = Checks.vlanName(eq < 0 ? value : value.substring(0, eq));
        final var tap = eq < 0 ? "" : interfaceName(value.substring(eq + 1));
        return Map.entry(name, tap);
    }

    /**
     * A TAP interface name as Linux takes it, or on Windows the name (or GUID) of a TAP-Windows6 adapter.
     *
     * @throws IllegalArgumentException saying what is wrong with it
     */
    public static String interfaceName(final String tap) {
        if (TapDevices.windows()) {
            return TapAdapters.checkName(tap);
        }
        if (tap.isEmpty() || tap.length() > 15 || !tap.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("interface name '" + tap + "' must have 1 to 15 letters, digits,"
                + " '.', '_' or '-'");
        }
        return tap;
    }

    private static boolean flag(final String value, final String option) {
        return switch (value) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException(option + " takes true or false, not '" + value + "'");
        };
    }

    private static String password(final String file) {
        if (file == null) {
            final var env = System.getenv("SERVAL_PASSWORD");
            if (env == null || env.isEmpty()) {
                throw new IllegalArgumentException("no password: use --password-file FILE or set SERVAL_PASSWORD");
            }
            return Checks.password(env);
        }
        try {
            final var lines = Files.readAllLines(Path.of(file), StandardCharsets.UTF_8);
            if (lines.isEmpty()) {
                throw new IllegalArgumentException("the password file " + file + " is empty");
            }
            return Checks.password(lines.get(0));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the password file " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "ClientOptions[" + host + ":" + port + " " + transport + " " + clientId + " " + vlans + " user " + user
            + "]";
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "serval-client";
        }
    }

    private static String value(final String[] args, final int index, final String option) {
        if (index >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[index];
    }

    private static int number(final String text, final String what, final int min, final int max) {
        try {
            final int value = Integer.parseInt(text);
            if (value < min || value > max) {
                throw new IllegalArgumentException(what + " must be within " + min + ".." + max);
            }
            return value;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " must be a number, not '" + text + "'", e);
        }
    }
}
