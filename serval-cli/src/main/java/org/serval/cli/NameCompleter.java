/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.cli;

import java.util.List;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;

/**
 * Completes a name from a list that {@link #names(String)} reads from the node's local view or the datastore, at
 * most {@link Datastore#COMPLETION_LIMIT} of them.
 */
abstract class NameCompleter implements Completer {
    @Override
    public int complete(final Session session, final CommandLine commandLine, final List<String> candidates) {
        final var argument = commandLine.getCursorArgument();
        final var prefix = argument == null ? "" : argument.substring(0,
            Math.min(argument.length(), Math.max(0, commandLine.getArgumentPosition())));
        return new StringsCompleter(names(prefix)).complete(session, commandLine, candidates);
    }

    /**
     * Returns names that start with a prefix (more do no harm: the caller filters), sorted, bounded.
     */
    abstract List<String> names(String prefix);
}
