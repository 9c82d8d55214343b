/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.cli;

import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261121.ClientId;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261121.VlanName;
import org.serval.api.VlanInfo;

/**
 * Turns what a person typed into model values, with a message that says what is wrong instead of the binding's
 * regular expression.
 */
final class Inputs {
    private Inputs() {
        // utility
    }

    static VlanName vlanName(final String text) {
        try {
            return new VlanName(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid VLAN name '" + text
                + "': use 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit", e);
        }
    }

    static ClientId clientId(final String text) {
        try {
            return new ClientId(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid client id '" + text + "'", e);
        }
    }

    static int vid(final Integer vid) {
        if (vid < VlanInfo.MIN_VID || vid > VlanInfo.MAX_VID) {
            throw new IllegalArgumentException(
                "vid " + vid + " is out of range: use " + VlanInfo.MIN_VID + " to " + VlanInfo.MAX_VID);
        }
        return vid;
    }

    static long maxMembers(final Integer max) {
        if (max < 1 || max > 65535) {
            throw new IllegalArgumentException("max-members " + max + " is out of range: use 1 to 65535");
        }
        return max;
    }
}
