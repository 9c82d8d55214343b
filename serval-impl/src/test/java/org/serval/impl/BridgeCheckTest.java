/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.opendaylight.yangtools.yang.common.ErrorTag;
import org.serval.api.LocalVlanView;
import org.serval.api.VlanInfo;

/**
 * What the bridge configuration's commit check refuses, with which error-tag: what RESTCONF answers.
 */
class BridgeCheckTest {
    private final LocalVlanView view = new LocalVlanView();
    private final BridgeCheck check = new BridgeCheck(view, "n1", new BridgeCheck.Interfaces(
        Set.of("eth1", "eth2", "br-port")::contains, iface -> "br-port".equals(iface) ? "br0" : null));

    BridgeCheckTest() {
        view.putVlan(new VlanInfo("red", 10, "", 256, false, null));
        view.putVlan(new VlanInfo("blue", 20, "", 256, false, null));
        view.putVlan(new VlanInfo("plain", 0, "", 256, false, null));
    }

    private void refused(final ErrorTag tag, final String words, final BridgeCheck.Refusal refusal) {
        assertEquals(tag, refusal == null ? null : refusal.tag(), refusal == null ? "accepted" : refusal.message());
        assertTrue(refusal.message().contains(words), refusal.message());
    }

    @Test
    void goodPortsPass() {
        assertNull(check.check("n1", "eth1", "access", "red", List.of()));
        assertNull(check.check("n1", "eth2", "trunk", null, List.of("red", "blue")));
        // another node's interfaces are that node's to know
        assertNull(check.check("n2", "eth9", "access", "plain", List.of()));
    }

    @Test
    void badPortsAreRefusedWithTheRightTag() {
        refused(ErrorTag.INVALID_VALUE, "no interface eth9", check.check("n1", "eth9", "access", "red", List.of()));
        refused(ErrorTag.INVALID_VALUE, "plain has no vid",
            check.check("n1", "eth2", "trunk", null, List.of("red", "plain")));
        refused(ErrorTag.INVALID_VALUE, "no such VLAN green", check.check("n1", "eth1", "access", "green",
            List.of()));
        refused(ErrorTag.INVALID_VALUE, "exactly one VLAN", check.check("n1", "eth1", "access", null, List.of()));
        refused(ErrorTag.INVALID_VALUE, "at least one", check.check("n1", "eth1", "trunk", null, List.of()));
        refused(ErrorTag.DATA_EXISTS, "port of br0", check.check("n1", "br-port", "access", "red", List.of()));
        refused(ErrorTag.INVALID_VALUE, "interface name", check.check("n1", "../x", "access", "red", List.of()));
    }

    @Test
    void aVidTwiceOnOneTrunkIsRefused() {
        // two VLANs with one vid cannot get into the datastore (VidUniquenessCheck); the view can still lag
        view.putVlan(new VlanInfo("green", 10, "", 256, false, null));
        refused(ErrorTag.DATA_EXISTS, "vid 10 is used twice",
            check.check("n1", "eth2", "trunk", null, List.of("red", "green")));
    }
}
