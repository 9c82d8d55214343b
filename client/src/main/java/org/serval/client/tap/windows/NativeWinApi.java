/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.client.tap.windows;

import com.sun.jna.FunctionMapper;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.WString;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;
import com.sun.jna.win32.StdCallLibrary;
import java.util.Map;

/**
 * {@link WinApi} on the real Windows, through JNA: kernel32.dll and advapi32.dll, loaded when this class is first
 * used (never on Linux, where it is compiled but not used). Java's {@code boolean} is JNA's 32-bit BOOL; strings go
 * as UTF-16 ({@link WString}) to the W functions.
 */
public final class NativeWinApi implements WinApi {
    // The SDK's names start with a capital letter, ours (checkstyle) with a small one.
    private static final FunctionMapper CAPITALIZED = (library, method) ->
        Character.toUpperCase(method.getName().charAt(0)) + method.getName().substring(1);
    private static final Map<String, Object> OPTIONS = Map.of(Library.OPTION_FUNCTION_MAPPER, CAPITALIZED);

    /**
     * kernel32.dll.
     */
    interface Kernel32 extends StdCallLibrary {
        Pointer createFileW(WString fileName, int desiredAccess, int shareMode, Pointer securityAttributes,
            int creationDisposition, int flagsAndAttributes, Pointer templateFile);

        boolean deviceIoControl(Pointer device, int ioControlCode, Pointer inBuffer, int inBufferSize,
            Pointer outBuffer, int outBufferSize, IntByReference bytesReturned, Pointer overlapped);

        boolean readFile(Pointer file, Pointer buffer, int toRead, IntByReference read, Pointer overlapped);

        boolean writeFile(Pointer file, Pointer buffer, int toWrite, IntByReference written, Pointer overlapped);

        boolean getOverlappedResult(Pointer file, Pointer overlapped, IntByReference transferred, boolean wait);

        boolean cancelIoEx(Pointer file, Pointer overlapped);

        boolean closeHandle(Pointer handle);

        Pointer createEventW(Pointer eventAttributes, boolean manualReset, boolean initialState, WString name);

        int waitForSingleObject(Pointer handle, int milliseconds);
    }

    /**
     * advapi32.dll.
     */
    interface Advapi32 extends StdCallLibrary {
        int regOpenKeyExW(Pointer key, WString subKey, int options, int samDesired, PointerByReference result);

        int regEnumKeyExW(Pointer key, int index, char[] name, IntByReference nameLength, Pointer reserved,
            Pointer className, Pointer classNameLength, Pointer lastWriteTime);

        int regQueryValueExW(Pointer key, WString valueName, Pointer reserved, IntByReference type, byte[] data,
            IntByReference dataLength);

        int regCloseKey(Pointer key);
    }

    private final Kernel32 kernel32;
    private final Advapi32 advapi32;

    /**
     * Loads the two libraries.
     *
     * @throws UnsatisfiedLinkError when not on Windows
     */
    public NativeWinApi() {
        kernel32 = Native.load("kernel32", Kernel32.class, OPTIONS);
        advapi32 = Native.load("advapi32", Advapi32.class, OPTIONS);
    }

    private static WString wide(final String value) {
        return value == null ? null : new WString(value);
    }

    @Override
    public Pointer createFile(final String fileName, final int desiredAccess, final int shareMode,
            final Pointer securityAttributes, final int creationDisposition, final int flagsAndAttributes,
            final Pointer templateFile) {
        return kernel32.createFileW(wide(fileName), desiredAccess, shareMode, securityAttributes,
            creationDisposition, flagsAndAttributes, templateFile);
    }

    @Override
    public boolean deviceIoControl(final Pointer device, final int ioControlCode, final Pointer inBuffer,
            final int inBufferSize, final Pointer outBuffer, final int outBufferSize,
            final IntByReference bytesReturned, final Pointer overlapped) {
        return kernel32.deviceIoControl(device, ioControlCode, inBuffer, inBufferSize, outBuffer, outBufferSize,
            bytesReturned, overlapped);
    }

    @Override
    public boolean readFile(final Pointer file, final Pointer buffer, final int numberOfBytesToRead,
            final IntByReference numberOfBytesRead, final Pointer overlapped) {
        return kernel32.readFile(file, buffer, numberOfBytesToRead, numberOfBytesRead, overlapped);
    }

    @Override
    public boolean writeFile(final Pointer file, final Pointer buffer, final int numberOfBytesToWrite,
            final IntByReference numberOfBytesWritten, final Pointer overlapped) {
        return kernel32.writeFile(file, buffer, numberOfBytesToWrite, numberOfBytesWritten, overlapped);
    }

    @Override
    public boolean getOverlappedResult(final Pointer file, final Pointer overlapped,
            final IntByReference numberOfBytesTransferred, final boolean wait) {
        return kernel32.getOverlappedResult(file, overlapped, numberOfBytesTransferred, wait);
    }

    @Override
    public boolean cancelIoEx(final Pointer file, final Pointer overlapped) {
        return kernel32.cancelIoEx(file, overlapped);
    }

    @Override
    public boolean closeHandle(final Pointer handle) {
        return kernel32.closeHandle(handle);
    }

    @Override
    public Pointer createEvent(final Pointer eventAttributes, final boolean manualReset, final boolean initialState,
            final String name) {
        return kernel32.createEventW(eventAttributes, manualReset, initialState, wide(name));
    }

    @Override
    public int waitForSingleObject(final Pointer handle, final int milliseconds) {
        return kernel32.waitForSingleObject(handle, milliseconds);
    }

    @Override
    public int getLastError() {
        return Native.getLastError();
    }

    @Override
    public int regOpenKeyEx(final Pointer key, final String subKey, final int options, final int samDesired,
            final PointerByReference result) {
        return advapi32.regOpenKeyExW(key, wide(subKey), options, samDesired, result);
    }

    @Override
    public int regEnumKeyEx(final Pointer key, final int index, final char[] name, final IntByReference nameLength,
            final Pointer reserved, final Pointer className, final Pointer classNameLength,
            final Pointer lastWriteTime) {
        return advapi32.regEnumKeyExW(key, index, name, nameLength, reserved, className, classNameLength,
            lastWriteTime);
    }

    @Override
    public int regQueryValueEx(final Pointer key, final String valueName, final Pointer reserved,
            final IntByReference type, final byte[] data, final IntByReference dataLength) {
        return advapi32.regQueryValueExW(key, wide(valueName), reserved, type, data, dataLength);
    }

    @Override
    public int regCloseKey(final Pointer key) {
        return advapi32.regCloseKey(key);
    }
}
