/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.client.tap.windows;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;

/**
 * Exactly the Win32 calls the Windows TAP uses, one method each, named as in the Windows SDK (in camel case) and
 * with its arguments in the same order, so that the code reads like its documentation. {@link NativeWinApi} is
 * the real one (JNA); the tests implement this interface with a fake driver, which is why it is an interface of
 * our own rather than JNA's platform classes.
 *
 * <p>Handles are {@link Pointer}s. Buffers and OVERLAPPED structures handed to overlapped calls must be native
 * memory that stays put until the call completes (a {@code byte[]} would be copied and freed on return), hence
 * {@link Pointer} for them too.
 */
public interface WinApi {
    // ---- Kernel32 ----

    /**
     * CreateFileW.
     *
     * @return the handle, or {@link WinApiConstants#INVALID_HANDLE_VALUE} (then {@link #getLastError()})
     */
    Pointer createFile(String fileName, int desiredAccess, int shareMode, Pointer securityAttributes,
        int creationDisposition, int flagsAndAttributes, Pointer templateFile);

    /**
     * DeviceIoControl.
     */
    boolean deviceIoControl(Pointer device, int ioControlCode, Pointer inBuffer, int inBufferSize,
        Pointer outBuffer, int outBufferSize, IntByReference bytesReturned, Pointer overlapped);

    /**
     * ReadFile; overlapped, so with no count (null): {@link #getOverlappedResult} gives it.
     */
    boolean readFile(Pointer file, Pointer buffer, int numberOfBytesToRead, IntByReference numberOfBytesRead,
        Pointer overlapped);

    /**
     * WriteFile; overlapped, so with no count (null): {@link #getOverlappedResult} gives it.
     */
    boolean writeFile(Pointer file, Pointer buffer, int numberOfBytesToWrite, IntByReference numberOfBytesWritten,
        Pointer overlapped);

    /**
     * GetOverlappedResult.
     */
    boolean getOverlappedResult(Pointer file, Pointer overlapped, IntByReference numberOfBytesTransferred,
        boolean wait);

    /**
     * CancelIoEx: ends the given overlapped operation (null: every one on the handle) with ERROR_OPERATION_ABORTED.
     */
    boolean cancelIoEx(Pointer file, Pointer overlapped);

    /**
     * CloseHandle.
     */
    boolean closeHandle(Pointer handle);

    /**
     * CreateEventW.
     *
     * @return the event, or null (then {@link #getLastError()})
     */
    Pointer createEvent(Pointer eventAttributes, boolean manualReset, boolean initialState, String name);

    /**
     * WaitForSingleObject.
     *
     * @return WAIT_OBJECT_0, WAIT_TIMEOUT or WAIT_FAILED
     */
    int waitForSingleObject(Pointer handle, int milliseconds);

    /**
     * The calling thread's last error, as GetLastError would give it right after the previous call of this
     * interface (JNA keeps it per thread; calling GetLastError itself through JNA could see a later value).
     */
    int getLastError();

    // ---- Advapi32: the registry; these return the error code themselves ----

    /**
     * RegOpenKeyExW.
     */
    int regOpenKeyEx(Pointer key, String subKey, int options, int samDesired, PointerByReference result);

    /**
     * RegEnumKeyExW, for the name only.
     *
     * @param nameLength in: the buffer's size in characters; out: the name's length without the terminating NUL
     */
    int regEnumKeyEx(Pointer key, int index, char[] name, IntByReference nameLength, Pointer reserved,
        Pointer className, Pointer classNameLength, Pointer lastWriteTime);

    /**
     * RegQueryValueExW.
     *
     * @param dataLength in: the buffer's size in bytes; out: the value's
     */
    int regQueryValueEx(Pointer key, String valueName, Pointer reserved, IntByReference type, byte[] data,
        IntByReference dataLength);

    /**
     * RegCloseKey.
     */
    int regCloseKey(Pointer key);
}
