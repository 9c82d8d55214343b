/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.session;

import java.util.Map;
import java.util.Set;

/**
 * What the dataplane tells the links to the other nodes of its cluster ({@code cluster/PeerLinks}), and what the
 * metrics read from them. An interface here, so that the sessions do not depend on the cluster package, which
 * depends on them.
 */
public interface ClusterLinks {
    /**
     * The frames' bytes a link to another node carried since it came up (metrics).
     *
     * @param sentOctets bytes of the frames sent to that node
     * @param receivedOctets bytes of the frames that node sent
     */
    record LinkTraffic(long sentOctets, long receivedOctets) {
    }

    /**
     * A client of this node joined a VLAN with a MAC (negative for a port with no MAC of its own: a bridged
     * interface, whose hosts the other nodes learn from their frames).
     */
    void joined(String vlan, long mac);

    /**
     * A client of this node left a VLAN (or its session ended).
     */
    void left(String vlan);

    /**
     * The ids of the nodes linked to this one now.
     */
    Set<String> linkedPeers();

    /**
     * What each link that is up carried, by the other node's id.
     */
    Map<String, LinkTraffic> linkTraffic();

    /**
     * Frames that could not go to another node: its link was congested or gone.
     */
    long droppedFrames();
}
