/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.client.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import org.serval.client.ClientFailure;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code serval-client}: the top command. {@code run} is the client itself; the other subcommands steer a running
 * one over its control socket (docs/client-control.md). Options without a subcommand mean {@code run}, as before
 * there were subcommands. The packaging generates the bash completion and the man page from this class.
 */
@Command(name = "serval-client", mixinStandardHelpOptions = true, versionProvider = ClientCommand.Version.class,
    usageHelpAutoWidth = true, exitCodeOnInvalidInput = ClientFailure.USAGE,
    description = {
        "The SERVAL client: one virtual Ethernet (TAP) interface per VLAN joined, its frames switched by the "
            + "SERVAL server.",
        "",
        "'serval-client run' is the client (a service, or in the foreground); the other commands steer the "
            + "running client through its control socket. Options without a command mean 'run'."
    },
    subcommands = {
        RunCommand.class, ControlCommands.Status.class, ControlCommands.ListVlans.class, ControlCommands.Join.class,
        ControlCommands.Leave.class, ControlCommands.Create.class, ControlCommands.Delete.class,
        ControlCommands.Members.class, ControlCommands.Up.class, ControlCommands.Down.class, GuiCommand.class,
        CompletionCommand.class, CommandLine.HelpCommand.class
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:done; or the client was stopped (SIGTERM, Ctrl-C)",
        "1:bad usage or configuration file",
        "2:no TAP device (not root nor CAP_NET_ADMIN, no /dev/net/tun)",
        "3:server unreachable or refusing",
        "4:VLAN unknown or refused (not allowed, full)",
        "5:connection lost for good; or the running client is not connected now",
        "6:login refused or server not trusted",
        "7:no client runs: no control socket at the path",
        "8:permission denied on the control socket (root or group serval)",
        "9:the running client did not answer as expected (timeout, bad answer)"
    })
public final class ClientCommand implements Callable<Integer> {
    private static final Set<String> OWN_OPTIONS = Set.of("-h", "--help", "-V", "--version");

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return ClientFailure.USAGE;
    }

    /**
     * The command line, its output and errors going where given.
     */
    public static CommandLine commandLine(final PrintWriter out, final PrintWriter errors) {
        final var commandLine = new CommandLine(new ClientCommand());
        commandLine.setOut(out);
        commandLine.setErr(errors);
        commandLine.setParameterExceptionHandler((e, args) -> {
            errors.println("serval-client: " + e.getMessage() + " (--help for usage)");
            errors.flush();
            return ClientFailure.USAGE;
        });
        return commandLine;
    }

    /**
     * Runs a command line.
     *
     * @return the exit code
     */
    public static int execute(final String[] args, final PrintWriter out, final PrintWriter errors) {
        final int code = commandLine(out, errors).execute(withCommand(args));
        out.flush();
        errors.flush();
        return code;
    }

    /**
     * The arguments, with {@code run} in front when they start with an option that is not the top command's own:
     * {@code serval-client --server ... --vlan red} is {@code serval-client run --server ... --vlan red}.
     */
    static String[] withCommand(final String[] args) {
        if (args.length == 0 || !args[0].startsWith("-") || OWN_OPTIONS.contains(args[0])) {
            return args;
        }
        final var result = new String[args.length + 1];
        result[0] = "run";
        System.arraycopy(args, 0, result, 1, args.length);
        return result;
    }

    /**
     * The version of the jar (its manifest's Implementation-Version), else the one the build wrote into a
     * resource.
     */
    public static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            return new String[] {"serval-client " + version()};
        }

        static String version() throws IOException {
            final var manifest = ClientCommand.class.getPackage().getImplementationVersion();
            if (manifest != null) {
                return manifest;
            }
            try (InputStream in = ClientCommand.class.getResourceAsStream("version.properties")) {
                final var properties = new Properties();
                if (in != null) {
                    properties.load(in);
                }
                return properties.getProperty("version", "unknown");
            }
        }
    }
}
