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
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The serval-server Debian package as an administrator meets it, on this machine: {@code dpkg -i}, the unit checked
 * by {@code systemd-analyze verify}, the server run exactly as the unit's ExecStart, User=, Environment= and
 * WorkingDirectory= say, with no capabilities and no new privileges (this machine has no systemd to run the unit
 * itself), then its ExecStartPost, which must have replaced admin/admin with a random password in a file only the
 * service reads; over RESTCONF a VLAN, a user and a new admin password; the shell through root's bin/client with the
 * installation's own random password, and karaf/karaf refused; a clean stop by SIGTERM; nothing written
 * outside its state, log and configuration directories; an upgrade in place to a package of a higher version (the
 * same files, repacked with the version bumped: what an upgrade must keep does not depend on what changed), after which
 * the VLAN, the user, the admin password, the shell's password, the dataplane certificate and the administrator's
 * edit of a conffile are all still there; then {@code dpkg -P} leaves nothing behind but the system user
 * serval-server, which Debian keeps (the postrm says why). Everything it changes on the machine is undone, also
 * when it fails.
 */
class ServerPackageTest {
    private static final Logger LOG = LoggerFactory.getLogger(ServerPackageTest.class);
    private static final Path PACKAGES = Path.of(System.getProperty("serval.it.packages", "../target/packages"));
    private static final String PACKAGE = "serval-server";
    private static final String USER = "serval-server";
    private static final Path UNIT = Path.of("/lib/systemd/system/serval-server.service");
    private static final Path HOME = Path.of("/usr/lib/serval");
    private static final Path CONF = Path.of("/etc/serval/server");
    private static final Path STATE = Path.of("/var/lib/serval");
    private static final Path LOGS = Path.of("/var/log/serval");
    private static final Path SETTINGS = CONF.resolve("org.serval.controller.cfg");
    private static final Path ADMIN_PASSWORD = STATE.resolve("restconf-admin.password");
    private static final Path SHELL_ACCOUNTS = CONF.resolve("users.properties");
    private static final String EDIT = "# ServerPackageTest: the administrator's line, kept across upgrades";
    private static final String BASE = "http://127.0.0.1:8181";
    private static final List<Integer> PORTS = List.of(8181, 8182, 4000, 8101, 2550, 1099, 44444);
    private static final Duration BOOT_TIMEOUT = Duration.ofMinutes(4);
    private static final Pattern FINGERPRINT = Pattern.compile("\"tls-fingerprint\":\"([0-9a-f]{64})\"");

    private final String suffix = Long.toString(ProcessHandle.current().pid() % 10_000);
    private final String vlan = "pkg-server-" + suffix;
    private final String servalUser = "pkg-user-" + suffix;
    private final String adminPassword = "pkg-admin-" + suffix + "-" + Long.toHexString(System.nanoTime());
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Path logs = Path.of("target/server-package");

    @Test
    void installRunUpgradeAndPurge() throws Exception {
        RealParts.require("root".equals(System.getProperty("user.name")), "needs root (dpkg -i)");
        for (var tool : List.of("dpkg", "dpkg-deb", "lintian", "systemd-analyze", "setpriv", "adduser")) {
            RealParts.require(NetnsHosts.onPath(tool), "needs " + tool + " (scripts/install-test-deps.sh)");
        }
        final List<Path> debs;
        try (Stream<Path> files = Files.exists(PACKAGES) ? Files.list(PACKAGES) : Stream.empty()) {
            debs = files.filter(f -> f.getFileName().toString().matches("serval-server_.*_amd64\\.deb")).toList();
        }
        RealParts.require(debs.size() == 1, "one serval-server .deb in " + PACKAGES.toAbsolutePath() + " (the "
            + "packaging/server module builds it where dpkg-deb is), found " + debs);
        RealParts.require(!installed(), "serval-server is installed on this machine already; this test installs and "
            + "purges its own (dpkg -P serval-server first)");
        for (var port : PORTS) {
            RealParts.require(!inUse(port), "port " + port + " is free (another SERVAL or OpenDaylight runs?)");
        }
        for (var path : List.of(HOME, CONF, STATE, LOGS)) {
            RealParts.require(!Files.exists(path, LinkOption.NOFOLLOW_LINKS), path + " does not exist yet (this test "
                + "removes it when it ends)");
        }
        final Path deb = debs.get(0).toAbsolutePath();
        final boolean userExisted = exec("getent", "passwd", USER).code() == 0;
        final boolean groupExisted = exec("getent", "group", USER).code() == 0;
        Files.createDirectories(logs);
        final var scratch = Files.createTempDirectory("serval-server-package");
        Process server = null;
        try {
            checkPackage(deb);
            final var install = exec("dpkg", "-i", deb.toString());
            assertEquals(0, install.code(), install::toString);
            checkInstalled();
            final var unit = Files.readString(UNIT);
            // The administrator edits a conffile: dpkg must keep it.
            Files.writeString(SETTINGS, Files.readString(SETTINGS) + EDIT + "\n");

            final var marker = scratch.resolve("before-start");
            Files.writeString(marker, "");
            server = start(unit, "first");
            // nothing open by default: admin/admin is gone before anyone is told RESTCONF is up
            final String initial = afterStart(unit, "first");
            assertNotNull(initial, "the first start wrote " + ADMIN_PASSWORD);
            assertTrue(initial.length() >= 20, initial);
            assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(ADMIN_PASSWORD));
            assertEquals(USER, Files.getOwner(ADMIN_PASSWORD).getName());
            final String fingerprint = awaitRestconf(server, initial);
            assertEquals(401, send("GET", "/rests/data/serval:nodes?content=nonconfig", null, "admin").statusCode(),
                "admin/admin no longer works");
            checkProcess(server.pid());
            expect(204, rpc("create-vlan", "{\"name\":\"" + vlan + "\",\"vid\":321}", initial));
            final String shellPassword = checkShell();
            expect(204, rpc("set-password", "{\"user\":\"" + servalUser + "\",\"password\":\"pkg-secret-1\"}",
                initial));
            changeAdminPassword(initial);
            assertEquals(401, send("GET", "/rests/data/serval:nodes?content=nonconfig", null, initial).statusCode(),
                "the first start's password no longer works");
            stop(server, unit);
            server = null;
            assertTrue(Files.readString(LOGS.resolve("serval.log")).contains("SERVAL controller started"),
                "SERVAL's own log is in " + LOGS);
            checkWrites();

            upgrade(deb, scratch);
            assertTrue(Files.readString(SETTINGS).contains(EDIT), "the upgrade kept the edited conffile");
            assertEquals(shellPassword, shellPassword(), "the upgrade kept the shell's password");
            try (Stream<Path> files = Files.list(CONF)) {
                assertEquals(List.of(), files.filter(f -> f.toString().matches(".*\\.dpkg-(dist|old|new)$")).toList(),
                    "dpkg had nothing to ask about the configuration");
            }
            assertFalse(Files.exists(STATE.resolve("data/cache")), "the old version's bundle cache is gone");

            server = start(Files.readString(UNIT), "upgraded");
            // a later start leaves the administrator's password alone, and does not wait for RESTCONF to do so
            final long post = System.nanoTime();
            assertEquals(initial, afterStart(Files.readString(UNIT), "upgraded"));
            assertTrue(System.nanoTime() - post < TimeUnit.SECONDS.toNanos(20), "ExecStartPost returned at once");
            assertEquals(fingerprint, awaitRestconf(server, adminPassword),
                "the dataplane certificate survived the upgrade");
            expect(200, send("GET", "/rests/data/serval:vlans/vlan=" + vlan + "?content=config", null,
                adminPassword));
            expect(200, send("GET", "/rests/data/serval:users/user=" + servalUser + "?content=config", null,
                adminPassword));
            stop(server, Files.readString(UNIT));
            server = null;

            purgeAndCheck();
        } finally {
            if (server != null) {
                server.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
                server.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
            if (Files.exists(LOGS.resolve("karaf.log"))) {
                exec("cp", LOGS.resolve("karaf.log").toString(), logs.resolve("karaf.log").toString());
            }
            if (exec("dpkg-query", "-W", PACKAGE).code() == 0) {
                exec("dpkg", "-P", PACKAGE);
            }
            // What a failed run's server left where dpkg -P does not look (it keeps directories with unknown files).
            for (var path : List.of(HOME, CONF, STATE, LOGS)) {
                exec("rm", "-rf", path.toString());
            }
            exec("rmdir", CONF.getParent().toString());
            if (!userExisted && exec("getent", "passwd", USER).code() == 0) {
                exec("deluser", "--system", "--quiet", USER);
            }
            if (!groupExisted && exec("getent", "group", USER).code() == 0) {
                exec("delgroup", "--system", "--quiet", USER);
            }
            exec("rm", "-rf", scratch.toString());
        }
    }

    /**
     * lintian finds no error; every file is root's and writable by root only; the runtime needs libc and nothing of a
     * desktop (X11, ALSA: the native libraries of java.desktop are left out).
     */
    private static void checkPackage(final Path deb) throws Exception {
        final var lintian = exec("lintian", "--fail-on", "error", deb.toString());
        assertEquals(0, lintian.code(), lintian::toString);
        assertFalse(Pattern.compile("(?m)^E: ").matcher(lintian.output()).find(), lintian.output());
        final var contents = exec("dpkg-deb", "-c", deb.toString()).output();
        for (var line : contents.lines().filter(l -> !l.startsWith("l")).toList()) {
            final var fields = line.split(" +");
            assertEquals("root/root", fields[1], line);
            assertFalse(fields[0].charAt(5) == 'w' || fields[0].charAt(8) == 'w', "writable by others: " + line);
        }
        final var depends = exec("dpkg-deb", "-f", deb.toString(), "Depends").output().strip();
        assertTrue(depends.startsWith("libc6") && !depends.contains("libx") && !depends.contains("libasound"),
            depends);
    }

    /**
     * The files where the package says they are, the directories with their owners and modes, the unit as
     * systemd-analyze reads it, and the runtime standing alone.
     */
    private static void checkInstalled() throws Exception {
        assertTrue(installed(), "dpkg -i installed it");
        for (var path : List.of(HOME.resolve("bin/karaf"), HOME.resolve("runtime/bin/java"), HOME.resolve("system"),
                SETTINGS, CONF.resolve("org.apache.karaf.shell.cfg"), UNIT,
                Path.of("/usr/share/doc/serval-server/copyright"))) {
            assertTrue(Files.exists(path), path + " is installed");
        }
        assertEquals(CONF, HOME.resolve("etc").toRealPath(), "Karaf finds its etc/ in /etc/serval/server");
        final var conffiles = exec("dpkg-query", "-W", "-f=${Conffiles}", PACKAGE).output();
        assertTrue(conffiles.contains(SETTINGS + " ") && conffiles.contains(CONF.resolve("jetty.xml") + " "),
            "Karaf's configuration is made of conffiles: " + conffiles);
        assertEquals(0, exec("getent", "passwd", USER).code(), "the system user exists");
        assertTrue(exec("getent", "passwd", USER).output().contains(":" + STATE + ":/usr/sbin/nologin"),
            "its home is the state directory, without a shell");
        assertEquals(USER + ":" + USER + " 750", owner(STATE));
        assertEquals(USER + ":" + USER + " 750", owner(STATE.resolve("data")));
        assertEquals(USER + ":" + USER + " 750", owner(LOGS));
        assertEquals("root:" + USER + " 770", owner(CONF));
        // The shell's account: the installation's own, not a conffile, with no default password
        assertEquals(USER + ":" + USER + " 600", owner(SHELL_ACCOUNTS),
            "the shell's credentials are the service's (and root's) to read only");
        assertFalse(conffiles.contains(SHELL_ACCOUNTS.toString()), "users.properties is no conffile: " + conffiles);
        assertTrue(shellPassword().matches("[0-9a-f]{36}"), "karaf's password was made random");

        final var verify = exec("systemd-analyze", "verify", UNIT.toString());
        assertEquals(0, verify.code(), verify::toString);
        assertFalse((verify.output() + verify.errors()).contains("serval-server"), verify::toString);

        final var java = ClientPackageTest.exec(List.of(HOME.resolve("runtime/bin/java").toString(), "-version"),
            Map.of());
        assertEquals(0, java.code(), java::toString);
        assertTrue(java.errors().contains("25"), "the runtime is the JDK 25 the build used: " + java.errors());
        assertFalse(Files.exists(HOME.resolve("runtime/bin/javac")), "a runtime, not a JDK");
    }

    /**
     * The shell as an administrator uses it, root's {@code bin/client} with no account given, which logs in with
     * the one in users.properties; Karaf's default account is refused. Returns the shell's password.
     */
    private String checkShell() throws Exception {
        final var client = HOME.resolve("bin/client").toString();
        final var list = exec(client, "-r", "3", "serval:vlan-list");
        assertTrue(list.output().contains(vlan), "root's bin/client lists the VLAN: " + list);
        final var defaults = exec(client, "-u", "karaf", "-p", "karaf", "serval:vlan-list");
        assertFalse(defaults.output().contains(vlan), "karaf/karaf is refused: " + defaults);
        return shellPassword();
    }

    private static String shellPassword() throws IOException {
        return ServalServer.shellPassword(SHELL_ACCOUNTS);
    }

    private static String owner(final Path path) throws Exception {
        return exec("stat", "-c", "%U:%G %a", path.toString()).output().strip();
    }

    /**
     * What systemd gives the unit's process: its environment (systemd.exec(5), "Environment variables in spawned
     * processes") with the unit's Environment= lines, nothing of the test's (no JAVA_HOME of its own).
     */
    private static Map<String, String> serviceEnvironment(final String unit) {
        final Map<String, String> env = new LinkedHashMap<>(Map.of("PATH",
            "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin", "LANG", "C.UTF-8", "HOME", STATE.toString(),
            "USER", USER, "LOGNAME", USER, "SHELL", "/usr/sbin/nologin", "STATE_DIRECTORY", STATE + ":" + STATE
                + "/data", "LOGS_DIRECTORY", LOGS.toString(), "CONFIGURATION_DIRECTORY", CONF.toString()));
        unit.lines().filter(l -> l.startsWith("Environment=")).forEach(line -> {
            for (var assignment : line.substring("Environment=".length()).strip().split(" +")) {
                final int eq = assignment.indexOf('=');
                env.put(assignment.substring(0, eq), assignment.substring(eq + 1));
            }
        });
        return env;
    }

    private static String setting(final String unit, final String key) {
        return unit.lines().filter(l -> l.startsWith(key + "=")).findFirst().orElseThrow(
            () -> new AssertionError("the unit has no " + key + "=")).substring(key.length() + 1).strip();
    }

    /**
     * The unit's ExecStart, as systemd would start it: its User= and Group= with their supplementary groups, UMask=,
     * WorkingDirectory=, an empty bounding set (CapabilityBoundingSet= with nothing) and no new privileges.
     */
    private Process start(final String unit, final String name) throws IOException {
        LOG.info("starting the installed server as its unit does ({})", name);
        return asUnit(unit, setting(unit, "ExecStart"), logs.resolve(name + ".log")).start();
    }

    /**
     * The unit's ExecStartPost as systemd runs it once the server has started (the same user, limits and
     * environment; its "-" lets it fail without failing the unit, which the script must not need): at the first
     * start it replaces admin/admin with a random password written to the state directory. Returns that file's
     * password, or null when there is no file.
     */
    private String afterStart(final String unit, final String name) throws Exception {
        final var post = setting(unit, "ExecStartPost");
        assertTrue(post.startsWith("-"), post);
        final var output = logs.resolve(name + "-post.log");
        final var process = asUnit(unit, post.substring(1), output).start();
        assertTrue(process.waitFor(BOOT_TIMEOUT.toSeconds(), TimeUnit.SECONDS), "ExecStartPost did not end");
        final var said = read(output).strip();
        assertEquals(0, process.exitValue(), () -> "ExecStartPost: " + said);
        LOG.info("ExecStartPost ({}): {}", name, said);
        return Files.exists(ADMIN_PASSWORD) ? Files.readString(ADMIN_PASSWORD).strip() : null;
    }

    private ProcessBuilder asUnit(final String unit, final String commandLine, final Path output) {
        assertEquals(USER, setting(unit, "User"));
        assertEquals("", setting(unit, "CapabilityBoundingSet"), "the unit drops every capability");
        final var command = new ArrayList<>(List.of("sh", "-c", "umask " + setting(unit, "UMask") + " && exec \"$@\"",
            "sh", "setpriv", "--reuid", USER, "--regid", setting(unit, "Group"), "--init-groups", "--inh-caps",
            "-all", "--bounding-set", "-all", "--no-new-privs", "--"));
        command.addAll(List.of(commandLine.split(" +")));
        final var builder = new ProcessBuilder(command).directory(Path.of(setting(unit, "WorkingDirectory")).toFile())
            .redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().clear();
        builder.environment().putAll(serviceEnvironment(unit));
        return builder;
    }

    private static String read(final Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file) : "";
    }

    /**
     * Waits until RESTCONF answers with the node list, and returns the dataplane certificate's fingerprint it
     * announces.
     */
    private String awaitRestconf(final Process server, final String password) throws Exception {
        final long deadline = System.nanoTime() + BOOT_TIMEOUT.toNanos();
        final long started = System.nanoTime();
        while (System.nanoTime() < deadline) {
            assertTrue(server.isAlive(), () -> "the installed server exited with " + server.exitValue() + "; see "
                + logs.toAbsolutePath() + " and " + LOGS.resolve("karaf.log"));
            try {
                final var nodes = send("GET", "/rests/data/serval:nodes?content=nonconfig", null, password);
                if (nodes.statusCode() == 200) {
                    final var found = FINGERPRINT.matcher(nodes.body());
                    if (found.find()) {
                        LOG.info("RESTCONF of the installed server answered after {} s",
                            TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
                        return found.group(1);
                    }
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(1000);
        }
        throw new AssertionError("RESTCONF did not answer within " + BOOT_TIMEOUT + "; see " + LOGS);
    }

    /**
     * The server runs on the package's runtime, as serval-server, with no capabilities and no way to gain any.
     */
    private static void checkProcess(final long pid) throws IOException {
        assertEquals(HOME.resolve("runtime/bin/java"), Files.readSymbolicLink(Path.of("/proc/" + pid + "/exe")),
            "bin/karaf execs the JVM (KARAF_EXEC), which is then the unit's main process");
        final var status = Files.readString(Path.of("/proc/" + pid + "/status"));
        for (var field : List.of("CapEff", "CapPrm", "CapBnd", "CapAmb")) {
            assertTrue(Pattern.compile("(?m)^" + field + ":\\s+0{16}$").matcher(status).find(),
                field + " is empty:\n" + status);
        }
        assertTrue(Pattern.compile("(?m)^NoNewPrivs:\\s+1$").matcher(status).find(), status);
        final var uid = status.lines().filter(l -> l.startsWith("Uid:")).findFirst().orElseThrow();
        assertFalse(uid.matches("Uid:\\s+0\\b.*"), uid);
        assertTrue(Files.readSymbolicLink(Path.of("/proc/" + pid + "/cwd")).equals(STATE), "its working directory");
    }

    /**
     * A new password for RESTCONF's admin account (OpenDaylight AAA keeps it in the state directory), as the
     * README's "Accounts" says.
     */
    private void changeAdminPassword(final String current) throws Exception {
        final var body = "{\"name\":\"admin\",\"password\":\"" + adminPassword + "\",\"description\":\"admin user\","
            + "\"email\":\"\",\"enabled\":1,\"domainid\":\"sdn\"}";
        final var response = send("PUT", "/auth/v1/users/admin@sdn", body, current);
        assertTrue(response.statusCode() / 100 == 2, () -> "PUT admin@sdn: " + response.statusCode() + " "
            + response.body());
        expect(200, send("GET", "/rests/data/serval:nodes?content=nonconfig", null, adminPassword));
    }

    /**
     * SIGTERM, as systemd stops the unit: Karaf shuts down within the unit's TimeoutStopSec, with an exit code the
     * unit counts as success.
     */
    private static void stop(final Process server, final String unit) throws Exception {
        final long timeout = Long.parseLong(setting(unit, "TimeoutStopSec").replace("s", ""));
        final long started = System.nanoTime();
        server.destroy();
        if (!server.waitFor(timeout, TimeUnit.SECONDS)) {
            throw new AssertionError("the server did not stop within the unit's TimeoutStopSec (" + timeout + " s)");
        }
        final int code = server.exitValue();
        LOG.info("the installed server stopped in {} ms with exit code {}",
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), code);
        assertTrue(code == 0 || code == 143 && setting(unit, "SuccessExitStatus").contains("143"),
            "SIGTERM ends the server cleanly, as the unit counts it: exit " + code);
    }

    /**
     * ProtectSystem=strict lets the service write only its state, log and configuration directories (and its
     * private /tmp); this machine has no systemd to enforce that, so the test looks for files of serval-server
     * anywhere else on the system's file systems.
     */
    private static void checkWrites() throws Exception {
        final var found = exec("find", "/etc", "/usr", "/var", "/opt", "/srv", "-xdev", "(", "-path", STATE.toString(),
            "-o", "-path", LOGS.toString(), "-o", "-path", CONF.toString(), "-o", "-path", "/var/tmp", ")", "-prune",
            "-o", "-user", USER, "-print");
        assertEquals("", found.output().strip(), "files of " + USER + " outside its directories");
    }

    /**
     * The same package with a higher version (dpkg-deb -R, the version bumped, dpkg-deb -b), installed over the
     * running one's files with dpkg -i, as an upgrade is.
     */
    private static void upgrade(final Path deb, final Path scratch) throws Exception {
        final var tree = scratch.resolve("upgrade");
        assertEquals(0, exec("dpkg-deb", "-R", deb.toString(), tree.toString()).code());
        final var control = tree.resolve("DEBIAN/control");
        final var version = Pattern.compile("(?m)^Version: (.*)$").matcher(Files.readString(control));
        assertTrue(version.find());
        final var next = version.group(1) + "+upgrade1";
        Files.writeString(control, Files.readString(control).replace("Version: " + version.group(1),
            "Version: " + next));
        final var upgraded = scratch.resolve("serval-server_" + next + "_amd64.deb");
        // no compression: the test's own package only needs to be read once
        final var build = exec("dpkg-deb", "--root-owner-group", "-Znone", "--build", tree.toString(),
            upgraded.toString());
        assertEquals(0, build.code(), build::toString);
        exec("rm", "-rf", tree.toString());
        final var install = exec("dpkg", "-i", upgraded.toString());
        assertEquals(0, install.code(), install::toString);
        assertEquals(next, exec("dpkg-query", "-W", "-f=${Version}", PACKAGE).output().strip());
        LOG.info("upgraded in place to {}", next);
    }

    /**
     * dpkg -P removes the program, the configuration, the state and the logs; the system user stays, as Debian
     * keeps system users.
     */
    private static void purgeAndCheck() throws Exception {
        final var purge = exec("dpkg", "-P", PACKAGE);
        assertEquals(0, purge.code(), purge::toString);
        for (var path : List.of(HOME, CONF, STATE, LOGS, UNIT, Path.of("/usr/share/doc/serval-server"),
                Path.of("/etc/systemd/system/multi-user.target.wants/serval-server.service"),
                Path.of("/var/lib/systemd/deb-systemd-helper-enabled/serval-server.service.dsh-also"))) {
            assertFalse(Files.exists(path, LinkOption.NOFOLLOW_LINKS), path + " is gone after dpkg -P");
        }
        assertNotEquals(0, exec("dpkg-query", "-W", PACKAGE).code(), "dpkg forgot the package");
        assertEquals(0, exec("getent", "passwd", USER).code(), "the system user stays (postrm)");
    }

    private static boolean installed() throws IOException, InterruptedException {
        return exec("dpkg-query", "-W", "-f=${Status}", PACKAGE).output().contains("install ok installed");
    }

    private HttpResponse<String> rpc(final String name, final String input, final String password)
            throws IOException, InterruptedException {
        return send("POST", "/rests/operations/serval:" + name, "{\"input\":" + input + "}", password);
    }

    private HttpResponse<String> send(final String method, final String path, final String json,
            final String password) throws IOException, InterruptedException {
        final var request = HttpRequest.newBuilder(URI.create(BASE + path)).timeout(Duration.ofSeconds(30))
            .header("Accept", "application/json").header("Authorization", "Basic " + Base64.getEncoder()
                .encodeToString(("admin:" + password).getBytes(UTF_8)))
            .method(method, json == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            request.header("Content-Type", "application/json");
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void expect(final int status, final HttpResponse<String> response) {
        assertEquals(status, response.statusCode(), () -> response.request().method() + " " + response.uri() + ": "
            + response.body());
    }

    private static boolean inUse(final int port) {
        try (var socket = new Socket("127.0.0.1", port)) {
            return true;
        } catch (ConnectException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    private static ClientPackageTest.Result exec(final String... command) throws IOException, InterruptedException {
        return ClientPackageTest.exec(List.of(command), null);
    }
}
