/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.client.tap.windows;

import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * The values of the Windows SDK that {@link WinApi}'s callers use, from winnt.h, winerror.h, fileapi.h, winreg.h
 * and minwinbase.h (the same on every Windows architecture unless said otherwise).
 */
public final class WinApiConstants {
    public static final int GENERIC_READ = 0x8000_0000;
    public static final int GENERIC_WRITE = 0x4000_0000;
    public static final int OPEN_EXISTING = 3;
    public static final int FILE_ATTRIBUTE_SYSTEM = 0x4;
    public static final int FILE_FLAG_OVERLAPPED = 0x4000_0000;
    /** CreateFile's failure value: (HANDLE) -1. */
    public static final Pointer INVALID_HANDLE_VALUE = Pointer.createConstant(-1L);

    public static final int ERROR_SUCCESS = 0;
    public static final int ERROR_FILE_NOT_FOUND = 2;
    public static final int ERROR_PATH_NOT_FOUND = 3;
    public static final int ERROR_ACCESS_DENIED = 5;
    public static final int ERROR_INVALID_HANDLE = 6;
    public static final int ERROR_GEN_FAILURE = 31;
    public static final int ERROR_SHARING_VIOLATION = 32;
    public static final int ERROR_MORE_DATA = 234;
    public static final int ERROR_NO_MORE_ITEMS = 259;
    public static final int ERROR_OPERATION_ABORTED = 995;
    public static final int ERROR_IO_PENDING = 997;
    public static final int ERROR_DEVICE_NOT_CONNECTED = 1167;

    public static final int WAIT_OBJECT_0 = 0;
    public static final int WAIT_TIMEOUT = 0x102;
    public static final int WAIT_FAILED = 0xFFFF_FFFF;

    /** HKEY_LOCAL_MACHINE: (HKEY) (ULONG_PTR) (LONG) 0x80000002, sign-extended on 64-bit Windows. */
    public static final Pointer HKEY_LOCAL_MACHINE = Pointer.createConstant((long) (int) 0x8000_0002);
    public static final int KEY_READ = 0x20019;
    public static final int REG_SZ = 1;
    public static final int REG_EXPAND_SZ = 2;

    /**
     * OVERLAPPED: Internal and InternalHigh (ULONG_PTR each), then a union of two DWORD offsets and a pointer
     * (8 bytes either way), then the event HANDLE.
     */
    public static final int OVERLAPPED_EVENT_OFFSET = 2 * Native.POINTER_SIZE + 8;
    public static final int OVERLAPPED_SIZE = OVERLAPPED_EVENT_OFFSET + Native.POINTER_SIZE;

    private WinApiConstants() {
        // constants only
    }

    /**
     * Whether a handle CreateFile returned is the failure value.
     */
    public static boolean invalid(final Pointer handle) {
        return handle == null || Pointer.nativeValue(handle) == Pointer.nativeValue(INVALID_HANDLE_VALUE);
    }

    /**
     * A short text for an error code, for messages a person reads.
     */
    public static String describe(final int error) {
        return switch (error) {
            case ERROR_FILE_NOT_FOUND -> "not found (error 2)";
            case ERROR_PATH_NOT_FOUND -> "not found (error 3)";
            case ERROR_ACCESS_DENIED -> "access denied (error 5)";
            case ERROR_INVALID_HANDLE -> "invalid handle (error 6)";
            case ERROR_GEN_FAILURE -> "the device does not work (error 31)";
            case ERROR_SHARING_VIOLATION -> "in use by another program (error 32)";
            case ERROR_MORE_DATA -> "more data than the buffer holds (error 234)";
            case ERROR_OPERATION_ABORTED -> "cancelled (error 995)";
            case ERROR_DEVICE_NOT_CONNECTED -> "the device is not connected (error 1167)";
            default -> "error " + Integer.toUnsignedString(error);
        };
    }
}
