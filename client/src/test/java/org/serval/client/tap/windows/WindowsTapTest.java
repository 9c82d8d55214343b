/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.client.tap.windows;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.serval.client.tap.TapDevice;
import org.serval.client.tap.TapReader;
import org.serval.client.tap.windows.FakeWinApi.WriteMode;

/**
 * The Windows TAP against {@link FakeWinApi}: the control codes and device path the driver publishes, finding the
 * adapter in the registry, opening it, and frames both ways with partial reads, errors and shutdown.
 */
class WindowsTapTest {
    private static final String GUID = "{0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0}";
    private static final String OTHER_GUID = "{11111111-2222-3333-4444-555555555555}";
    private static final byte[] MAC = {0x00, (byte) 0xff, 0x12, 0x34, 0x56, 0x78};

    private final FakeWinApi api = new FakeWinApi();
    private final List<List<String>> commands = new CopyOnWriteArrayList<>();
    private final Netsh netsh = new Netsh((command, timeout) -> {
        commands.add(command);
        return new Netsh.Result(0, "Ok.");
    });
    private final List<WindowsTap> opened = new ArrayList<>();

    @BeforeEach
    void adapters() {
        api.addAdapter("0000", "PCI\\VEN_8086&DEV_15B8", "{AAAAAAAA-0000-0000-0000-000000000000}", "Ethernet",
            new byte[] {2, 0, 0, 0, 0, 1}, 1500);
        api.addUnreadableKey("Properties");
        api.addAdapter("0001", "tap0901", GUID, "SERVAL red", MAC, 1500);
        api.addAdapter("0002", "root\\tap0901", OTHER_GUID, null, new byte[] {0, (byte) 0xff, 1, 1, 1, 1}, 1500);
    }

    @AfterEach
    void closeAll() {
        opened.forEach(WindowsTap::close);
        assertEquals(0, api.openKeys(), "every registry key opened is closed");
    }

    private WindowsTap open(final String name) throws IOException {
        final var tap = WindowsTap.open(api, netsh, name);
        opened.add(tap);
        return tap;
    }

    private static byte[] frame(final int length, final int seed) {
        final var frame = new byte[length];
        for (int i = 0; i < length; i++) {
            frame[i] = (byte) (seed + i);
        }
        return frame;
    }

    @Test
    void controlCodesAreTheDriversPublishedValues() {
        // CTL_CODE itself, checked on two codes of the Windows SDK: IOCTL_DISK_GET_DRIVE_GEOMETRY, FSCTL_LOCK_VOLUME
        assertEquals(0x0007_0000, TapWindows6.ctlCode(0x07, 0, 0, 0));
        assertEquals(0x0009_0018, TapWindows6.ctlCode(0x09, 6, 0, 0));
        // TAP_WIN_IOCTL_GET_MAC (request 1), GET_MTU (3), SET_MEDIA_STATUS (6) as tap-windows6's header makes them
        assertEquals(0x0022_0004, TapWindows6.IOCTL_GET_MAC);
        assertEquals(0x0022_000c, TapWindows6.IOCTL_GET_MTU);
        assertEquals(0x0022_0018, TapWindows6.IOCTL_SET_MEDIA_STATUS);
    }

    @Test
    void windowsSdkValuesAsOn64BitWindows() {
        assertEquals(0xFFFF_FFFF_8000_0002L, Pointer.nativeValue(WinApiConstants.HKEY_LOCAL_MACHINE),
            "HKEY_LOCAL_MACHINE, sign-extended");
        assertEquals(-1L, Pointer.nativeValue(WinApiConstants.INVALID_HANDLE_VALUE));
        if (Native.POINTER_SIZE == 8) {
            assertEquals(24, WinApiConstants.OVERLAPPED_EVENT_OFFSET);
            assertEquals(32, WinApiConstants.OVERLAPPED_SIZE);
        }
    }

    @Test
    void devicePathIsGlobalGuidDotTap() {
        assertEquals("\\\\.\\Global\\" + GUID + ".tap", TapWindows6.devicePath(GUID));
    }

    @Test
    void findsTheTapAdaptersInTheRegistry() throws IOException {
        final var adapters = new TapAdapters(api);
        assertEquals(List.of(new TapAdapters.Adapter(GUID, "SERVAL red"), new TapAdapters.Adapter(OTHER_GUID, "")),
            adapters.list());
        assertEquals(GUID, adapters.find("serval RED").guid(), "connection names ignore case");
        assertEquals(OTHER_GUID, adapters.find(OTHER_GUID.substring(1, OTHER_GUID.length() - 1)).guid());
        final var missing = assertThrows(IOException.class, () -> adapters.find("Ethernet"));
        assertTrue(missing.getMessage().contains("'SERVAL red' " + GUID), missing.getMessage());
        assertTrue(new TapAdapters(new FakeWinApi()).list().isEmpty());
        final var none = assertThrows(IOException.class, () -> new TapAdapters(new FakeWinApi()).find("x"));
        assertTrue(none.getMessage().contains("install TAP-Windows6"), none.getMessage());
    }

    @Test
    void adapterNamesAsPeopleGiveThem() {
        assertEquals("SERVAL red", TapAdapters.checkName("  SERVAL red "));
        assertEquals(GUID, TapAdapters.checkName(GUID));
        assertEquals("x".repeat(256), TapAdapters.checkName("x".repeat(256)));
        assertThrows(IllegalArgumentException.class, () -> TapAdapters.checkName(" "));
        assertThrows(IllegalArgumentException.class, () -> TapAdapters.checkName("x".repeat(257)));
        assertThrows(IllegalArgumentException.class, () -> TapAdapters.checkName("a\tb"));
    }

    @Test
    void opensTheDeviceFileAndReadsMacAndMtu() throws IOException {
        final var tap = open("SERVAL red");
        assertEquals(List.of("\\\\.\\Global\\" + GUID + ".tap"), api.createdFiles);
        // GENERIC_READ | GENERIC_WRITE, not shared, OPEN_EXISTING, FILE_ATTRIBUTE_SYSTEM | FILE_FLAG_OVERLAPPED
        assertEquals(List.of(0xC000_0000, 0, 3, 0x4000_0004), api.createFlags);
        assertEquals(List.of(0x0022_0004, 0x0022_000c), api.ioctls);
        assertEquals("SERVAL red", tap.name());
        assertEquals(GUID, tap.guid());
        assertArrayEquals(MAC, tap.fixedMac().orElseThrow());
        assertEquals(1500, tap.driverMtu());
        assertFalse(tap.offloads());
        assertTrue(tap.pollableFd().isEmpty(), "no descriptor to poll: a thread reads");

        tap.setUp(true);
        tap.setUp(false);
        assertEquals(List.of(1, 0), api.mediaStatus);
        tap.setMac(MAC.clone());
        assertThrows(IOException.class, () -> tap.setMac(new byte[] {2, 0, 0, 0, 0, 9}));
        tap.setMtu(1400);
        assertEquals(List.of(
            List.of("netsh", "interface", "ipv4", "set", "subinterface", "SERVAL red", "mtu=1400", "store=active"),
            List.of("netsh", "interface", "ipv6", "set", "subinterface", "SERVAL red", "mtu=1400", "store=active")),
            commands);
        assertThrows(IOException.class, () -> tap.setMtu(9000), "above the driver's own MTU");
    }

    @Test
    void anAdapterWithoutANameIsCalledByItsGuid() throws IOException {
        assertEquals(OTHER_GUID, open(OTHER_GUID).name());
    }

    @Test
    void saysWhyTheDeviceCannotBeOpened() {
        api.failOpen(GUID, WinApiConstants.ERROR_SHARING_VIOLATION);
        final var busy = assertThrows(IOException.class, () -> open("SERVAL red"));
        assertTrue(busy.getMessage().contains("another program"), busy.getMessage());
        api.failOpen(GUID, WinApiConstants.ERROR_ACCESS_DENIED);
        final var denied = assertThrows(IOException.class, () -> open("SERVAL red"));
        assertTrue(denied.getMessage().contains("administrator"), denied.getMessage());
    }

    @Test
    void aDriverThatGivesNoMtuLeavesNothingOpen() {
        api.refuseIoctl(TapWindows6.IOCTL_GET_MTU);
        final var refused = assertThrows(IOException.class, () -> open("SERVAL red"));
        assertTrue(refused.getMessage().contains("0x22000c"), refused.getMessage());
        assertTrue(api.closedHandles.contains(api.device()));
        assertEquals(0, api.liveEvents());
    }

    @Test
    void netshRefusingIsAnError() throws IOException {
        final var tap = WindowsTap.open(api, new Netsh((command, timeout) -> new Netsh.Result(1,
            "The requested operation requires elevation (Run as administrator).")), "SERVAL red");
        opened.add(tap);
        final var refused = assertThrows(IOException.class, () -> tap.setMtu(1400));
        assertTrue(refused.getMessage().contains("requires elevation"), refused.getMessage());
    }

    /**
     * Frames from the host to the connection: pending and synchronous reads, a runt, a frame longer than the
     * driver's buffer and one longer than the reader's, each in its place.
     */
    @Test
    void framesFromTheHostReachTheSink() throws Exception {
        api.addAdapter("0003", "tap0901", "{33333333-3333-3333-3333-333333333333}", "jumbo", MAC, 9000);
        final var tap = open("jumbo");
        final List<byte[]> got = new CopyOnWriteArrayList<>();
        final List<IOException> failures = new CopyOnWriteArrayList<>();
        final var reader = TapReader.start(tap, (frame, length) -> got.add(Arrays.copyOf(frame, length)),
            failures::add);
        api.awaitReadPending();
        final var first = frame(60, 1);
        api.hostSends(first);
        api.hostSends(frame(10, 2));
        // longer than the reader's 1518-byte array, though the jumbo driver hands it out: dropped, counted
        api.hostSends(frame(2000, 3));
        // longer than the driver's buffer: ERROR_MORE_DATA, dropped, counted
        api.hostSends(frame(9100, 4));
        api.syncReads(true);
        final var last = frame(TapDevice.MAX_FRAME, 5);
        api.hostSends(last);
        awaitSize(got, 2);
        assertArrayEquals(first, got.get(0));
        assertArrayEquals(last, got.get(1));
        assertEquals(2, tap.droppedReads());
        reader.stop();
        tap.close();
        assertTrue(reader.join(5, TimeUnit.SECONDS));
        assertEquals(List.of(), failures);
        assertEquals(2, got.size());
    }

    @Test
    void framesFromTheConnectionReachTheHostInOrder() throws Exception {
        final var tap = open("SERVAL red");
        final List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            final var frame = frame(60 + i, i);
            sent.add(frame);
            // a longer array than the frame: only length bytes go
            tap.write(Arrays.copyOf(frame, 2000), frame.length);
        }
        api.awaitReceived(20);
        awaitTrue(() -> tap.written() == 20);
        final var received = api.hostReceived();
        for (int i = 0; i < 20; i++) {
            assertArrayEquals(sent.get(i), received.get(i));
        }
        assertThrows(IOException.class, () -> tap.write(new byte[13], 13), "not a frame");
    }

    @Test
    void aFailedOrShortWriteIsCountedAndTheNextGoesOn() throws Exception {
        final var tap = open("SERVAL red");
        api.nextWrites(WriteMode.FAIL, WriteMode.SHORT, WriteMode.COMPLETE);
        tap.write(frame(60, 1), 60);
        tap.write(frame(60, 2), 60);
        final var good = frame(60, 3);
        tap.write(good, 60);
        api.awaitReceived(1);
        assertArrayEquals(good, api.hostReceived().get(0));
        // counted once the writer has the driver's answer, just after the host has the frame
        awaitTrue(() -> tap.written() == 1);
        assertEquals(2, tap.lostWrites());
        assertFalse(tap.isClosed(), "a write error does not close the adapter");
    }

    @Test
    void aFullWriteQueueDropsInsteadOfWaiting() throws Exception {
        final var tap = open("SERVAL red");
        // the driver takes nothing: the writer waits on the first frame, the queue behind it fills
        api.nextWrites(WriteMode.STALL);
        int refused = 0;
        for (int i = 0; i < WindowsTap.WRITE_QUEUE_FRAMES + 10; i++) {
            try {
                tap.write(frame(60, i), 60);
            } catch (IOException e) {
                refused++;
            }
        }
        assertTrue(refused >= 9 && refused <= 10, "refused " + refused);
        tap.close();
        assertTrue(api.closedHandles.contains(api.device()));
        assertThrows(IOException.class, () -> tap.write(frame(60, 0), 60), "closed");
    }

    @Test
    void aReadErrorClosesTheAdapterAndIsReported() throws Exception {
        final var tap = open("SERVAL red");
        final var failure = new CompletableFuture<IOException>();
        final var reader = TapReader.start(tap, (frame, length) -> { }, failure::complete);
        api.awaitReadPending();
        api.failNextRead(WinApiConstants.ERROR_GEN_FAILURE);
        final var error = failure.get(5, TimeUnit.SECONDS);
        assertTrue(error.getMessage().contains("the device does not work"), error.getMessage());
        assertTrue(reader.join(5, TimeUnit.SECONDS));
        assertTrue(tap.isClosed());
        assertTrue(api.closedHandles.contains(api.device()));
        assertEquals(List.of(0), api.mediaStatus, "the cable is pulled");
    }

    @Test
    void closingCancelsThePendingReadAndReleasesEverything() throws Exception {
        final var tap = open("SERVAL red");
        final List<IOException> failures = new CopyOnWriteArrayList<>();
        final var reader = TapReader.start(tap, (frame, length) -> { }, failures::add);
        api.awaitReadPending();
        reader.stop();
        tap.close();
        assertTrue(reader.join(5, TimeUnit.SECONDS), "the reader ends once its read is cancelled");
        assertEquals(List.of(), failures, "a cancelled read while stopping is no failure");
        assertFalse(api.readPending());
        assertTrue(api.cancels >= 1);
        // the device and its three events (control requests, reads, writes)
        assertEquals(4, api.closedHandles.size());
        assertTrue(api.closedHandles.contains(api.device()));
        tap.close();
        assertEquals(4, api.closedHandles.size(), "closing twice closes nothing twice");
        assertThrows(IOException.class, () -> tap.read(new byte[TapDevice.MAX_FRAME]));
    }

    @Test
    void closingCancelsAgainAReadStartedAfterTheFirstCancellation() throws Exception {
        final var tap = open("SERVAL red");
        final var reader = TapReader.start(tap, (frame, length) -> { }, e -> { });
        api.awaitReadPending();
        // as if the read had started just after close's first CancelIoEx
        api.missCancels(1);
        reader.stop();
        tap.close();
        assertTrue(reader.join(5, TimeUnit.SECONDS));
        assertFalse(api.readPending());
        assertTrue(api.cancels >= 2);
    }

    private static void awaitTrue(final BooleanSupplier condition) throws InterruptedException {
        final long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean() && System.nanoTime() < end) {
            Thread.sleep(5);
        }
        assertTrue(condition.getAsBoolean());
    }

    private static void awaitSize(final List<?> list, final int size) throws InterruptedException {
        final long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (list.size() < size && System.nanoTime() < end) {
            Thread.sleep(5);
        }
        assertEquals(size, list.size());
    }
}
