/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.cli;

import java.util.List;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.opendaylight.mdsal.binding.api.DataBroker;

/**
 * Completes the names of groups.
 */
@Service
public class GroupCompleter extends NameCompleter {
    @Reference
    DataBroker broker;

    @Override
    List<String> names(final String prefix) {
        return Datastore.names(broker, Datastore.GROUPS,
            groups -> groups.nonnullGroup().keySet().stream().map(key -> key.getName().getValue()).toList());
    }
}
