/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The serval-client Debian package as an administrator meets it, on this machine: lintian, {@code dpkg -i}, the
 * unit checked by {@code systemd-analyze verify}, the bundled runtime with no JDK, the client run exactly as the
 * unit's ExecStart says, as user serval with only CAP_NET_ADMIN (as the unit's User= and AmbientCapabilities= make
 * it; this machine has no systemd to run the unit itself), against the real server: its TAP interface, moved into a
 * network namespace, pings another member; {@code serval-client status --json}, {@code join} and {@code leave}
 * through the control socket; its memory and CPU when idle (docs/packaging.md); the socket families and system
 * calls it uses, against the unit's RestrictAddressFamilies= and SystemCallFilter=; then {@code dpkg -r} and
 * {@code dpkg -P} leave nothing behind but the system user serval, which Debian keeps (the postrm says why).
 * Everything it changes on the machine is undone, also when it fails.
 */
class ClientPackageTest {
    private static final Logger LOG = LoggerFactory.getLogger(ClientPackageTest.class);
    private static final Path PACKAGES = Path.of(System.getProperty("serval.it.packages", "../target/packages"));
    private static final Path UNIT = Path.of("/lib/systemd/system/serval-client.service");
    private static final Path CONF = Path.of("/etc/serval/client.conf");
    private static final Path CREDENTIAL = Path.of("/etc/serval/client.password");
    private static final Path RUNTIME_DIR = Path.of("/run/serval-client");
    private static final Path STATE_DIR = Path.of("/var/lib/serval-client");
    private static final Path TUN = Path.of("/dev/net/tun");
    private static final Path FIGURES = Path.of("target/client-package-figures.txt");
    // What systemd gives a service (systemd.exec(5), "Environment variables in spawned processes"), nothing more:
    // in particular no JAVA_HOME, so the client finds no JDK but its own.
    private static final Map<String, String> SERVICE_ENV = Map.of(
        "PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin", "LANG", "C.UTF-8", "HOME", STATE_DIR.toString(),
        "USER", "serval", "LOGNAME", "serval", "SHELL", "/usr/sbin/nologin",
        "RUNTIME_DIRECTORY", RUNTIME_DIR.toString(), "STATE_DIRECTORY", STATE_DIR.toString());
    private static final long IDLE_BEFORE_RSS_SECONDS = 30;
    private static final long IDLE_WINDOW_SECONDS = 60;
    // what the bound allows: the goal missed (docs/packaging.md has the measurement), not the flags lost
    private static final long MAX_IDLE_RSS_KB = 150 * 1024;

    private final String suffix = Long.toString(ProcessHandle.current().pid() % 10_000);
    private final String red = "pkg-red-" + suffix;
    private final String blue = "pkg-blue-" + suffix;
    private final String tapRed = "svpk" + suffix + "r";
    private final String tapBlue = "svpk" + suffix + "b";
    private final String namespace = "svpk" + suffix + "-ns";

    /**
     * What a command did: its exit code, its standard output, and its standard error apart (the client logs
     * there, so that a JSON answer on the output stays parseable).
     */
    record Result(int code, String output, String errors) {
        @Override
        public String toString() {
            return "exit " + code + ", output:\n" + output + "\nerrors:\n" + errors;
        }
    }

    static Result exec(final List<String> command, final Map<String, String> env) throws IOException,
            InterruptedException {
        final var errors = Files.createTempFile("serval-it", ".err");
        try {
            final var builder = new ProcessBuilder(command).redirectError(errors.toFile())
                .directory(Path.of("/").toFile());
            if (env != null) {
                builder.environment().clear();
                builder.environment().putAll(env);
            }
            final var process = builder.start();
            final var output = new String(process.getInputStream().readAllBytes(), UTF_8);
            if (!process.waitFor(5, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish: " + output);
            }
            return new Result(process.exitValue(), output, Files.readString(errors));
        } finally {
            Files.deleteIfExists(errors);
        }
    }

    static Result exec(final String... command) throws IOException, InterruptedException {
        return exec(List.of(command), null);
    }

    private static boolean installed() throws IOException, InterruptedException {
        return exec("dpkg-query", "-W", "-f=${Status}", "serval-client").output().contains("install ok installed");
    }

    private static boolean userExists() throws IOException, InterruptedException {
        return exec("getent", "passwd", "serval").code() == 0;
    }

    /**
     * The unit's ExecStart, as systemd would split it (no quoting in ours).
     */
    private static List<String> execStart(final String unit) {
        return Arrays.asList(unit.lines().filter(line -> line.startsWith("ExecStart=")).findFirst().orElseThrow()
            .substring("ExecStart=".length()).strip().split(" +"));
    }

    /**
     * The unit's User=, Group=, UMask= and capabilities, applied as systemd applies them, then its ExecStart.
     */
    private static List<String> asTheUnitRunsIt(final String unit) {
        final var command = new ArrayList<>(List.of("sh", "-c", "umask 0007 && exec \"$@\"", "sh", "setpriv",
            "--reuid", "serval", "--regid", "serval", "--init-groups", "--inh-caps", "-all,+net_admin",
            "--ambient-caps", "+net_admin", "--bounding-set", "-all,+net_admin", "--no-new-privs", "--"));
        command.addAll(execStart(unit));
        return command;
    }

    /**
     * A control command as a member of group serval runs it (here the user serval itself, without capabilities).
     */
    private static Result control(final String... args) throws IOException, InterruptedException {
        final var command = new ArrayList<>(List.of("setpriv", "--reuid", "serval", "--regid", "serval",
            "--init-groups", "--inh-caps", "-all", "--bounding-set", "-all", "--no-new-privs", "--",
            "/usr/bin/serval-client"));
        command.addAll(List.of(args));
        return exec(command, SERVICE_ENV);
    }

    private static boolean linkUp(final String tap) throws IOException, InterruptedException {
        final var result = exec("ip", "-o", "link", "show", tap);
        return result.code() == 0 && result.output().matches("(?s).*<[^>]*\\bUP\\b[^>]*>.*");
    }

    private static boolean linkExists(final String... ipArgs) throws IOException, InterruptedException {
        final var command = new ArrayList<>(List.of("ip"));
        command.addAll(List.of(ipArgs));
        return exec(command, null).code() == 0;
    }

    private static void awaitUp(final String tap, final Process client, final Path log) throws Exception {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!linkUp(tap)) {
            if (!client.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("no interface " + tap + " from the installed client; its log:\n"
                    + Files.readString(log));
            }
            Thread.sleep(200);
        }
    }

    private static Process start(final List<String> command, final Path log) throws IOException {
        final var builder = new ProcessBuilder(command).directory(Path.of("/").toFile()).redirectErrorStream(true)
            .redirectOutput(log.toFile());
        builder.environment().clear();
        builder.environment().putAll(SERVICE_ENV);
        return builder.start();
    }

    /**
     * Stops a client as systemd does (SIGTERM) and returns its exit code.
     */
    private static int stop(final ProcessHandle jvm, final Process process) throws InterruptedException {
        jvm.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("the client did not stop within the unit's TimeoutStopSec (20 s)");
        }
        return process.exitValue();
    }

    @Test
    void installRunSteerAndRemove() throws Exception {
        final boolean root = "root".equals(System.getProperty("user.name"));
        RealParts.require(root && Files.exists(TUN), "needs root and /dev/net/tun");
        for (var tool : List.of("dpkg", "dpkg-deb", "lintian", "systemd-analyze", "setpriv", "strace", "ip", "ping")) {
            RealParts.require(NetnsHosts.onPath(tool), "needs " + tool + " (scripts/install-test-deps.sh)");
        }
        RealParts.require(NetnsHosts.available(), "needs a built client in client/target for the other member");
        final List<Path> debs;
        try (Stream<Path> files = Files.exists(PACKAGES) ? Files.list(PACKAGES) : Stream.empty()) {
            debs = files.filter(f -> f.getFileName().toString().matches("serval-client_.*_amd64\\.deb")).toList();
        }
        RealParts.require(debs.size() == 1, "one serval-client .deb in " + PACKAGES.toAbsolutePath() + " (the "
            + "packaging module builds it where dpkg-deb is), found " + debs);
        RealParts.require(!installed(), "serval-client is installed on this machine already; this test installs and "
            + "purges its own (dpkg -P serval-client first)");
        final Path deb = debs.get(0).toAbsolutePath();
        final boolean userExisted = userExists();
        final var tunMode = Files.getPosixFilePermissions(TUN);
        final var logs = Files.createDirectories(Path.of("target/client-package"));
        Process client = null;
        try (var server = new ServalServer(); var hosts = new NetnsHosts(logs)) {
            checkPackage(deb);
            final var install = exec("dpkg", "-i", deb.toString());
            assertEquals(0, install.code(), install::toString);
            checkInstalled();

            server.start();
            assertEquals(204, server.rpc("create-vlan", "{\"name\":\"" + red + "\"}").statusCode());
            assertEquals(204, server.rpc("create-vlan", "{\"name\":\"" + blue + "\"}").statusCode());
            Files.writeString(CONF, Files.readString(CONF) + "\n# ClientPackageTest\nserver = 127.0.0.1:"
                + ServalServer.DATAPLANE_PORT + "\npin = " + ServalServer.fingerprint() + "\nuser = "
                + ServalServer.USER + "\npassword-file = " + CREDENTIAL + "\nid = it-installed\nvlan = " + red + "="
                + tapRed + "\n");
            // Written as the README tells the administrator to (sudoedit): the file keeps its owner and mode.
            Files.writeString(CREDENTIAL, ServalServer.PASSWORD + "\n");
            assertEquals("600 serval:serval", exec("stat", "-c", "%a %U:%G", CREDENTIAL.toString()).output().strip());
            // What systemd does before ExecStart (RuntimeDirectory=, RuntimeDirectoryMode=) and udev at boot on
            // Debian (/dev/net/tun 0666; this test machine has 0600, which only root could open).
            Files.createDirectories(RUNTIME_DIR);
            exec("chown", "serval:serval", RUNTIME_DIR.toString());
            Files.setPosixFilePermissions(RUNTIME_DIR, PosixFilePermissions.fromString("rwxr-x---"));
            Files.setPosixFilePermissions(TUN, PosixFilePermissions.fromString("rw-rw-rw-"));

            final var unit = Files.readString(UNIT);
            final var log = logs.resolve("installed-client.log");
            client = start(asTheUnitRunsIt(unit), log);
            awaitUp(tapRed, client, log);
            final var jvm = client.toHandle();
            checkProcess(jvm.pid());

            // The installed client's interface is a host on the VLAN: it pings another member.
            exec("ip", "netns", "add", namespace);
            assertEquals(0, exec("ip", "link", "set", tapRed, "netns", namespace).code());
            assertEquals(0, exec("ip", "-n", namespace, "addr", "add", "10.98.7.1/24", "dev", tapRed).code());
            assertEquals(0, exec("ip", "-n", namespace, "link", "set", tapRed, "up").code());
            final var other = hosts.host("pkg", red, "10.98.7.2/24", "tcp");
            final var ping = exec("ip", "netns", "exec", namespace, "ping", "-c", "3", "-i", "0.2", "-W", "2",
                "10.98.7.2");
            assertTrue(ping.output().contains(" 0% packet loss"), ping::toString);
            assertTrue(NetnsHosts.framesReceived(other) > 0);

            steer();
            figures(jvm.pid());

            final int code = stop(jvm, client);
            client = null;
            assertTrue(code == 0 || unit.contains("SuccessExitStatus=143") && code == 143,
                "SIGTERM ends the client cleanly, as the unit counts it: exit " + code);
            assertFalse(linkExists("-n", namespace, "link", "show", tapRed), "its interface went with it");

            checkSandbox(unit);
            removeAndCheck();
        } finally {
            if (client != null) {
                client.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
                client.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            exec("ip", "netns", "del", namespace);
            Files.setPosixFilePermissions(TUN, tunMode);
            // The runtime directory as systemd removes it when the service stops; the package, if the test failed
            // before removing it.
            exec("rm", "-rf", RUNTIME_DIR.toString());
            if (exec("dpkg-query", "-W", "serval-client").code() == 0) {
                exec("dpkg", "-P", "serval-client");
            }
            if (!userExisted && userExists()) {
                exec("deluser", "--system", "serval");
            }
        }
    }

    /**
     * lintian finds no error; every file is root's, none writable but by root, the launcher executable.
     */
    private static void checkPackage(final Path deb) throws Exception {
        final var lintian = exec("lintian", "--fail-on", "error", deb.toString());
        LOG.info("lintian {}:\n{}", deb.getFileName(), lintian.output());
        assertEquals(0, lintian.code(), lintian::toString);
        assertFalse(Pattern.compile("(?m)^E: ").matcher(lintian.output()).find(), lintian.output());
        final var contents = exec("dpkg-deb", "-c", deb.toString()).output();
        for (var line : contents.lines().filter(l -> !l.startsWith("l")).toList()) {
            final var fields = line.split(" +");
            assertEquals("root/root", fields[1], line);
            assertFalse(fields[0].charAt(5) == 'w' || fields[0].charAt(8) == 'w', "writable by others: " + line);
        }
        assertTrue(contents.contains("-rwxr-xr-x root/root") && contents.contains("./usr/bin/serval-client"));
        assertTrue(exec("dpkg-deb", "-f", deb.toString(), "Depends").output().contains("libc6"));
        assertEquals("/etc/serval/client.conf", exec("dpkg-deb", "-I", deb.toString(), "conffiles").output().strip());
    }

    /**
     * The files where they belong, the credential only for serval, the unit valid, the runtime complete without
     * a JDK.
     */
    private static void checkInstalled() throws Exception {
        for (var path : List.of("/usr/bin/serval-client", "/usr/lib/serval-client/runtime/bin/java",
                "/usr/lib/serval-client/native/libjnidispatch.so", UNIT.toString(), CONF.toString(),
                "/usr/share/bash-completion/completions/serval-client", "/usr/share/man/man1/serval-client.1.gz",
                "/usr/share/doc/serval-client/copyright", "/usr/share/doc/serval-client/changelog.Debian.gz")) {
            assertTrue(Files.exists(Path.of(path)), path + " is installed");
        }
        try (Stream<Path> jars = Files.list(Path.of("/usr/lib/serval-client/lib"))) {
            assertTrue(jars.anyMatch(j -> j.getFileName().toString().startsWith("serval-client-")), "the client jar");
        }
        assertEquals("600 serval:serval", exec("stat", "-c", "%a %U:%G", CREDENTIAL.toString()).output().strip());
        assertEquals("750 serval:serval", exec("stat", "-c", "%a %U:%G", STATE_DIR.toString()).output().strip());
        assertEquals("644 root:root", exec("stat", "-c", "%a %U:%G", CONF.toString()).output().strip());
        assertTrue(exec("getent", "group", "serval").code() == 0, "the group serval exists");

        final var verify = exec("systemd-analyze", "verify", UNIT.toString());
        assertEquals(0, verify.code(), verify::toString);
        assertFalse((verify.output() + verify.errors()).contains("serval-client"), verify::toString);

        // No PATH, no JAVA_HOME: the runtime stands alone, and holds only what jdeps found.
        final var java = exec(List.of("/usr/lib/serval-client/runtime/bin/java", "-version"), Map.of());
        assertEquals(0, java.code(), java::toString);
        final var modules = exec(List.of("/usr/lib/serval-client/runtime/bin/java", "--list-modules"), Map.of());
        assertTrue(modules.output().contains("jdk.unsupported@"), modules.output());
        assertFalse(modules.output().contains("java.desktop@") || modules.output().contains("jdk.compiler@"),
            modules.output());
        assertFalse(Files.exists(Path.of("/usr/lib/serval-client/runtime/bin/javac")));
        final var version = exec(List.of("/usr/bin/serval-client", "--version"), SERVICE_ENV);
        assertEquals(0, version.code(), version::toString);
        assertTrue(version.output().contains("serval-client"), version.output());
    }

    /**
     * The client runs on the package's runtime, as serval, with CAP_NET_ADMIN and nothing else.
     */
    private static void checkProcess(final long pid) throws IOException {
        assertEquals(Path.of("/usr/lib/serval-client/runtime/bin/java"),
            Files.readSymbolicLink(Path.of("/proc/" + pid + "/exe")));
        final var status = Files.readString(Path.of("/proc/" + pid + "/status"));
        final var netAdmin = "0000000000001000";
        for (var field : List.of("CapEff", "CapPrm", "CapBnd", "CapAmb")) {
            assertTrue(Pattern.compile("(?m)^" + field + ":\\s+" + netAdmin + "$").matcher(status).find(),
                field + " is CAP_NET_ADMIN only:\n" + status);
        }
        assertTrue(Pattern.compile("(?m)^NoNewPrivs:\\s+1$").matcher(status).find(), status);
        final var uid = status.lines().filter(l -> l.startsWith("Uid:")).findFirst().orElseThrow();
        assertFalse(uid.matches("Uid:\\s+0\\b.*"), uid);
    }

    /**
     * status --json, join and leave through the control socket, as a member of group serval; refused to others.
     */
    private void steer() throws Exception {
        final var status = control("status", "--json");
        assertEquals(0, status.code(), status::toString);
        final var json = JsonParser.parseString(status.output()).toString();
        assertTrue(json.contains(red) && json.contains(tapRed), json);

        final var join = control("join", blue, "--iface", tapBlue);
        assertEquals(0, join.code(), join::toString);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!linkUp(tapBlue)) {
            assertTrue(System.nanoTime() < deadline, "join made no interface " + tapBlue + ": " + join);
            Thread.sleep(100);
        }
        final var joined = JsonParser.parseString(control("status", "--json").output()).toString();
        assertTrue(joined.contains(blue) && joined.contains(tapBlue), joined);

        final var leave = control("leave", blue);
        assertEquals(0, leave.code(), leave::toString);
        final long gone = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (linkExists("link", "show", tapBlue)) {
            assertTrue(System.nanoTime() < gone, "leave left the interface " + tapBlue);
            Thread.sleep(100);
        }
        final var left = JsonParser.parseString(control("status", "--json").output()).toString();
        assertFalse(left.contains(tapBlue), left);

        // Someone outside group serval cannot even reach the socket (/run/serval-client is 0750).
        final var stranger = exec(List.of("setpriv", "--reuid", "nobody", "--regid", "nogroup", "--clear-groups",
            "--", "/usr/bin/serval-client", "status"), SERVICE_ENV);
        assertNotEquals(0, stranger.code(), stranger::toString);
    }

    /**
     * Resident memory after 30 s idle, CPU time and context switches (each a wake-up of one of its threads) over
     * the next 60 s, from /proc; written to target/client-package-figures.txt for docs/packaging.md.
     */
    private static void figures(final long pid) throws Exception {
        Thread.sleep(TimeUnit.SECONDS.toMillis(IDLE_BEFORE_RSS_SECONDS));
        final var proc = Path.of("/proc/" + pid);
        final long rssKb = statusField(proc.resolve("status"), "VmRSS");
        final long anonKb = statusField(proc.resolve("status"), "RssAnon");
        final long fileKb = statusField(proc.resolve("status"), "RssFile");
        final long ticks0 = cpuTicks(proc);
        final var switches0 = contextSwitches(proc);
        Thread.sleep(TimeUnit.SECONDS.toMillis(IDLE_WINDOW_SECONDS));
        final long ticks = cpuTicks(proc) - ticks0;
        final var switches1 = contextSwitches(proc);
        final Map<String, Long> byThread = new java.util.TreeMap<>();
        switches1.forEach((thread, n) -> byThread.merge(thread.substring(thread.indexOf(' ') + 1),
            n - switches0.getOrDefault(thread, 0L), Long::sum));
        final long switches = byThread.values().stream().mapToLong(Long::longValue).sum();
        final var busiest = byThread.entrySet().stream().filter(e -> e.getValue() > 0)
            .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
            .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
        final long threads = statusField(proc.resolve("status"), "Threads");
        final long hwmKb = statusField(proc.resolve("status"), "VmHWM");
        final var text = String.format("""
            measured %s by ClientPackageTest (the installed package, run as its unit runs it; the test server's
            keepalive is %d ms, the default 5000 ms)
            resident memory after %d s idle: %.1f MB (VmRSS: %.1f MB anonymous, %.1f MB of files), peak %.1f MB
            (VmHWM), %d threads
            over the next %d s idle: CPU %d ticks of 10 ms (%.2f %%), %d context switches (%.1f a second)
            by thread: %s
            """, Instant.now(), ServalServer.KEEPALIVE_MILLIS, IDLE_BEFORE_RSS_SECONDS, rssKb / 1024.0,
            anonKb / 1024.0, fileKb / 1024.0, hwmKb / 1024.0, threads, IDLE_WINDOW_SECONDS, ticks,
            ticks * 100.0 / (IDLE_WINDOW_SECONDS * 100),
            switches, switches / (double) IDLE_WINDOW_SECONDS, busiest);
        Files.writeString(FIGURES, text);
        LOG.info("the idle installed client:\n{}", text);
        // Issue 13's goal is 64 MB, which the JVM does not reach (docs/packaging.md says where the memory goes); this
        // bound catches the launcher's memory flags lost or undone (without them: about 200 MB).
        assertTrue(rssKb < MAX_IDLE_RSS_KB, "the idle client takes " + rssKb / 1024 + " MB");
    }

    private static long statusField(final Path status, final String field) throws IOException {
        return Files.readAllLines(status).stream().filter(l -> l.startsWith(field + ":")).findFirst()
            .map(l -> Long.parseLong(l.replaceAll("[^0-9]", ""))).orElseThrow();
    }

    private static long cpuTicks(final Path proc) throws IOException {
        final var stat = Files.readString(proc.resolve("stat"));
        // the fields after the command name, which may hold spaces: state is field 3, utime 14, stime 15
        final var fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    /**
     * Context switches so far per thread, keyed by "TID NAME".
     */
    private static Map<String, Long> contextSwitches(final Path proc) throws IOException {
        final Map<String, Long> result = new java.util.HashMap<>();
        try (Stream<Path> tasks = Files.list(proc.resolve("task"))) {
            for (var task : tasks.toList()) {
                try {
                    final var name = Files.readString(task.resolve("comm")).strip();
                    result.put(task.getFileName() + " " + name,
                        statusField(task.resolve("status"), "voluntary_ctxt_switches")
                            + statusField(task.resolve("status"), "nonvoluntary_ctxt_switches"));
                } catch (IOException e) {
                    // the thread ended between the listing and the read
                }
            }
        }
        return result;
    }

    /**
     * The client again, from start to stop (connect, its TAP, a status and a join and leave over the control
     * socket), under strace: every socket family it opens is one the unit's RestrictAddressFamilies= allows, and
     * every system call it makes is in the unit's SystemCallFilter= (this machine has no systemd to enforce them).
     */
    private void checkSandbox(final String unit) throws Exception {
        // strace runs inside the sandbox, as serval, so that the trace holds the unit's process only (the launcher
        // script and the JVM), not setpriv's own work; it writes where serval may.
        final var dir = Files.createTempDirectory("serval-it-strace");
        exec("chown", "serval:serval", dir.toString());
        final var trace = dir.resolve("strace.txt");
        final var log = Path.of("target/client-package/installed-client-strace.log");
        final var command = new ArrayList<>(asTheUnitRunsIt(unit));
        command.addAll(command.indexOf("--") + 1, List.of("strace", "-f", "-qq", "-o", trace.toString(), "--"));
        final var traced = start(command, log);
        try {
            awaitUp(tapRed, traced, log);
            assertEquals(0, control("status", "--json").code());
            assertEquals(0, control("join", blue, "--iface", tapBlue).code());
            assertEquals(0, control("leave", blue).code());
            final var jvm = traced.toHandle().descendants()
                .filter(p -> p.info().command().orElse("").endsWith("/java")).findFirst().orElseThrow();
            jvm.destroy();
            assertTrue(traced.waitFor(30, TimeUnit.SECONDS), "the traced client did not stop");
        } finally {
            traced.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            traced.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        final Set<String> families = new TreeSet<>();
        final Set<String> calls = new TreeSet<>();
        final var familyOf = Pattern.compile("\\bsocket(?:pair)?\\((AF_[A-Z0-9]+)");
        final var callOf = Pattern.compile("^\\d+\\s+(?:<\\.\\.\\. )?([a-z0-9_]+)[( ]");
        try (Stream<String> lines = Files.lines(trace)) {
            lines.forEach(line -> {
                final var family = familyOf.matcher(line);
                if (family.find()) {
                    families.add(family.group(1));
                }
                final var call = callOf.matcher(line);
                if (call.find() && !line.contains("+++") && !line.contains("---")) {
                    calls.add(call.group(1));
                }
            });
        }
        final var allowedFamilies = Set.of(unit.lines().filter(l -> l.startsWith("RestrictAddressFamilies="))
            .findFirst().orElseThrow().substring("RestrictAddressFamilies=".length()).strip().split(" +"));
        assertTrue(allowedFamilies.containsAll(families), "the client opened sockets of " + families
            + ", the unit allows " + allowedFamilies);
        final var filter = unit.lines().filter(l -> l.startsWith("SystemCallFilter=")).findFirst().orElseThrow()
            .substring("SystemCallFilter=".length()).strip();
        final var allowedCalls = syscallSet(filter);
        final var outside = calls.stream().filter(c -> !allowedCalls.contains(c)).collect(Collectors.toSet());
        assertTrue(outside.isEmpty(), "system calls outside " + filter + ": " + outside + " (of " + calls + ")");
        Files.writeString(FIGURES, String.format("socket families: %s%nsystem calls (%d): %s%n", families,
            calls.size(), calls), java.nio.file.StandardOpenOption.APPEND);
        exec("rm", "-rf", dir.toString());
        LOG.info("the installed client opened sockets of {} and made {} kinds of system calls, all allowed by the "
            + "unit", families, calls.size());
    }

    /**
     * The system calls a SystemCallFilter= set allows, its groups expanded by systemd-analyze.
     */
    private static Set<String> syscallSet(final String filter) throws IOException, InterruptedException {
        final Set<String> result = new TreeSet<>();
        final var pending = new ArrayList<>(List.of(filter.split(" +")));
        final Set<String> seen = new TreeSet<>();
        while (!pending.isEmpty()) {
            final var name = pending.remove(pending.size() - 1);
            if (!name.startsWith("@")) {
                result.add(name);
                continue;
            }
            if (!seen.add(name)) {
                continue;
            }
            for (var line : exec("systemd-analyze", "syscall-filter", name).output().lines().toList()) {
                final var entry = line.strip();
                if (!entry.isEmpty() && !entry.startsWith("#") && !entry.equals(name)) {
                    pending.add(entry);
                }
            }
        }
        return result;
    }

    /**
     * dpkg -r keeps the configuration (conffile, credential) and removes the rest; dpkg -P removes everything but
     * the system user and group.
     */
    private static void removeAndCheck() throws Exception {
        assertEquals(0, exec("dpkg", "-r", "serval-client").code(), "dpkg -r");
        for (var path : List.of("/usr/bin/serval-client", "/usr/lib/serval-client", UNIT.toString(),
                "/usr/share/man/man1/serval-client.1.gz", "/usr/share/doc/serval-client")) {
            assertFalse(Files.exists(Path.of(path)), path + " is gone after dpkg -r");
        }
        assertTrue(Files.exists(CONF) && Files.exists(CREDENTIAL), "dpkg -r keeps the configuration");
        assertEquals(0, exec("dpkg", "-P", "serval-client").code(), "dpkg -P");
        for (var path : List.of("/etc/serval", STATE_DIR.toString(),
                "/etc/systemd/system/multi-user.target.wants/serval-client.service",
                "/etc/systemd/system/serval-client.service",
                "/var/lib/systemd/deb-systemd-helper-enabled/serval-client.service.dsh-also",
                "/var/lib/systemd/deb-systemd-helper-masked/serval-client.service")) {
            assertFalse(Files.exists(Path.of(path), java.nio.file.LinkOption.NOFOLLOW_LINKS),
                path + " is gone after dpkg -P");
        }
        assertNotEquals(0, exec("dpkg-query", "-W", "serval-client").code(), "dpkg forgot the package");
        assertTrue(userExists(), "the system user serval stays, as Debian keeps system users (postrm)");
    }
}
