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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.serval.api.Checks;
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
 * @param offload whether the TAPs may hand out TCP super-frames to pass on whole (over TCP, on Linux)
 * @param warmup whether to warm up the JIT on a loopback connection before connecting
 */
public record ClientOptions(String host, int port, String transport, String clientId, Map<String, String> vlans,
        int statusSeconds, int retrySeconds, int reconnectSeconds, String user, String password, String pin, Path ca,
        boolean plaintext, Path certificate, boolean offload, boolean warmup) {
    public static final int DEFAULT_PORT = 4000;

    private static final String USAGE = """
        usage: serval-client --server HOST[:PORT] --vlan NAME[=TAP] [--vlan ...] [options]

          --server HOST[:PORT]   the SERVAL server (port 4000 when omitted)
          --vlan NAME[=TAP]      join VLAN NAME with a TAP interface named TAP (default serval0, serval1, ...);
                                 repeat for more VLANs
          --id ID                this client's id, stable across restarts (default: the host name)
          --transport tcp|udp    how to reach the server (default tcp; the server listens on the same port for
                                 both)
          --user NAME            the SERVAL user to log in as (required)
          --password-file FILE   read the password from the first line of FILE; without it the password comes
                                 from the environment variable SERVAL_PASSWORD (never from the command line,
                                 which other users of the machine can read)
          --cert FILE            log in with the key and certificate in this PKCS#12 file instead of a password
                                 (its SHA-256 fingerprint must be listed for the user); the file's password comes
                                 from SERVAL_CERT_PASSWORD (empty when unset)
          --pin FINGERPRINT      trust the server whose certificate has this SHA-256 fingerprint (the server logs
                                 it at start: "SERVAL's dataplane certificate: sha256:...")
          --ca FILE              trust servers with certificates signed by a CA in this PEM file, for the host
                                 name given to --server
          --plaintext            no encryption; only for a server configured dataplane.plaintext = true
                                 (benchmarks)
          --no-offload           read and write the TAPs frame by frame: no TCP segmentation offload (which is
                                 on by default over TCP on Linux: up to 64 KB of a TCP stream cross as one frame)
          --no-warmup            connect at once; by default the client first runs its hot path over loopback for a
                                 second or two, so that its first frames do not run interpreted (slow)
          --status SECONDS       print the status table this often (default 60; 0: only at start and exit)
          --retry SECONDS        keep trying this long while the server is unreachable or the VLAN does not
                                 exist yet (default 0: give up at once); a busy server (error "limit") is asked
                                 again for at least 60 s in any case
          --reconnect SECONDS    after losing the server, keep trying this long to reconnect, to any node of its
                                 cluster, joining the same VLANs with the same MACs (default 300; 0: exit); a
                                 node that refuses the login is skipped, and the client exits when all have
                                 refused
                                 Tries are spaced by a random wait of up to 250 ms, doubling to 30 s.
          --help                 this text

        Needs root (or CAP_NET_ADMIN) and /dev/net/tun. Exit codes: 0 stopped, 1 bad usage, 2 no TAP device,
        3 server unreachable or refused, 4 VLAN refused, 5 connection lost, 6 login refused or server not
        trusted.""";

    /**
     * The text of --help.
     */
    static String usage() {
        return USAGE;
    }

    /**
     * Parses the arguments, throwing {@link IllegalArgumentException} with a message for the person who typed
     * them.
     */
    static ClientOptions parse(final String... args) {
        String server = null;
        String id = null;
        String transport = "tcp";
        int status = 60;
        int retry = 0;
        int reconnect = 300;
        String user = null;
        String passwordFile = null;
        String pin = null;
        Path ca = null;
        boolean plaintext = false;
        Path certificate = null;
        boolean offload = true;
        boolean warmup = true;
        final List<String> vlanArgs = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            final var arg = args[i];
            switch (arg) {
                case "--server" -> server = value(args, ++i, arg);
                case "--vlan" -> vlanArgs.add(value(args, ++i, arg));
                case "--id" -> id = value(args, ++i, arg);
                case "--status" -> status = number(value(args, ++i, arg), arg, 0, 86_400);
                case "--retry" -> retry = number(value(args, ++i, arg), arg, 0, 86_400);
                case "--reconnect" -> reconnect = number(value(args, ++i, arg), arg, 0, 86_400);
                case "--user" -> user = Checks.userName(value(args, ++i, arg));
                case "--password-file" -> passwordFile = value(args, ++i, arg);
                case "--pin" -> pin = Fingerprints.parse(value(args, ++i, arg));
                case "--ca" -> ca = Path.of(value(args, ++i, arg));
                case "--plaintext" -> plaintext = true;
                case "--no-offload" -> offload = false;
                case "--no-warmup" -> warmup = false;
                case "--cert" -> certificate = Path.of(value(args, ++i, arg));
                case "--transport" -> {
                    transport = value(args, ++i, arg);
                    if (!"tcp".equals(transport) && !"udp".equals(transport)) {
                        throw new IllegalArgumentException("transport must be tcp or udp, not '" + transport + "'");
                    }
                }
                default -> throw new IllegalArgumentException("unknown argument " + arg);
            }
        }
        if (server == null) {
            throw new IllegalArgumentException("--server is required");
        }
        if (vlanArgs.isEmpty()) {
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
            final var name = Checks.vlanName(eq < 0 ? vlanArg : vlanArg.substring(0, eq));
            final var tap = eq < 0 ? "serval" + vlans.size() : vlanArg.substring(eq + 1);
            if (tap.isEmpty() || tap.length() > 15 || !tap.matches("[A-Za-z0-9._-]+")) {
                throw new IllegalArgumentException("interface name '" + tap + "' must have 1 to 15 letters, digits,"
                    + " '.', '_' or '-'");
            }
            if (vlans.put(name, tap) != null) {
                throw new IllegalArgumentException("VLAN " + name + " is given twice");
            }
        }
        return new ClientOptions(host, port, transport, Checks.clientId(id != null ? id : hostName()), vlans, status,
            retry, reconnect, user, password, pin, ca, plaintext, certificate, offload, warmup);
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
