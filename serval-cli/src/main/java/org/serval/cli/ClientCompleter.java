/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.cli;

import static org.opendaylight.mdsal.common.api.LogicalDatastoreType.OPERATIONAL;

import java.util.List;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.opendaylight.mdsal.binding.api.DataBroker;

/**
 * Completes the ids of connected clients, on every node, from the client registry.
 */
@Service
public class ClientCompleter extends NameCompleter {
    @Reference
    DataBroker broker;

    @Override
    List<String> names(final String prefix) {
        return Datastore.names(broker, OPERATIONAL, Datastore.CLIENTS,
            clients -> clients.nonnullClient().keySet().stream().map(key -> key.getId().getValue()).toList());
    }
}
