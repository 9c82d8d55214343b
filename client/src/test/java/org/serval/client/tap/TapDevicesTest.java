/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.client.tap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The TAP of the operating system: Windows only when os.name says Windows.
 */
class TapDevicesTest {
    @Test
    void windowsOnlyOnWindows() {
        assertTrue(TapDevices.windows("Windows 10"));
        assertTrue(TapDevices.windows("Windows Server 2022"));
        assertFalse(TapDevices.windows("Linux"));
        assertFalse(TapDevices.windows("Mac OS X"));
        assertFalse(TapDevices.windows(""));
        assertEquals(System.getProperty("os.name").startsWith("Windows"), TapDevices.windows());
    }
}
