/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.client.tap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A real TAP device in a network namespace this test makes and removes: the kernel answers an ARP request written
 * into the TAP, and that answer is read back from it. Needs root and /dev/net/tun, as the client does.
 */
class LinuxTapTest {
    interface NetNs extends Library {
        NetNs LIBC = Native.load("c", NetNs.class);
        int CLONE_NEWNET = 0x40000000;

        int open(String path, int flags) throws LastErrorException;

        int setns(int fd, int nstype) throws LastErrorException;

        int close(int fd) throws LastErrorException;
    }

    private static final byte[] TAP_MAC = {2, 0x53, 0x56, 0, 0, 1};
    private static final byte[] PEER_MAC = {2, 0x53, 0x56, 0, 0, 2};
    private static final byte[] TAP_IP = {10, (byte) 250, 0, 1};
    private static final byte[] PEER_IP = {10, (byte) 250, 0, 2};

    private final String namespace = "serval-tap-" + ProcessHandle.current().pid();
    // Every call that creates or configures the TAP runs on this thread, which lives in the test's namespace.
    private final ExecutorService inNamespace = Executors.newSingleThreadExecutor();
    private final ExecutorService reader = Executors.newSingleThreadExecutor(runnable -> {
        final var thread = new Thread(runnable, "tap-reader");
        thread.setDaemon(true);
        return thread;
    });

    private static String run(final String... command) throws IOException, InterruptedException {
        final var process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final var output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output);
        }
        return output;
    }

    private <T> T inNs(final Callable<T> task) throws Exception {
        try {
            return inNamespace.submit(task).get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    @BeforeEach
    void makeNamespace() throws Exception {
        final boolean tapAllowed = "root".equals(System.getProperty("user.name")) && Files.exists(LinuxTap.TUN);
        // Under CI every real part is there (it runs as root): a missing one is a failure, not a skip.
        if (!tapAllowed && "true".equalsIgnoreCase(System.getenv("CI"))) {
            fail("CI=true and TAP devices cannot be made here: they need root and /dev/net/tun");
        }
        assumeTrue(tapAllowed, "TAP devices need root and /dev/net/tun");
        run("ip", "netns", "add", namespace);
        inNs(() -> {
            final int fd = NetNs.LIBC.open("/var/run/netns/" + namespace, 0);
            try {
                return NetNs.LIBC.setns(fd, NetNs.CLONE_NEWNET);
            } finally {
                NetNs.LIBC.close(fd);
            }
        });
    }

    @AfterEach
    void removeNamespace() throws Exception {
        inNamespace.shutdownNow();
        reader.shutdownNow();
        try {
            run("ip", "netns", "del", namespace);
        } catch (IOException e) {
            // it was never made (the test did not run)
        }
    }

    private static byte[] arpRequest() {
        final var frame = ByteBuffer.allocate(42);
        frame.put(new byte[] {-1, -1, -1, -1, -1, -1}).put(PEER_MAC).putShort((short) 0x0806);
        frame.putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4).putShort((short) 1);
        frame.put(PEER_MAC).put(PEER_IP).put(new byte[6]).put(TAP_IP);
        return frame.array();
    }

    @Test
    void kernelAnswersArpThroughTheTap() throws Exception {
        final LinuxTap tap = inNs(() -> {
            final var created = LinuxTap.create("stest%d");
            created.setMac(TAP_MAC);
            created.setMtu(1400);
            created.setUp(true);
            return created;
        });
        try {
            assertTrue(tap.name().startsWith("stest"), tap.name());
            run("ip", "-n", namespace, "addr", "add", "10.250.0.1/24", "dev", tap.name());
            final var link = run("ip", "-n", namespace, "link", "show", tap.name());
            assertTrue(link.contains("mtu 1400") && link.contains("02:53:56:00:00:01") && link.contains("UP"), link);

            final var request = arpRequest();
            tap.write(request, request.length);
            final byte[] reply = reader.submit(() -> {
                final var frame = new byte[TapDevice.MAX_FRAME];
                while (true) {
                    final int length = tap.read(frame);
                    // skip what the kernel sends on its own (IPv6 router solicitations and the like)
                    if (length >= 42 && frame[12] == 0x08 && frame[13] == 0x06 && frame[21] == 2) {
                        return Arrays.copyOf(frame, length);
                    }
                }
            }).get(10, TimeUnit.SECONDS);
            assertArrayEquals(PEER_MAC, Arrays.copyOfRange(reply, 0, 6), "to the asker");
            assertArrayEquals(TAP_MAC, Arrays.copyOfRange(reply, 6, 12), "from the TAP's MAC");
            assertArrayEquals(TAP_IP, Arrays.copyOfRange(reply, 28, 32), "for the asked address");
        } finally {
            tap.close();
        }
        final var after = new ProcessBuilder("ip", "-n", namespace, "link", "show", tap.name()).start();
        assertNotEquals(0, after.waitFor(), "closing the TAP removes the interface");
    }

    @Test
    void badRequestsFailWithAClearMessage() throws Exception {
        final var tooLong = assertThrows(IOException.class, () -> inNs(() -> LinuxTap.create("a-very-long-name-0")));
        assertTrue(tooLong.getMessage().contains("1 to 15 characters"), tooLong.getMessage());

        final LinuxTap first = inNs(() -> LinuxTap.create("stest-dup"));
        try {
            final var taken = assertThrows(IOException.class, () -> inNs(() -> {
                // a second open of the same name attaches to it unless it is taken by a different kind of device
                run("ip", "-n", namespace, "link", "add", "stest-br", "type", "bridge");
                return LinuxTap.create("stest-br");
            }));
            assertTrue(taken.getMessage().contains("cannot create TAP interface stest-br"), taken.getMessage());
            assertThrows(IOException.class, () -> first.setMac(new byte[] {1, 0, 0, 0, 0, 1}), "multicast MAC");
            assertThrows(IOException.class, () -> first.write(new byte[10], 10), "runt frame");
        } finally {
            first.close();
        }
    }
}
