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
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelShell;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.keyverifier.AcceptAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Karaf shell as an operator uses it: a real SSH session (port 8101, with a terminal) that runs each family of
 * serval commands, answers the password prompt, completes names with TAB; every change is checked over RESTCONF,
 * and refused input must print one "Error:" line, no stack trace, and store nothing.
 */
class ShellTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    // ANSI escapes (colours, cursor movement) and carriage returns that the terminal interleaves with the text
    private static final Pattern NOISE =
        Pattern.compile("\u001B\\[[0-9;?]*[A-Za-z]|\u001B\\][^\u0007]*\u0007|\u001B[=>78]|\u0007|\r");
    private static final String PASSWORD = "Sh3ll-pass";
    private static final String CERT =
        "87:54:6C:0E:35:FF:B8:C4:04:F9:BD:5B:DC:C0:8C:ED:8A:3A:85:9A:9F:77:4E:82:FB:C4:47:9E:6F:73:C6:5E";
    private static ServalServer server;
    private static SshClient ssh;

    @BeforeAll
    static void start() throws Exception {
        server = new ServalServer();
        server.start();
        ssh = SshClient.setUpDefaultClient();
        // the test's own server on loopback, with a host key made at its first start
        ssh.setServerKeyVerifier(AcceptAllServerKeyVerifier.INSTANCE);
        ssh.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (ssh != null) {
            ssh.stop();
        }
        if (server != null) {
            server.close();
        }
    }

    private static ClientSession login() throws IOException {
        final var session = ssh.connect("karaf", "127.0.0.1", 8101).verify(WAIT).getSession();
        session.addPasswordIdentity(server.shellPassword());
        session.auth().verify(WAIT);
        return session;
    }

    /**
     * An interactive shell: what the terminal shows, with the escapes removed.
     */
    private static final class Terminal implements AutoCloseable {
        private final ChannelShell channel;
        private final OutputStream keys;
        private final StringBuilder screen = new StringBuilder();
        private final Thread reader;
        private int mark;

        Terminal(final ClientSession session) throws IOException, InterruptedException {
            channel = session.createShellChannel();
            channel.setPtyType("xterm");
            channel.setPtyColumns(300);
            channel.setPtyLines(100);
            channel.open().verify(WAIT);
            keys = channel.getInvertedIn();
            final InputStream output = channel.getInvertedOut();
            reader = new Thread(() -> {
                final var buffer = new byte[4096];
                try {
                    for (int n = output.read(buffer); n >= 0; n = output.read(buffer)) {
                        synchronized (screen) {
                            screen.append(new String(buffer, 0, n, UTF_8));
                            screen.notifyAll();
                        }
                    }
                } catch (IOException e) {
                    // the channel closed
                }
            }, "shell-test-reader");
            reader.setDaemon(true);
            reader.start();
            awaitPrompt();
        }

        /**
         * What the terminal showed since the last mark.
         */
        String sinceMark() {
            synchronized (screen) {
                return NOISE.matcher(screen.substring(mark)).replaceAll("");
            }
        }

        void type(final String text) throws IOException {
            keys.write(text.getBytes(UTF_8));
            keys.flush();
        }

        /**
         * Waits until the output since the mark contains a text; returns that output.
         */
        String await(final String text) throws InterruptedException {
            return await(Pattern.compile(Pattern.quote(text)));
        }

        String await(final Pattern pattern) throws InterruptedException {
            final long deadline = System.nanoTime() + WAIT.toNanos();
            synchronized (screen) {
                while (true) {
                    final var shown = sinceMark();
                    if (pattern.matcher(shown).find()) {
                        return shown;
                    }
                    final long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                    if (left <= 0) {
                        throw new AssertionError("the shell did not show " + pattern + "; it showed:\n" + shown);
                    }
                    screen.wait(left);
                }
            }
        }

        String awaitPrompt() throws InterruptedException {
            return await(Pattern.compile("@root[^\n>]*> ?\\z"));
        }

        /**
         * Runs a command line and returns what it printed, once the prompt is back.
         */
        String run(final String line) throws IOException, InterruptedException {
            synchronized (screen) {
                mark = screen.length();
            }
            type(line + "\r");
            // the echo of the line itself ends with the newline the terminal shows; the prompt follows the output
            await(Pattern.compile("\n"));
            return awaitPrompt();
        }

        void mark() {
            synchronized (screen) {
                mark = screen.length();
            }
        }

        @Override
        public void close() throws IOException {
            channel.close(false);
        }
    }

    private static void noTrace(final String output) {
        assertFalse(output.contains("Exception") || output.contains("\tat ") || output.contains("    at "),
            "a stack trace:\n" + output);
    }

    private static String get(final String path) throws Exception {
        final var response = server.get(path);
        assertEquals(200, response.statusCode(), () -> path + ": " + response.body());
        return response.body();
    }

    private static boolean missing(final String path) throws Exception {
        final int status = server.get(path).statusCode();
        return status == 404 || status == 409;
    }

    @Test
    void everyFamilyOfCommandsOverSsh() throws Exception {
        try (var session = login(); var shell = new Terminal(session)) {
            assertTrue(shell.run("serval:group-create --description \"shell test\" it-shell-g")
                .contains("Group it-shell-g created"));

            // users: the password is asked for twice and never echoed
            shell.mark();
            shell.type("serval:user-create --group it-shell-g --max-clients 3 shelluser\r");
            shell.await("Password for shelluser: ");
            shell.type(PASSWORD + "\r");
            shell.await("Again: ");
            shell.type(PASSWORD + "\r");
            final var created = shell.await("User shelluser created, in groups it-shell-g");
            assertFalse(created.contains(PASSWORD), "the password was echoed:\n" + created);
            shell.awaitPrompt();
            var user = get("/data/serval:users/user=shelluser");
            assertTrue(user.contains("\"max-clients\":3") && user.contains("\"it-shell-g\"")
                && user.contains("$pbkdf2-sha256$"), user);

            final var refused = shell.run("serval:user-set --max-clients 70000 shelluser");
            assertTrue(refused.contains("Error: max-clients 70000 is out of range: use 0 to 65535 (invalid-value)"),
                refused);
            noTrace(refused);
            assertTrue(get("/data/serval:users/user=shelluser").contains("\"max-clients\":3"), "nothing changed");
            assertTrue(shell.run("serval:user-set --max-vlans 2 shelluser").contains("User shelluser changed"));

            assertTrue(shell.run("serval:user-cert-add shelluser " + CERT).contains("logs in as user shelluser"));
            final var badCert = shell.run("serval:user-cert-add shelluser 12ab");
            assertTrue(badCert.contains("Error: invalid certificate fingerprint '12ab'"), badCert);
            assertTrue(shell.run("serval:user-disable shelluser").contains("User shelluser disabled"));
            user = get("/data/serval:users/user=shelluser");
            assertTrue(user.contains("\"enabled\":false") && user.contains("\"max-vlans\":2")
                && user.contains("87546c0e35ffb8c404f9bd5bdcc08ced8a3a859a9f774e82fbc4479e6f73c65e"), user);
            assertTrue(shell.run("serval:user-enable shelluser").contains("User shelluser enabled"));
            final var ghost = shell.run("serval:user-disable it-shell-ghost");
            assertTrue(ghost.contains("Error: no such user it-shell-ghost (data-missing)"), ghost);
            assertTrue(missing("/data/serval:users/user=it-shell-ghost"), "a refused command creates nobody");
            final var listed = shell.run("serval:user-list shell");
            assertTrue(listed.matches("(?s).*shelluser\\s*\\|\\s*yes\\s*\\|\\s*it-shell-g.*"), listed);

            // access control
            assertTrue(shell.run("serval:acl-create --group it-shell-g shell-list").contains("Rule list shell-list"));
            assertTrue(shell.run("serval:acl-rule-add --vlan \"shell-*\" --operations join,create --action permit "
                + "shell-list r1").contains("Rule r1 added to shell-list at position 1"));
            final var badRule = shell.run("serval:acl-rule-add --vlan \"bad*x\" --operations join --action permit "
                + "shell-list r2");
            assertTrue(badRule.contains("Error: invalid VLAN pattern 'bad*x'"), badRule);
            final var acl = get("/data/serval:access-control");
            assertTrue(acl.contains("\"shell-list\"") && acl.contains("\"shell-*\"") && !acl.contains("bad*x"), acl);
            final var aclList = shell.run("serval:acl-list");
            assertTrue(aclList.contains("group it-shell-g") && aclList.contains("r1"), aclList);

            // VLAN options
            assertTrue(shell.run("serval:vlan-create shell-red").contains("VLAN shell-red created"));
            assertTrue(shell.run("serval:vlan-set --open true --max-members 12 --broadcast drop shell-red")
                .contains("VLAN shell-red changed: open true, max-members 12, broadcast drop"));
            final var vlan = get("/data/serval:vlans/vlan=shell-red");
            assertTrue(vlan.contains("\"open\":true") && vlan.contains("\"max-members\":12")
                && vlan.contains("\"broadcast\":\"drop\""), vlan);
            final var badVid = shell.run("serval:vlan-set --vid 5000 shell-red");
            assertTrue(badVid.contains("Error: vid 5000 is out of range: use 1 to 4094 (invalid-value)"), badVid);
            final var noVlan = shell.run("serval:vlan-set --open true shell-none");
            assertTrue(noVlan.contains("Error: no such VLAN shell-none (data-missing)"), noVlan);
            noTrace(noVlan);

            // join and leave of a client (recorded for a client not connected now)
            assertTrue(shell.run("serval:client-join it-shell-client shell-red")
                .contains("Client it-shell-client is a member of VLAN shell-red"));
            assertTrue(get("/data/serval:vlans/vlan=shell-red").contains("it-shell-client"));
            assertTrue(shell.run("serval:client-leave it-shell-client shell-red")
                .contains("Client it-shell-client is removed from VLAN shell-red"));

            // nodes and the cluster, at a glance
            final var nodes = shell.run("serval:node-list");
            assertTrue(nodes.contains(ServalServer.fingerprint()) && nodes.contains("tcp "), nodes);
            final var cluster = shell.run("serval:cluster-status");
            // one member: it leads every shard of both datastores
            assertTrue(cluster.contains("Member:  member-1"), cluster);
            // at a glance: this server's line (member, address, shards led and followed, clients, CPU, fingerprint)
            assertTrue(cluster.matches("(?s).*member-1 \\(node [^)]+\\)\\s*\\|[^|]+\\|\\s*[1-9]\\d*\\s*\\|\\s*0\\s*\\|"
                + "[^|]+\\|[^|]+\\|\\s*" + ServalServer.fingerprint() + ".*"), cluster);
            assertTrue(cluster.matches("(?s).*default\\s*\\|\\s*config\\s*\\|\\s*Leader\\s*\\|\\s*member-1.*"),
                cluster);

            // TAB completes names from what exists
            shell.mark();
            shell.type("serval:user-show shellu\t");
            shell.await("shelluser");
            shell.type("\r");
            final var shown = shell.awaitPrompt();
            assertTrue(shown.contains("Max VLANs:    2"), shown);
            shell.mark();
            shell.type("serval:vlan-show shell-r\t");
            shell.await("shell-red");
            shell.type("\r");
            final var shownVlan = shell.awaitPrompt();
            assertTrue(shownVlan.contains("Flooding:    broadcast drop"), shownVlan);

            assertTrue(shell.run("serval:group-delete it-shell-g")
                .contains("Group it-shell-g deleted; removed from users shelluser"));
            assertFalse(get("/data/serval:users/user=shelluser").contains("it-shell-g"));
            assertTrue(shell.run("serval:acl-delete shell-list").contains("Rule list shell-list deleted"));
            assertTrue(shell.run("serval:user-delete shelluser").contains("User shelluser deleted"));
            assertTrue(missing("/data/serval:users/user=shelluser"), "user-delete deletes");
            assertTrue(shell.run("serval:vlan-delete shell-red").contains("VLAN shell-red deleted"));
        }
    }

    @Test
    void aFailedCommandExitsNonZero() throws Exception {
        assertEquals(Integer.valueOf(1), exec("serval:user-show it-shell-nobody",
            "Error: no such user it-shell-nobody (data-missing)"));
        assertEquals(Integer.valueOf(0), exec("serval:node-list", ServalServer.fingerprint()));
    }

    /**
     * Runs one command as {@code ssh host 'command'} does; Karaf ends the SSH session after it, so each has its own.
     */
    private static Integer exec(final String command, final String expected) throws IOException {
        try (var session = login(); var channel = session.createExecChannel(command)) {
            final var output = new ByteArrayOutputStream();
            channel.setOut(output);
            channel.setErr(output);
            channel.open().verify(WAIT);
            channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), WAIT);
            final var text = NOISE.matcher(output.toString(UTF_8)).replaceAll("");
            assertTrue(text.contains(expected), text);
            noTrace(text);
            return channel.getExitStatus();
        }
    }
}
