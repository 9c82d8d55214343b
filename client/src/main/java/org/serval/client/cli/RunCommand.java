/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.client.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.serval.client.ClientConfig;
import org.serval.client.ClientFailure;
import org.serval.client.ClientOptions;
import org.serval.client.Main;
import org.serval.client.ServiceOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code serval-client run}: the client itself, in the foreground. With {@code --config} it runs as a service
 * (what systemd runs): a control socket, VLANs joined and left at run time kept in the state directory, a VLAN
 * refused at start or an administrator's BYE leaving it running. Without, it runs one shot as before: the VLANs of
 * the command line, exiting when one is refused.
 */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
    description = {
        "Runs the client in the foreground: creates the TAP interfaces, connects, logs in, joins the VLANs, "
            + "reconnects after a lost connection, and removes the interfaces at exit (SIGTERM, Ctrl-C).",
        "With --config FILE it is a service (systemd: serval-client run --config /etc/serval/client.conf): the "
            + "file's lines are 'key = value' with the long option names as keys; options given here override "
            + "the file's (--vlan here replaces all of the file's vlan lines)."
    },
    footer = {"", "Needs root (or CAP_NET_ADMIN) and /dev/net/tun. See docs/client-control.md for the service."})
public final class RunCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

    @Spec
    private CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "read options from FILE (key = value lines, "
        + "# comments); runs the client as a service: control socket and state directory by default, a refused "
        + "VLAN or an administrator's disconnection leave it running")
    private Path config;

    @Option(names = "--server", paramLabel = "HOST[:PORT]", description = "the SERVAL server (port 4000 when "
        + "omitted)")
    private String server;

    @Option(names = "--vlan", paramLabel = "NAME[=TAP]", description = "join VLAN NAME with a TAP interface named TAP "
        + "(default serval0, serval1, ...); repeat for more VLANs")
    private List<String> vlans;

    @Option(names = "--id", paramLabel = "ID", description = "this client's id, stable across restarts (default: "
        + "the host name)")
    private String id;

    @Option(names = "--transport", paramLabel = "tcp|udp", description = "how to reach the server (default tcp; "
        + "the server listens on the same port for both)")
    private String transport;

    @Option(names = "--user", paramLabel = "NAME", description = "the SERVAL user to log in as (required)")
    private String user;

    @Option(names = "--password-file", paramLabel = "FILE", description = "read the password from the first line "
        + "of FILE; without it the password comes from the environment variable SERVAL_PASSWORD (never from the "
        + "command line, which other users of the machine can read)")
    private String passwordFile;

    @Option(names = "--cert", paramLabel = "FILE", description = "log in with the key and certificate in this "
        + "PKCS#12 file instead of a password (its SHA-256 fingerprint must be listed for the user); the file's "
        + "password comes from SERVAL_CERT_PASSWORD (empty when unset)")
    private String cert;

    @Option(names = "--pin", paramLabel = "FINGERPRINT", description = "trust the server whose certificate has "
        + "this SHA-256 fingerprint (the server logs it at start: \"SERVAL's dataplane certificate: sha256:...\")")
    private String pin;

    @Option(names = "--ca", paramLabel = "FILE", description = "trust servers with certificates signed by a CA in "
        + "this PEM file, for the host name given to --server")
    private String ca;

    @Option(names = "--plaintext", description = "no encryption; only for a server configured "
        + "dataplane.plaintext = true (benchmarks)")
    private Boolean plaintext;

    @Option(names = "--no-offload", description = "read and write the TAPs frame by frame: no TCP segmentation "
        + "offload (on by default on Linux: up to 64 KB of a TCP stream read and written as one frame, sent whole "
        + "over TCP and in one GSO send over UDP)")
    private Boolean noOffload;

    @Option(names = "--no-warmup", description = "connect at once; by default the client first runs its hot path "
        + "over loopback for a second or two, so that its first frames do not run interpreted (slow)")
    private Boolean noWarmup;

    @Option(names = "--status", paramLabel = "SECONDS", description = "print the status table this often "
        + "(default 60; 0: only at start and exit)")
    private String status;

    @Option(names = "--retry", paramLabel = "SECONDS", description = "keep trying this long while the server is "
        + "unreachable or the VLAN does not exist yet (default 0: give up at once); a busy server (error \"limit\") "
        + "is asked again for at least 60 s in any case")
    private String retry;

    @Option(names = "--reconnect", paramLabel = "SECONDS", description = "after losing the server, keep trying "
        + "this long to reconnect, to any node of its cluster, joining the same VLANs with the same MACs (default "
        + "300; 0: exit); tries are spaced by a random wait of up to 250 ms, doubling to 30 s")
    private String reconnect;

    @Option(names = "--control-socket", paramLabel = "PATH", description = "the control socket the other commands "
        + "talk to (with --config: default $SERVAL_CLIENT_SOCKET, else /run/serval-client/control.sock; without: "
        + "none unless given)")
    private String controlSocket;

    @Option(names = "--state-dir", paramLabel = "DIR", description = "where the VLANs joined and left at run time "
        + "are kept across restarts, in DIR/vlans (with --config: default /var/lib/serval-client; without: none "
        + "unless given)")
    private String stateDir;

    /**
     * What {@code run} runs: the client's options and how it runs as a service.
     */
    record Prepared(ClientOptions options, ServiceOptions service) {
    }

    @Override
    public Integer call() {
        final Prepared prepared;
        try {
            prepared = prepare();
        } catch (IllegalArgumentException e) {
            LOG.error("Cannot go on: {}", e.getMessage());
            final var errors = spec.commandLine().getErr();
            errors.println("serval-client: " + e.getMessage() + (config == null ? "" : " (with " + config + ")")
                + " (--help for usage)");
            errors.flush();
            return ClientFailure.USAGE;
        }
        return Main.runClient(prepared.options(), prepared.service(), spec.commandLine().getOut());
    }

    /**
     * The configuration file, overridden by the command line, checked.
     *
     * @throws IllegalArgumentException saying what is wrong (a file's line with its number)
     */
    Prepared prepare() {
        final var builder = new ClientOptions.Builder();
        final var given = given();
        if (config != null) {
            ClientConfig.apply(ClientConfig.read(config), builder, given.keySet());
        }
        for (var entry : given.entrySet()) {
            for (var value : entry.getValue()) {
                builder.set(entry.getKey(), value);
            }
        }
        // A client that has a control socket may start with no VLAN: it is told to join some.
        final var options = builder.build(config != null || builder.controlSocket() != null);
        return new Prepared(options, ServiceOptions.of(config != null, builder.controlSocket(), builder.stateDir()));
    }

    /**
     * The options given on the command line, by key (long name without dashes), in --help's order.
     */
    private Map<String, List<String>> given() {
        final var result = new LinkedHashMap<String, List<String>>();
        put(result, "server", server);
        if (vlans != null) {
            result.put("vlan", vlans);
        }
        put(result, "id", id);
        put(result, "transport", transport);
        put(result, "user", user);
        put(result, "password-file", passwordFile);
        put(result, "cert", cert);
        put(result, "pin", pin);
        put(result, "ca", ca);
        put(result, "plaintext", plaintext);
        put(result, "no-offload", noOffload);
        put(result, "no-warmup", noWarmup);
        put(result, "status", status);
        put(result, "retry", retry);
        put(result, "reconnect", reconnect);
        put(result, "control-socket", controlSocket);
        put(result, "state-dir", stateDir);
        return result;
    }

    private static void put(final Map<String, List<String>> result, final String key, final Object value) {
        if (value != null) {
            result.put(key, List.of(value.toString()));
        }
    }
}
