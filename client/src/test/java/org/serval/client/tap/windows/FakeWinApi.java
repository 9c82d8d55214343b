/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.client.tap.windows;

import static org.serval.client.tap.windows.WinApiConstants.ERROR_ACCESS_DENIED;
import static org.serval.client.tap.windows.WinApiConstants.ERROR_FILE_NOT_FOUND;
import static org.serval.client.tap.windows.WinApiConstants.ERROR_IO_PENDING;
import static org.serval.client.tap.windows.WinApiConstants.ERROR_MORE_DATA;
import static org.serval.client.tap.windows.WinApiConstants.ERROR_NO_MORE_ITEMS;
import static org.serval.client.tap.windows.WinApiConstants.ERROR_OPERATION_ABORTED;
import static org.serval.client.tap.windows.WinApiConstants.ERROR_SUCCESS;
import static org.serval.client.tap.windows.WinApiConstants.OVERLAPPED_EVENT_OFFSET;
import static org.serval.client.tap.windows.WinApiConstants.REG_SZ;
import static org.serval.client.tap.windows.WinApiConstants.WAIT_OBJECT_0;
import static org.serval.client.tap.windows.WinApiConstants.WAIT_TIMEOUT;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Windows as the Windows TAP sees it, in memory: a registry, TAP-Windows6 device files and a driver behind them.
 * Overlapped calls behave as documented: the event is reset when an operation starts and set when it completes
 * (synchronously or later), GetOverlappedResult waits for it, CancelIoEx ends it with ERROR_OPERATION_ABORTED.
 * What "the host" sends through the adapter is queued with {@link #hostSends}; what the client wrote is in
 * {@link #hostReceived()}. Everything is guarded by this object's monitor.
 */
final class FakeWinApi implements WinApi {
    // A wait in the fake that nothing ends is a bug in the code under test: fail it instead of hanging the build.
    private static final long MAX_WAIT_MILLIS = 10_000;

    /**
     * How the fake driver answers the next write.
     */
    enum WriteMode { COMPLETE, FAIL, SHORT, STALL }

    /**
     * One overlapped operation.
     */
    private static final class Operation {
        final long event;
        final boolean read;
        final Pointer buffer;
        final int length;
        boolean done;
        int transferred;
        int error;

        Operation(final long event, final boolean read, final Pointer buffer, final int length) {
            this.event = event;
            this.read = read;
            this.buffer = buffer;
            this.length = length;
        }
    }

    private final ThreadLocal<Integer> lastError = ThreadLocal.withInitial(() -> 0);
    private long nextHandle = 0x1000;
    // registry: path -> values; subkeys in order; keys nobody may open
    private final Map<String, Map<String, String>> registry = new LinkedHashMap<>();
    private final Set<String> unreadable = new HashSet<>();
    private final Map<Long, String> openKeys = new HashMap<>();
    // devices: path -> MAC, MTU
    private final Map<String, byte[]> macs = new HashMap<>();
    private final Map<String, Integer> mtus = new HashMap<>();
    private final Map<String, Integer> openErrors = new HashMap<>();
    private long device;
    private final Set<Long> events = new HashSet<>();
    private final Set<Long> signalled = new HashSet<>();
    private final Map<Long, Operation> operations = new HashMap<>();
    private final Deque<byte[]> fromHost = new ArrayDeque<>();
    private final Deque<Integer> readErrors = new ArrayDeque<>();
    private final Deque<WriteMode> writeModes = new ArrayDeque<>();
    private final List<byte[]> toHost = new ArrayList<>();
    private boolean syncReads;
    private final Set<Integer> refusedIoctls = new HashSet<>();
    private int cancelsToMiss;

    // what was asked
    final List<String> createdFiles = new ArrayList<>();
    final List<Integer> createFlags = new ArrayList<>();
    final List<Integer> ioctls = new ArrayList<>();
    final List<Integer> mediaStatus = new ArrayList<>();
    final Set<Long> closedHandles = new HashSet<>();
    int cancels;

    FakeWinApi() {
        registry.put(hklm(TapWindows6.ADAPTER_KEY), new LinkedHashMap<>());
    }

    private static String hklm(final String path) {
        return "HKLM\\" + path;
    }

    // ---- setting it up ----

    /**
     * An adapter of the network class, a TAP-Windows6 one when its component id says so.
     */
    synchronized void addAdapter(final String subKey, final String componentId, final String guid, final String name,
            final byte[] mac, final int mtu) {
        final Map<String, String> values = new LinkedHashMap<>();
        values.put("ComponentId", componentId);
        values.put("NetCfgInstanceId", guid);
        registry.put(hklm(TapWindows6.ADAPTER_KEY + "\\" + subKey), values);
        if (name != null) {
            registry.put(hklm(TapWindows6.NETWORK_CONNECTIONS_KEY + "\\" + guid + "\\Connection"),
                new LinkedHashMap<>(Map.of("Name", name)));
        }
        macs.put(TapWindows6.devicePath(guid), mac.clone());
        mtus.put(TapWindows6.devicePath(guid), mtu);
    }

    synchronized void addUnreadableKey(final String subKey) {
        final var path = hklm(TapWindows6.ADAPTER_KEY + "\\" + subKey);
        registry.put(path, new LinkedHashMap<>());
        unreadable.add(path);
    }

    synchronized void failOpen(final String guid, final int error) {
        openErrors.put(TapWindows6.devicePath(guid), error);
    }

    /**
     * Reads complete within ReadFile itself (TRUE), as when a frame is already waiting; otherwise they pend.
     */
    synchronized void refuseIoctl(final int code) {
        refusedIoctls.add(code);
    }

    synchronized void syncReads(final boolean sync) {
        syncReads = sync;
    }

    /**
     * The next read (pending or not) fails with this error instead of giving a frame.
     */
    synchronized void failNextRead(final int error) {
        readErrors.add(error);
        completeReads();
    }

    synchronized void nextWrites(final WriteMode... modes) {
        writeModes.addAll(List.of(modes));
    }

    /**
     * Lets the next cancellations go unnoticed, as one that comes before the read it was meant for.
     */
    synchronized void missCancels(final int count) {
        cancelsToMiss = count;
    }

    /**
     * A frame the host sends out through the adapter: the client's next (or pending) read gets it.
     */
    synchronized void hostSends(final byte[] frame) {
        fromHost.add(frame.clone());
        completeReads();
    }

    synchronized List<byte[]> hostReceived() {
        return List.copyOf(toHost);
    }

    synchronized long device() {
        return device;
    }

    synchronized boolean readPending() {
        return operations.values().stream().anyMatch(op -> op.read && !op.done);
    }

    /**
     * Waits until the host has received this many frames.
     */
    synchronized void awaitReceived(final int count) throws InterruptedException {
        final long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MAX_WAIT_MILLIS);
        while (toHost.size() < count) {
            final long left = end - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("the host received " + toHost.size() + " frames, not " + count);
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    synchronized void awaitReadPending() throws InterruptedException {
        final long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MAX_WAIT_MILLIS);
        while (!readPending()) {
            final long left = end - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("no read pending");
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    // ---- the driver ----

    private void completeReads() {
        for (var op : operations.values()) {
            if (op.read && !op.done) {
                if (!readErrors.isEmpty()) {
                    finish(op, 0, readErrors.poll());
                } else if (!fromHost.isEmpty()) {
                    deliver(op, fromHost.poll());
                }
            }
        }
    }

    private void deliver(final Operation op, final byte[] frame) {
        if (frame.length > op.length) {
            // the driver's answer to a frame longer than the buffer: STATUS_BUFFER_OVERFLOW, nothing transferred
            finish(op, 0, ERROR_MORE_DATA);
        } else {
            op.buffer.write(0, frame, 0, frame.length);
            finish(op, frame.length, ERROR_SUCCESS);
        }
    }

    private void finish(final Operation op, final int transferred, final int error) {
        op.done = true;
        op.transferred = transferred;
        op.error = error;
        signalled.add(op.event);
        notifyAll();
    }

    private Operation start(final Pointer overlapped, final boolean read, final Pointer buffer, final int length) {
        final long event = Pointer.nativeValue(overlapped.getPointer(OVERLAPPED_EVENT_OFFSET));
        if (!events.contains(event)) {
            throw new AssertionError("an OVERLAPPED without a live event");
        }
        final var old = operations.get(Pointer.nativeValue(overlapped));
        if (old != null && !old.done) {
            throw new AssertionError("an OVERLAPPED reused while its operation runs");
        }
        signalled.remove(event);
        final var op = new Operation(event, read, buffer, length);
        operations.put(Pointer.nativeValue(overlapped), op);
        // for awaitReadPending
        notifyAll();
        return op;
    }

    private boolean fail(final int error) {
        lastError.set(error);
        return false;
    }

    private boolean liveDevice(final Pointer file) {
        return device != 0 && Pointer.nativeValue(file) == device && !closedHandles.contains(device);
    }

    private String devicePath() {
        return createdFiles.get(createdFiles.size() - 1);
    }

    // ---- WinApi ----

    @Override
    public synchronized Pointer createFile(final String fileName, final int desiredAccess, final int shareMode,
            final Pointer securityAttributes, final int creationDisposition, final int flagsAndAttributes,
            final Pointer templateFile) {
        createdFiles.add(fileName);
        createFlags.add(desiredAccess);
        createFlags.add(shareMode);
        createFlags.add(creationDisposition);
        createFlags.add(flagsAndAttributes);
        if (openErrors.containsKey(fileName)) {
            lastError.set(openErrors.get(fileName));
            return WinApiConstants.INVALID_HANDLE_VALUE;
        }
        if (!macs.containsKey(fileName)) {
            lastError.set(ERROR_FILE_NOT_FOUND);
            return WinApiConstants.INVALID_HANDLE_VALUE;
        }
        device = nextHandle++;
        return Pointer.createConstant(device);
    }

    @Override
    public synchronized boolean deviceIoControl(final Pointer file, final int code, final Pointer inBuffer,
            final int inBufferSize, final Pointer outBuffer, final int outBufferSize,
            final IntByReference bytesReturned, final Pointer overlapped) {
        if (!liveDevice(file)) {
            return fail(WinApiConstants.ERROR_INVALID_HANDLE);
        }
        if (overlapped == null) {
            throw new AssertionError("DeviceIoControl on an overlapped handle without an OVERLAPPED");
        }
        ioctls.add(code);
        final var op = start(overlapped, false, null, 0);
        // the driver checks the buffer sizes and answers at once, as tap-windows6 does
        if (refusedIoctls.contains(code)) {
            finish(op, 0, WinApiConstants.ERROR_GEN_FAILURE);
            return fail(WinApiConstants.ERROR_GEN_FAILURE);
        } else if (code == TapWindows6.IOCTL_GET_MAC && outBufferSize >= 6) {
            outBuffer.write(0, macs.get(devicePath()), 0, 6);
            finish(op, 6, ERROR_SUCCESS);
        } else if (code == TapWindows6.IOCTL_GET_MTU && outBufferSize >= 4) {
            outBuffer.setInt(0, mtus.get(devicePath()));
            finish(op, 4, ERROR_SUCCESS);
        } else if (code == TapWindows6.IOCTL_SET_MEDIA_STATUS && inBufferSize >= 4) {
            mediaStatus.add(inBuffer.getInt(0));
            finish(op, 1, ERROR_SUCCESS);
        } else {
            finish(op, 0, 1);
            // ERROR_INVALID_FUNCTION
            return fail(1);
        }
        return true;
    }

    @Override
    public synchronized boolean readFile(final Pointer file, final Pointer buffer, final int toRead,
            final IntByReference read, final Pointer overlapped) {
        if (!liveDevice(file)) {
            return fail(WinApiConstants.ERROR_INVALID_HANDLE);
        }
        if (read != null) {
            throw new AssertionError("an overlapped ReadFile with a count");
        }
        final var op = start(overlapped, true, buffer, toRead);
        if (!readErrors.isEmpty()) {
            finish(op, 0, readErrors.poll());
            return fail(op.error);
        }
        if (syncReads && !fromHost.isEmpty()) {
            deliver(op, fromHost.poll());
            return op.error == ERROR_SUCCESS || fail(op.error);
        }
        completeReads();
        return fail(ERROR_IO_PENDING);
    }

    @Override
    public synchronized boolean writeFile(final Pointer file, final Pointer buffer, final int toWrite,
            final IntByReference written, final Pointer overlapped) {
        if (!liveDevice(file)) {
            return fail(WinApiConstants.ERROR_INVALID_HANDLE);
        }
        if (written != null) {
            throw new AssertionError("an overlapped WriteFile with a count");
        }
        final var op = start(overlapped, false, buffer, toWrite);
        final var mode = writeModes.isEmpty() ? WriteMode.COMPLETE : writeModes.poll();
        switch (mode) {
            case COMPLETE -> {
                toHost.add(buffer.getByteArray(0, toWrite));
                finish(op, toWrite, ERROR_SUCCESS);
                return true;
            }
            case SHORT -> {
                finish(op, toWrite - 1, ERROR_SUCCESS);
                return fail(ERROR_IO_PENDING);
            }
            case FAIL -> {
                finish(op, 0, WinApiConstants.ERROR_GEN_FAILURE);
                return fail(WinApiConstants.ERROR_GEN_FAILURE);
            }
            default -> {
                return fail(ERROR_IO_PENDING);
            }
        }
    }

    @Override
    public synchronized boolean getOverlappedResult(final Pointer file, final Pointer overlapped,
            final IntByReference transferred, final boolean wait) {
        final var op = operations.get(Pointer.nativeValue(overlapped));
        if (op == null) {
            throw new AssertionError("GetOverlappedResult for an operation never started");
        }
        final long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MAX_WAIT_MILLIS);
        while (wait && !op.done) {
            final long left = end - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("GetOverlappedResult waited for an operation nothing ends");
            }
            try {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted in GetOverlappedResult", e);
            }
        }
        if (!op.done) {
            // ERROR_IO_INCOMPLETE
            return fail(996);
        }
        transferred.setValue(op.transferred);
        return op.error == ERROR_SUCCESS || fail(op.error);
    }

    @Override
    public synchronized boolean cancelIoEx(final Pointer file, final Pointer overlapped) {
        cancels++;
        if (cancelsToMiss > 0) {
            cancelsToMiss--;
            // ERROR_NOT_FOUND: nothing to cancel (yet)
            return fail(1168);
        }
        boolean any = false;
        for (var entry : operations.entrySet()) {
            if (!entry.getValue().done && (overlapped == null || entry.getKey() == Pointer.nativeValue(overlapped))) {
                finish(entry.getValue(), 0, ERROR_OPERATION_ABORTED);
                any = true;
            }
        }
        return any || fail(1168);
    }

    @Override
    public synchronized boolean closeHandle(final Pointer handle) {
        final long value = Pointer.nativeValue(handle);
        if (!closedHandles.add(value)) {
            throw new AssertionError("a handle closed twice: " + value);
        }
        if (value == device) {
            // closing the device ends whatever still runs on it
            for (var op : operations.values()) {
                if (!op.done) {
                    finish(op, 0, ERROR_OPERATION_ABORTED);
                }
            }
        }
        return true;
    }

    @Override
    public synchronized Pointer createEvent(final Pointer eventAttributes, final boolean manualReset,
            final boolean initialState, final String name) {
        if (!manualReset || initialState || name != null) {
            throw new AssertionError("overlapped I/O wants an unnamed manual-reset event, initially not set");
        }
        final long event = nextHandle++;
        events.add(event);
        return Pointer.createConstant(event);
    }

    @Override
    public synchronized int waitForSingleObject(final Pointer handle, final int milliseconds) {
        final long event = Pointer.nativeValue(handle);
        final long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(milliseconds);
        while (!signalled.contains(event)) {
            final long left = end - System.nanoTime();
            if (left <= 0) {
                return WAIT_TIMEOUT;
            }
            try {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return WinApiConstants.WAIT_FAILED;
            }
        }
        return WAIT_OBJECT_0;
    }

    @Override
    public int getLastError() {
        return lastError.get();
    }

    @Override
    public synchronized int regOpenKeyEx(final Pointer key, final String subKey, final int options,
            final int samDesired, final PointerByReference result) {
        final long parent = Pointer.nativeValue(key);
        final String parentPath = parent == Pointer.nativeValue(WinApiConstants.HKEY_LOCAL_MACHINE) ? "HKLM"
            : openKeys.get(parent);
        final var path = parentPath + "\\" + subKey;
        if (unreadable.contains(path)) {
            return ERROR_ACCESS_DENIED;
        }
        if (!registry.containsKey(path)) {
            return ERROR_FILE_NOT_FOUND;
        }
        final long handle = nextHandle++;
        openKeys.put(handle, path);
        result.setValue(Pointer.createConstant(handle));
        return ERROR_SUCCESS;
    }

    @Override
    public synchronized int regEnumKeyEx(final Pointer key, final int index, final char[] name,
            final IntByReference nameLength, final Pointer reserved, final Pointer className,
            final Pointer classNameLength, final Pointer lastWriteTime) {
        final var prefix = openKeys.get(Pointer.nativeValue(key)) + "\\";
        final List<String> children = registry.keySet().stream().filter(p -> p.startsWith(prefix))
            .map(p -> p.substring(prefix.length())).filter(p -> !p.contains("\\")).toList();
        if (index >= children.size()) {
            return ERROR_NO_MORE_ITEMS;
        }
        final var child = children.get(index);
        if (child.length() + 1 > nameLength.getValue()) {
            return ERROR_MORE_DATA;
        }
        child.getChars(0, child.length(), name, 0);
        name[child.length()] = '\0';
        nameLength.setValue(child.length());
        return ERROR_SUCCESS;
    }

    @Override
    public synchronized int regQueryValueEx(final Pointer key, final String valueName, final Pointer reserved,
            final IntByReference type, final byte[] data, final IntByReference dataLength) {
        final var values = registry.get(openKeys.get(Pointer.nativeValue(key)));
        final var value = values == null ? null : values.get(valueName);
        if (value == null) {
            return ERROR_FILE_NOT_FOUND;
        }
        final var bytes = (value + "\0").getBytes(StandardCharsets.UTF_16LE);
        if (bytes.length > dataLength.getValue()) {
            dataLength.setValue(bytes.length);
            return ERROR_MORE_DATA;
        }
        System.arraycopy(bytes, 0, data, 0, bytes.length);
        type.setValue(REG_SZ);
        dataLength.setValue(bytes.length);
        return ERROR_SUCCESS;
    }

    @Override
    public synchronized int regCloseKey(final Pointer key) {
        return openKeys.remove(Pointer.nativeValue(key)) == null ? WinApiConstants.ERROR_INVALID_HANDLE
            : ERROR_SUCCESS;
    }

    synchronized int liveEvents() {
        return (int) events.stream().filter(e -> !closedHandles.contains(e)).count();
    }

    synchronized int openKeys() {
        return openKeys.size();
    }
}
