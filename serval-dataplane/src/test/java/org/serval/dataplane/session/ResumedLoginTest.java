/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.serval.api.LocalSecurityView;
import org.serval.api.LocalVlanView;
import org.serval.api.NodeInfo;
import org.serval.api.PasswordHash;
import org.serval.api.UserInfo;
import org.serval.api.VlanInfo;
import org.serval.dataplane.Bounds;
import org.serval.dataplane.protocol.LeakCheck;
import org.serval.dataplane.protocol.Message;
import org.serval.dataplane.protocol.MessageCodec;
import org.serval.dataplane.protocol.StreamPipeline;
import org.serval.dataplane.protocol.Wire;

/**
 * Logins by resumption credential on a node's real sessions: they never reach the password check, a thousand of
 * them are let in, and a changed password refuses the credential and ends the session it opened.
 */
@ExtendWith(LeakCheck.class)
class ResumedLoginTest {
    private final LocalVlanView view = new LocalVlanView();
    private final ViewRegistry registry = new ViewRegistry(view);
    private final LocalSecurityView security = TestUsers.view();
    private final Gatekeeper gatekeeper = TestUsers.gatekeeper(security);
    private final Dataplane dataplane = new Dataplane(DataplaneSettings.defaults("n1"), view, registry, gatekeeper);
    private final List<EmbeddedChannel> channels = new ArrayList<>();

    ResumedLoginTest() {
        view.putVlan(new VlanInfo("red", 10, "", 256, false, null));
        final var key = new byte[32];
        Arrays.fill(key, (byte) 7);
        gatekeeper.resumption().replaceKeys(Map.of(1, key));
    }

    @AfterEach
    void closeChannels() {
        for (var channel : channels) {
            channel.finishAndReleaseAll();
        }
        gatekeeper.close();
    }

    private EmbeddedChannel connect() {
        final var channel = new EmbeddedChannel();
        StreamPipeline.addProtocol(channel.pipeline()).addLast("session", new StreamLink(dataplane, "tcp", channel));
        channels.add(channel);
        return channel;
    }

    /**
     * Everything the session sent, waiting (bounded) for the first answer: a password is checked on another thread.
     */
    private static List<Message> answered(final EmbeddedChannel channel) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        final var out = new ArrayList<Message>();
        while (out.isEmpty() && System.nanoTime() < deadline) {
            channel.runPendingTasks();
            for (ByteBuf bytes = channel.readOutbound(); bytes != null; bytes = channel.readOutbound()) {
                try {
                    out.add(MessageCodec.decode(bytes));
                } finally {
                    bytes.release();
                }
            }
            if (out.isEmpty()) {
                Thread.sleep(2);
            }
        }
        return out;
    }

    private static Message.Hello resuming(final String clientId, final String credential) {
        return new Message.Hello(1, clientId, 0, TestUsers.USER, Message.Hello.AUTH_RESUME, credential);
    }

    /**
     * Logs in and returns the RESUME that follows the WELCOME.
     */
    private Message.Resume logIn(final EmbeddedChannel channel, final Message.Hello hello) throws Exception {
        Wire.inject(channel, hello);
        final var answer = answered(channel);
        assertEquals(2, answer.size(), answer.toString());
        assertInstanceOf(Message.Welcome.class, answer.get(0));
        return assertInstanceOf(Message.Resume.class, answer.get(1), "RESUME right after WELCOME");
    }

    private Message.Error refused(final Message.Hello hello) throws Exception {
        final var channel = connect();
        Wire.inject(channel, hello);
        final var answer = answered(channel);
        assertEquals(1, answer.size(), answer.toString());
        assertFalse(channel.isActive(), "a refused login closes the connection");
        return assertInstanceOf(Message.Error.class, answer.get(0));
    }

    @Test
    void aThousandResumedLoginsNeverReachThePasswordCheck() throws Exception {
        var resume = logIn(connect(), TestUsers.hello("c1"));
        assertEquals(Bounds.RESUME_LIFETIME_SECONDS, resume.lifetimeSeconds(), 1);
        final long hashed = PasswordHash.iterationsSpent();
        final long lifetime = resume.lifetimeSeconds();
        for (int i = 0; i < 1000; i++) {
            final var channel = connect();
            resume = logIn(channel, resuming("c1", resume.credential()));
            assertTrue(resume.lifetimeSeconds() <= lifetime, "resuming does not lengthen the credential's life");
            // each session replaces the one before it, as a client failing over does
            channel.runPendingTasks();
        }
        assertEquals(0, PasswordHash.iterationsSpent() - hashed, "no PBKDF2 for a resumed login");
        assertTrue(dataplane.hasSession("c1"));
        final var channel = connect();
        logIn(channel, resuming("c1", resume.credential()));
        Wire.inject(channel, new Message.Join(1, 0x025356000001L, "red"));
        assertInstanceOf(Message.Joined.class, answered(channel).get(0), "a resumed session is a session");
    }

    @Test
    void aChangedPasswordRefusesTheCredentialAndEndsTheSessionItOpened() throws Exception {
        final var resume = logIn(connect(), TestUsers.hello("c1"));
        final var resumed = connect();
        logIn(resumed, resuming("c1", resume.credential()));
        assertTrue(resumed.isActive());

        security.putUser(new UserInfo(TestUsers.USER, PasswordHash.hash("new".toCharArray(), 1000), true, Set.of(),
            10_000, 16, Set.of()));
        assertEquals(1, dataplane.userChanged(TestUsers.USER), "the resumed session stood on the old password");
        resumed.runPendingTasks();
        assertFalse(resumed.isActive());

        final var error = refused(resuming("c1", resume.credential()));
        assertEquals(Message.Error.AUTH_FAILED, error.code());
        assertEquals("unknown user or wrong password", error.message(), "as a wrong password is told");
    }

    @Test
    void refusedCredentialsAreRefusedAsAWrongPasswordAndThrottledLikeOne() throws Exception {
        final var resume = logIn(connect(), TestUsers.hello("c1"));
        final var forged = resume.credential().substring(0, resume.credential().length() - 2) + "AA";
        for (var hello : List.of(resuming("c1", forged), resuming("c2", resume.credential()),
                new Message.Hello(1, "c1", 0, "ghost", Message.Hello.AUTH_RESUME, resume.credential()),
                resuming("c1", "garbage"))) {
            final var error = refused(hello);
            assertEquals(Message.Error.AUTH_FAILED, error.code(), hello.toString());
            assertEquals("unknown user or wrong password", error.message());
        }
        refused(resuming("c1", ""));
        final var error = refused(resuming("c1", resume.credential()));
        assertEquals(Message.Error.LIMIT, error.code(), "five failures throttle the source, the good one too");
        assertTrue(error.message().contains("too many failed logins"), error.message());
    }

    @Test
    void aFullNodeGivesTheClientItSendsOnACredentialForTheLighterNode() throws Exception {
        final var full = new Dataplane(new DataplaneSettings("n1", 5000, 3, 1400, 8192, 256, 300, true, 1), view,
            registry, gatekeeper);
        full.nodesChanged(List.of(
            new NodeInfo("n1", List.of(new NodeInfo.Endpoint("tcp", "10.0.0.1", 4000)), null, null, 2, 50),
            new NodeInfo("n2", List.of(new NodeInfo.Endpoint("tcp", "10.0.0.2", 4000)), null, null, 0, 5)));
        final var onFull = new ArrayList<EmbeddedChannel>();
        for (var id : List.of("alice", "bob", "carol")) {
            final var channel = new EmbeddedChannel();
            StreamPipeline.addProtocol(channel.pipeline()).addLast("session", new StreamLink(full, "tcp", channel));
            channels.add(channel);
            onFull.add(channel);
            Wire.inject(channel, TestUsers.hello(id));
            if (!"carol".equals(id)) {
                // two in (a soft limit of 1), each before the next comes
                assertInstanceOf(Message.Welcome.class, answered(channel).get(0));
            }
        }
        final var refused = answered(onFull.get(2));
        assertEquals(3, refused.size(), refused.toString());
        assertInstanceOf(Message.Nodes.class, refused.get(0));
        final var onward = assertInstanceOf(Message.Resume.class, refused.get(1),
            "a credential before ERROR moved: the password goes to the configured node only");
        assertEquals(new Message.Error(0, Message.Error.MOVED, "n2"), refused.get(2));
        // the lighter node (here: this dataplane's twin, same cluster key) lets the client in with it
        logIn(connect(), resuming("carol", onward.credential()));
    }
}
