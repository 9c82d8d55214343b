/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.client.tap.windows;

import java.util.Locale;
import java.util.Set;

/**
 * What the TAP-Windows6 driver (OpenVPN's layer-2 driver, hardware id {@code tap0901}) publishes for programs in
 * its header {@code src/tap-windows.h}: the control codes, where its adapters are in the registry and the name of
 * an adapter's device file. Written from that header's definitions (the driver's interface), not copied.
 */
public final class TapWindows6 {
    /** The driver's component id, as in an adapter's {@code ComponentId} registry value. */
    public static final String COMPONENT_ID = "tap0901";
    // Some installers record it with the enumerator in front.
    private static final Set<String> COMPONENT_IDS = Set.of(COMPONENT_ID, "root\\" + COMPONENT_ID);

    // CTL_CODE's parts (winioctl.h / devioctl.h).
    static final int FILE_DEVICE_UNKNOWN = 0x22;
    static final int METHOD_BUFFERED = 0;
    static final int FILE_ANY_ACCESS = 0;

    // TAP_WIN_CONTROL_CODE(request, METHOD_BUFFERED): the driver numbers its requests from 1.
    static final int REQUEST_GET_MAC = 1;
    static final int REQUEST_GET_MTU = 3;
    static final int REQUEST_SET_MEDIA_STATUS = 6;

    /** The adapter's MAC: out, 6 bytes. */
    public static final int IOCTL_GET_MAC = tapControlCode(REQUEST_GET_MAC);
    /** The adapter's MTU: out, a ULONG. */
    public static final int IOCTL_GET_MTU = tapControlCode(REQUEST_GET_MTU);
    /** The cable plugged in (non-zero) or not: in, a ULONG. */
    public static final int IOCTL_SET_MEDIA_STATUS = tapControlCode(REQUEST_SET_MEDIA_STATUS);

    /** Every network adapter's driver settings, one numbered subkey per adapter (the network class GUID). */
    public static final String ADAPTER_KEY =
        "SYSTEM\\CurrentControlSet\\Control\\Class\\{4D36E972-E325-11CE-BFC1-08002BE10318}";
    /** Every network connection by NetCfgInstanceId; its {@code Connection} subkey holds the name users see. */
    public static final String NETWORK_CONNECTIONS_KEY =
        "SYSTEM\\CurrentControlSet\\Control\\Network\\{4D36E972-E325-11CE-BFC1-08002BE10318}";

    private static final String USER_MODE_DEVICE_DIR = "\\\\.\\Global\\";
    private static final String SUFFIX = ".tap";

    private TapWindows6() {
        // constants only
    }

    /**
     * CTL_CODE(DeviceType, Function, Method, Access) of winioctl.h.
     */
    static int ctlCode(final int deviceType, final int function, final int method, final int access) {
        return deviceType << 16 | access << 14 | function << 2 | method;
    }

    /**
     * TAP_WIN_CONTROL_CODE(request, METHOD_BUFFERED).
     */
    static int tapControlCode(final int request) {
        return ctlCode(FILE_DEVICE_UNKNOWN, request, METHOD_BUFFERED, FILE_ANY_ACCESS);
    }

    /**
     * The device file of the adapter with this NetCfgInstanceId: {@code \\.\Global\{GUID}.tap}.
     */
    public static String devicePath(final String netCfgInstanceId) {
        return USER_MODE_DEVICE_DIR + netCfgInstanceId + SUFFIX;
    }

    /**
     * Whether an adapter's ComponentId names this driver.
     */
    public static boolean isTapComponent(final String componentId) {
        return componentId != null && COMPONENT_IDS.contains(componentId.trim().toLowerCase(Locale.ROOT));
    }
}
