/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.client.tap;

import java.io.IOException;
import org.serval.client.tap.windows.WindowsTap;

/**
 * Makes the TAP device of this operating system: {@link WindowsTap} (an installed TAP-Windows6 adapter, named by
 * its connection name or GUID) on Windows, {@link LinuxTap} everywhere else. Both are compiled into every build;
 * the other one's native libraries are never loaded.
 */
public final class TapDevices {
    private TapDevices() {
        // factory only
    }

    /**
     * Whether this JVM runs on Windows.
     */
    public static boolean windows() {
        return windows(System.getProperty("os.name", ""));
    }

    /**
     * Whether a value of {@code os.name} is Windows ("Windows 10", "Windows Server 2022", ...).
     */
    static boolean windows(final String osName) {
        return osName.startsWith("Windows");
    }

    /**
     * Creates (Linux) or opens (Windows) the interface with this name.
     *
     * @param offload Linux only: TCP super-frames through the TAP; TAP-Windows6 has no such thing
     * @throws IOException with a message a person can act on
     */
    public static TapDevice create(final String name, final boolean offload) throws IOException {
        return windows() ? WindowsTap.open(name) : LinuxTap.create(name, offload);
    }
}
