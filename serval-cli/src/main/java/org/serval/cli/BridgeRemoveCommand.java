/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.cli;

import static org.opendaylight.mdsal.common.api.LogicalDatastoreType.CONFIGURATION;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.CommandException;

@Service
@Command(scope = "serval", name = "bridge-remove", description = "Stops bridging a node's interface.")
public class BridgeRemoveCommand extends BridgeAction {
    @Argument(index = 0, name = "interface", required = true, description = "The Linux interface")
    String iface;

    @Override
    public Object execute() throws InterruptedException, CommandException {
        final var id = nodeId();
        final var path = bridge(id, iface);
        if (Datastore.read(broker, CONFIGURATION, path).isEmpty()) {
            return error("node " + id + " does not bridge interface " + iface + " (data-missing)");
        }
        final var tx = broker.newWriteOnlyTransaction();
        tx.delete(CONFIGURATION, path);
        Datastore.commit(tx);
        out().println("Interface " + iface + " of node " + id + " no longer bridged");
        return null;
    }
}
