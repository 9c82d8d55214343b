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
import static org.serval.client.tap.windows.WinApiConstants.ERROR_OPERATION_ABORTED;
import static org.serval.client.tap.windows.WinApiConstants.ERROR_PATH_NOT_FOUND;
import static org.serval.client.tap.windows.WinApiConstants.ERROR_SHARING_VIOLATION;
import static org.serval.client.tap.windows.WinApiConstants.FILE_ATTRIBUTE_SYSTEM;
import static org.serval.client.tap.windows.WinApiConstants.FILE_FLAG_OVERLAPPED;
import static org.serval.client.tap.windows.WinApiConstants.GENERIC_READ;
import static org.serval.client.tap.windows.WinApiConstants.GENERIC_WRITE;
import static org.serval.client.tap.windows.WinApiConstants.OPEN_EXISTING;
import static org.serval.client.tap.windows.WinApiConstants.OVERLAPPED_EVENT_OFFSET;
import static org.serval.client.tap.windows.WinApiConstants.OVERLAPPED_SIZE;
import static org.serval.client.tap.windows.WinApiConstants.WAIT_OBJECT_0;
import static org.serval.client.tap.windows.WinApiConstants.WAIT_TIMEOUT;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.serval.client.tap.TapDevice;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TAP-Windows6 adapter: its device file opened for overlapped I/O, frames read by whoever calls {@link #read}
 * (the client's reader thread: there is no descriptor an event loop could poll) and written by a thread of its own
 * from a bounded queue, so that the connection's event loop never waits on the driver.
 *
 * <p>The adapter exists before and after the client (an installer adds it); opening it and setting its media
 * status "connected" is what makes Windows use it, and closing it unplugs the cable again. Its MAC is the one its
 * driver properties give it ({@link #fixedMac()}), its IP MTU is set with {@code netsh}, and its address comes from
 * Windows's own DHCP client over the VLAN, or is set by hand (docs/windows.md).
 *
 * <p>Not run on a real Windows machine yet; the tests drive it through a fake {@link WinApi}.
 */
public final class WindowsTap implements TapDevice {
    // ---- Bounds of the Windows TAP ----
    /**
     * Frames waiting for the writer thread: 256 full frames (390 KB), a few milliseconds of a fast link. A longer
     * queue would only add latency; beyond it the frame is dropped and counted, as a full Linux TAP drops it.
     */
    static final int WRITE_QUEUE_FRAMES = 256;
    /**
     * How long one write into the adapter may take before it is cancelled and the frame counted as lost: the
     * driver completes a write at once unless Windows has stopped taking frames from it.
     */
    static final int WRITE_TIMEOUT_MILLIS = 1000;
    /**
     * How long closing waits for the reader and the writer to let go of the native buffers (the pending read is
     * cancelled first, so this is only reached when the driver does not answer the cancellation).
     */
    static final long CLOSE_WAIT_MILLIS = 2000;
    /** How often closing cancels the pending read again while it waits for the reader to leave. */
    static final long CANCEL_AGAIN_MILLIS = 50;
    /** The largest frame read or written: a 64 KB jumbo MTU, the most the driver's properties offer, and a tag. */
    static final int MAX_BUFFER = 65_535 + 18;

    private static final Logger LOG = LoggerFactory.getLogger(WindowsTap.class);
    // Ethernet header and an 802.1Q tag (the driver can add one for priority) on top of the MTU.
    private static final int FRAME_OVERHEAD = 18;
    private static final int ETHERNET_HEADER = 14;
    // Native memory the driver may still write into because it never answered a cancellation: kept reachable,
    // never freed, rather than reused by the allocator under a running I/O. Empty unless something went wrong.
    private static final List<Object> LINGERING = new CopyOnWriteArrayList<>();
    private static final IOException QUEUE_FULL = new Refused("the adapter's write queue is full");

    /**
     * An OVERLAPPED structure in native memory with its manual-reset event.
     */
    private static final class Overlapped {
        final Memory memory = new Memory(OVERLAPPED_SIZE);
        final Pointer event;

        Overlapped(final WinApi api) throws IOException {
            event = api.createEvent(null, true, false, null);
            if (event == null) {
                throw new IOException("cannot create an event: " + WinApiConstants.describe(api.getLastError()));
            }
            memory.clear();
            memory.setPointer(OVERLAPPED_EVENT_OFFSET, event);
        }

        // Internal, InternalHigh and the offsets start at zero for every operation.
        Pointer fresh() {
            memory.clear(OVERLAPPED_EVENT_OFFSET);
            return memory;
        }
    }

    /**
     * An overlapped call that failed, with its Win32 error.
     */
    private static final class Win32Failure extends IOException {
        private static final long serialVersionUID = 1L;

        final int error;

        Win32Failure(final int error) {
            super(WinApiConstants.describe(error));
            this.error = error;
        }
    }

    /**
     * A frame the writer had no room for, or one for a closed adapter: one instance each without a stack trace, as
     * frames are refused in bursts.
     */
    private static final class Refused extends IOException {
        private static final long serialVersionUID = 1L;

        Refused(final String message) {
            super(message);
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }

    private final WinApi api;
    private final Netsh netsh;
    private final TapAdapters.Adapter adapter;
    private final Pointer handle;
    private final byte[] mac;
    private final int driverMtu;
    private final int bufferSize;
    private final Overlapped ioctlOverlapped;
    private final Overlapped readOverlapped;
    private final Overlapped writeOverlapped;
    private final Memory ioctlBuffer = new Memory(8);
    private final Memory readBuffer;
    private final Memory writeBuffer;
    private final BlockingQueue<byte[]> writes = new ArrayBlockingQueue<>(WRITE_QUEUE_FRAMES);
    private final Thread writer;
    private final ReentrantLock reading = new ReentrantLock();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong lostWrites = new AtomicLong();
    private final AtomicLong droppedReads = new AtomicLong();
    private final IOException closedError;

    private WindowsTap(final WinApi api, final Netsh netsh, final TapAdapters.Adapter adapter, final Pointer handle,
            final List<Overlapped> overlapped) throws IOException {
        this.api = api;
        this.netsh = netsh;
        this.adapter = adapter;
        this.handle = handle;
        ioctlOverlapped = overlapped.get(0);
        readOverlapped = overlapped.get(1);
        writeOverlapped = overlapped.get(2);
        closedError = new Refused(name() + " is closed");
        final var macBuffer = new Memory(6);
        if (ioctl(TapWindows6.IOCTL_GET_MAC, null, 0, macBuffer, 6) < 6) {
            throw new IOException("the adapter " + name() + " gave no MAC address");
        }
        mac = macBuffer.getByteArray(0, 6);
        if (ioctl(TapWindows6.IOCTL_GET_MTU, null, 0, ioctlBuffer, 4) < 4) {
            throw new IOException("the adapter " + name() + " gave no MTU");
        }
        driverMtu = ioctlBuffer.getInt(0);
        bufferSize = Math.min(MAX_BUFFER, Math.max(MAX_FRAME, driverMtu + FRAME_OVERHEAD));
        readBuffer = new Memory(bufferSize);
        writeBuffer = new Memory(bufferSize);
        writer = new Thread(this::writeLoop, "tap-write-" + name());
        writer.setDaemon(true);
    }

    /**
     * Opens the TAP-Windows6 adapter a person named (its connection name or its GUID) with the real Windows API.
     *
     * @throws IOException saying what to do (no such adapter, driver missing, in use, not administrator)
     */
    public static WindowsTap open(final String requested) throws IOException {
        final WinApi api;
        try {
            api = new NativeWinApi();
        } catch (UnsatisfiedLinkError e) {
            throw new IOException("cannot load kernel32/advapi32 through JNA: " + e.getMessage(), e);
        }
        return open(api, Netsh.system(), requested);
    }

    /**
     * Opens an adapter through the given API (the tests' fake, or the real one).
     */
    public static WindowsTap open(final WinApi api, final Netsh netsh, final String requested) throws IOException {
        final var adapter = new TapAdapters(api).find(requested);
        final var handle = api.createFile(adapter.devicePath(), GENERIC_READ | GENERIC_WRITE, 0, null, OPEN_EXISTING,
            FILE_ATTRIBUTE_SYSTEM | FILE_FLAG_OVERLAPPED, null);
        if (WinApiConstants.invalid(handle)) {
            final int error = api.getLastError();
            throw new IOException("cannot open the TAP-Windows6 adapter '" + adapter.name() + "' ("
                + adapter.devicePath() + "): " + WinApiConstants.describe(error) + hint(error));
        }
        final List<Overlapped> overlapped = new ArrayList<>();
        try {
            // control requests, reads, writes
            for (int i = 0; i < 3; i++) {
                overlapped.add(new Overlapped(api));
            }
            final var tap = new WindowsTap(api, netsh, adapter, handle, overlapped);
            tap.writer.start();
            LOG.info("Opened the TAP-Windows6 adapter '{}' {} (MAC {}, driver MTU {})", tap.name(), adapter.guid(),
                macText(tap.mac), tap.driverMtu);
            return tap;
        } catch (IOException e) {
            api.closeHandle(handle);
            for (var each : overlapped) {
                api.closeHandle(each.event);
            }
            throw e;
        }
    }

    private static String hint(final int error) {
        return switch (error) {
            case ERROR_FILE_NOT_FOUND, ERROR_PATH_NOT_FOUND -> " (is the adapter enabled, and its driver loaded?)";
            case ERROR_ACCESS_DENIED -> " (run as administrator, or another program has it open)";
            case ERROR_SHARING_VIOLATION -> " (another program, OpenVPN for one, has it open: each adapter serves "
                + "one program)";
            default -> "";
        };
    }

    private static String macText(final byte[] mac) {
        final var text = new StringBuilder();
        for (byte b : mac) {
            text.append(text.isEmpty() ? "" : ":").append(String.format("%02x", b & 0xff));
        }
        return text.toString();
    }

    /**
     * The adapter's name as Windows shows it (its GUID when it has none).
     */
    @Override
    public String name() {
        return adapter.name().isEmpty() ? adapter.guid() : adapter.name();
    }

    /**
     * The adapter's GUID, its NetCfgInstanceId.
     */
    public String guid() {
        return adapter.guid();
    }

    /**
     * The MTU the driver was configured with (its properties; 1500 unless changed).
     */
    public int driverMtu() {
        return driverMtu;
    }

    /**
     * Frames written into the adapter.
     */
    public long written() {
        return written.get();
    }

    /**
     * Frames the writer could not hand to the adapter (error, short write, timeout); those refused because its
     * queue was full are counted by the caller, which got an exception.
     */
    public long lostWrites() {
        return lostWrites.get();
    }

    /**
     * Frames read from the adapter that were dropped: longer than the caller's buffer, or the driver's.
     */
    public long droppedReads() {
        return droppedReads.get();
    }

    @Override
    public Optional<byte[]> fixedMac() {
        return Optional.of(mac.clone());
    }

    /**
     * Reads one frame: an overlapped ReadFile, then a wait for it, which {@link #close()} ends by cancelling it.
     *
     * @return its length; 0 when the frame was dropped (longer than {@code frame}, or than the driver's buffer)
     * @throws IOException when the adapter is closed (quietly, ERROR_OPERATION_ABORTED) or failed, in which case
     *     it is closed too
     */
    @Override
    public int read(final byte[] frame) throws IOException {
        reading.lock();
        try {
            if (closed.get()) {
                throw new IOException(name() + " is closed");
            }
            final int length;
            try {
                length = readOnce();
            } catch (Win32Failure e) {
                if (e.error == ERROR_MORE_DATA) {
                    droppedReads.incrementAndGet();
                    return 0;
                }
                if (e.error == ERROR_OPERATION_ABORTED || closed.get()) {
                    throw new IOException(name() + " is closed", e);
                }
                close();
                throw new IOException("reading from " + name() + ": " + e.getMessage() + "; the adapter is closed",
                    e);
            }
            if (length > frame.length) {
                droppedReads.incrementAndGet();
                return 0;
            }
            readBuffer.read(0, frame, 0, length);
            return length;
        } finally {
            reading.unlock();
        }
    }

    /**
     * Queues one frame for the writer thread, which copies it; never waits.
     *
     * @throws IOException when the queue is full (the frame is dropped), the frame is not one, or the adapter closed
     */
    @Override
    public void write(final byte[] frame, final int length) throws IOException {
        if (closed.get()) {
            throw closedError;
        }
        if (length < ETHERNET_HEADER || length > frame.length || length > bufferSize) {
            throw new IOException("not an Ethernet frame for " + name() + ": " + length + " bytes");
        }
        if (!writes.offer(Arrays.copyOf(frame, length))) {
            throw QUEUE_FULL;
        }
    }

    private void writeLoop() {
        try {
            while (!closed.get()) {
                writeOne(writes.take());
            }
        } catch (InterruptedException e) {
            // closing
        }
    }

    private void writeOne(final byte[] frame) {
        writeBuffer.write(0, frame, 0, frame.length);
        final var overlapped = writeOverlapped.fresh();
        if (!api.writeFile(handle, writeBuffer, frame.length, null, overlapped)) {
            final int error = api.getLastError();
            if (error != ERROR_IO_PENDING) {
                lost(error);
                return;
            }
        }
        final var transferred = new IntByReference();
        final int waited = api.waitForSingleObject(writeOverlapped.event, WRITE_TIMEOUT_MILLIS);
        if (waited != WAIT_OBJECT_0) {
            // Nobody takes frames (or the wait failed): cancel, and wait for the driver to give the buffer back.
            api.cancelIoEx(handle, overlapped);
            api.getOverlappedResult(handle, overlapped, transferred, true);
            lost(waited == WAIT_TIMEOUT ? ERROR_OPERATION_ABORTED : api.getLastError());
            return;
        }
        if (!api.getOverlappedResult(handle, overlapped, transferred, false)) {
            lost(api.getLastError());
        } else if (transferred.getValue() != frame.length) {
            LOG.trace("Short write to {}: {} of {} bytes", name(), transferred.getValue(), frame.length);
            lostWrites.incrementAndGet();
        } else {
            written.incrementAndGet();
        }
    }

    private void lost(final int error) {
        lostWrites.incrementAndGet();
        if (!closed.get()) {
            LOG.trace("Writing to {} failed: {}", name(), WinApiConstants.describe(error));
        }
    }

    // One overlapped ReadFile into the read buffer, waited for (a synchronous completion signals the event too).
    private int readOnce() throws Win32Failure {
        final var pointer = readOverlapped.fresh();
        if (!api.readFile(handle, readBuffer, bufferSize, null, pointer)) {
            final int error = api.getLastError();
            if (error != ERROR_IO_PENDING) {
                throw new Win32Failure(error);
            }
        }
        final var transferred = new IntByReference();
        if (!api.getOverlappedResult(handle, pointer, transferred, true)) {
            throw new Win32Failure(api.getLastError());
        }
        return transferred.getValue();
    }

    // A METHOD_BUFFERED control request; the handle is overlapped, so DeviceIoControl gets an OVERLAPPED too.
    private int ioctl(final int code, final Memory in, final int inSize, final Memory out, final int outSize)
            throws IOException {
        synchronized (ioctlOverlapped) {
            final var pointer = ioctlOverlapped.fresh();
            final var returned = new IntByReference();
            if (!api.deviceIoControl(handle, code, in, inSize, out, outSize, returned, pointer)) {
                final int error = api.getLastError();
                if (error != ERROR_IO_PENDING) {
                    throw new IOException(name() + " refused control request 0x" + Integer.toHexString(code) + ": "
                        + WinApiConstants.describe(error));
                }
            }
            if (!api.getOverlappedResult(handle, pointer, returned, true)) {
                throw new IOException(name() + " failed control request 0x" + Integer.toHexString(code) + ": "
                    + WinApiConstants.describe(api.getLastError()));
            }
            return returned.getValue();
        }
    }

    /**
     * Accepts only the MAC the adapter has: TAP-Windows6 takes its MAC from its driver properties ("MAC Address"
     * in the adapter's advanced settings), not from the program that opens it.
     */
    @Override
    public void setMac(final byte[] wanted) throws IOException {
        if (!Arrays.equals(wanted, mac)) {
            throw new IOException("the MAC of the TAP-Windows6 adapter " + name() + " is " + macText(mac)
                + " (its driver properties set it)");
        }
    }

    /**
     * Sets the adapter's IP MTU for IPv4 and IPv6 with {@code netsh}, for as long as Windows runs ({@code
     * store=active}). The frames the driver takes stay bounded by its own MTU setting.
     */
    @Override
    public void setMtu(final int mtu) throws IOException {
        if (closed.get()) {
            throw new IOException(name() + " is closed");
        }
        if (mtu > driverMtu) {
            throw new IOException("the TAP-Windows6 adapter " + name() + " is configured for an MTU of " + driverMtu
                + ", below " + mtu + " (raise its MTU property)");
        }
        netsh.setMtu(name(), mtu);
    }

    /**
     * Plugs the virtual cable in (or pulls it): the media status Windows shows, and whether it sends through it.
     */
    @Override
    public void setUp(final boolean up) throws IOException {
        if (closed.get()) {
            throw new IOException(name() + " is closed");
        }
        setMediaStatus(up);
    }

    private void setMediaStatus(final boolean connected) throws IOException {
        synchronized (ioctlOverlapped) {
            ioctlBuffer.setInt(0, connected ? 1 : 0);
            ioctl(TapWindows6.IOCTL_SET_MEDIA_STATUS, ioctlBuffer, 4, ioctlBuffer, 4);
        }
    }

    /**
     * Pulls the cable, cancels the pending read and write, waits (bounded) for both threads to let go of the
     * native buffers, and closes the device; the adapter itself stays installed. Closing twice does nothing.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            setMediaStatus(false);
        } catch (IOException e) {
            LOG.debug("Setting {} disconnected: {}", name(), e.getMessage());
        }
        api.cancelIoEx(handle, null);
        writer.interrupt();
        boolean settled = false;
        try {
            writer.join(CLOSE_WAIT_MILLIS);
            settled = !writer.isAlive() && readerLeft();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            api.closeHandle(handle);
            api.closeHandle(ioctlOverlapped.event);
            api.closeHandle(readOverlapped.event);
            api.closeHandle(writeOverlapped.event);
            if (settled) {
                readBuffer.close();
                writeBuffer.close();
                readOverlapped.memory.close();
                writeOverlapped.memory.close();
            } else {
                LOG.warn("{}: the driver did not end a read or write in {} ms; its buffers are left allocated",
                    name(), CLOSE_WAIT_MILLIS);
                LINGERING.add(readBuffer);
                LINGERING.add(writeBuffer);
                LINGERING.add(readOverlapped.memory);
                LINGERING.add(writeOverlapped.memory);
            }
        } finally {
            if (settled) {
                reading.unlock();
            }
        }
        LOG.info("Closed the TAP-Windows6 adapter {} ({} frames written, {} lost, {} read dropped)", name(),
            written.get(), lostWrites.get(), droppedReads.get());
    }

    // Waits for a reader in read() to leave. A reader that was between its check of closed and its ReadFile when
    // the first cancellation came has started a read nobody cancelled: cancel again until it leaves.
    private boolean readerLeft() throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_WAIT_MILLIS);
        while (!reading.tryLock(CANCEL_AGAIN_MILLIS, TimeUnit.MILLISECONDS)) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            api.cancelIoEx(handle, readOverlapped.memory);
        }
        return true;
    }

    /**
     * Whether {@link #close()} ran (or a read failure closed the adapter).
     */
    public boolean isClosed() {
        return closed.get();
    }
}
