/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.client.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code serval-client completion}: the bash completion script, generated from the commands themselves.
 */
@Command(name = "completion", mixinStandardHelpOptions = true,
    description = {"Prints the bash completion script of serval-client.",
        "Use: source <(serval-client completion), or save it as /usr/share/bash-completion/completions/serval-client."})
public final class CompletionCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        final var top = spec.parent().commandLine();
        final var out = spec.commandLine().getOut();
        out.print(AutoComplete.bash(top.getCommandName(), top));
        out.flush();
        return 0;
    }
}
