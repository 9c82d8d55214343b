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
import org.serval.api.VlanDirectory;
import org.serval.api.VlanInfo;

/**
 * Completes VLAN names from the node's local view of the VLANs, without a datastore read.
 */
@Service
public class VlanCompleter extends NameCompleter {
    @Reference
    VlanDirectory directory;

    @Override
    List<String> names(final String prefix) {
        return directory.vlans(prefix, Datastore.COMPLETION_LIMIT).stream().map(VlanInfo::name).toList();
    }
}
