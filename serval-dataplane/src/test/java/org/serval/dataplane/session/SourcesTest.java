/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;

/**
 * What one source is, written as the logs write it.
 */
class SourcesTest {
    @Test
    void ipv4IsTheAddress() throws UnknownHostException {
        final var address = InetAddress.getByName("192.0.2.17");
        assertEquals("192.0.2.17", Sources.host(address));
        assertNull(Sources.site(address));
        assertEquals("192.0.2.17", Sources.widest(address));
    }

    @Test
    void ipv6IsTheSlash64InsideItsSlash48() throws UnknownHostException {
        final var address = InetAddress.getByName("2001:db8:0:1:a:b:c:d");
        assertEquals("2001:db8:0:1::/64", Sources.host(address));
        assertEquals("2001:db8::/48", Sources.site(address));
        assertEquals("2001:db8::/48", Sources.widest(address));
        assertEquals("2001:db8:5:1::/64", Sources.host(InetAddress.getByName("2001:db8:5:1::1")));
        assertEquals("::/48", Sources.site(InetAddress.getByName("::1")));
        assertEquals("0:1::/64", Sources.host(InetAddress.getByName("0:1:0:0:ff::")));
    }

    @Test
    void unknownIsOneSource() {
        assertEquals("unknown", Sources.host(null));
        assertNull(Sources.site(null));
    }
}
