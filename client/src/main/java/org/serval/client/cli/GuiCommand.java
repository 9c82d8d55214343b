/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.client.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.serval.client.ClientFailure;
import org.serval.client.gui.ServalGui;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code serval-client gui}: the desktop window on the running client, through its control socket only
 * (docs/gui.md).
 */
@Command(name = "gui", mixinStandardHelpOptions = true,
    description = "Opens a window on the running client (and a tray icon where the desktop has a tray): the "
        + "server, the VLANs with their members, join and leave with one click, counters and a throughput graph. "
        + "It speaks to the client's control socket only, as the other commands do.")
public final class GuiCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"--control", "--socket"}, paramLabel = "PATH",
        defaultValue = "${env:SERVAL_CLIENT_SOCKET:-/run/serval-client/control.sock}",
        description = "the running client's control socket (default: $SERVAL_CLIENT_SOCKET, else "
            + "/run/serval-client/control.sock)")
    Path socket;

    @Override
    public Integer call() throws InterruptedException {
        // The package's trimmed Java runtime has no java.desktop (docs/packaging.md); the GUI's classes would not
        // even load there.
        if (ModuleLayer.boot().findModule("java.desktop").isEmpty()) {
            return fail("this Java runtime has no desktop support (module java.desktop): the package's runtime is "
                + "for the service only. Run the GUI with a JDK 21 or later: java -cp '/usr/lib/serval-client/lib/*'"
                + " org.serval.client.Main gui (docs/gui.md)");
        }
        final var why = ServalGui.cannotShow();
        if (why != null) {
            return fail(why);
        }
        ServalGui.run(socket);
        return 0;
    }

    private int fail(final String message) {
        final var errors = spec.commandLine().getErr();
        errors.println("serval-client gui: " + message);
        errors.flush();
        return ClientFailure.USAGE;
    }
}
