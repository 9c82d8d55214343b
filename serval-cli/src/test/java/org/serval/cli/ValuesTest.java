/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.cli;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.util.List;
import org.junit.Test;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.AclAction;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.FloodAction;

public class ValuesTest {
    /** A throw-away self-signed certificate and its SHA-256 fingerprint as openssl prints it. */
    static final String PEM = """
        -----BEGIN CERTIFICATE-----
        MIIBjTCCATOgAwIBAgIUf6aIRy2PMb8oMgjwjdc5Tzx9JA8wCgYIKoZIzj0EAwIw
        HDEaMBgGA1UEAwwRc2VydmFsLXNoZWxsLXRlc3QwHhcNMjYxMTMwMDYwNzU2WhcN
        MzYxMTI3MDYwNzU2WjAcMRowGAYDVQQDDBFzZXJ2YWwtc2hlbGwtdGVzdDBZMBMG
        ByqGSM49AgEGCCqGSM49AwEHA0IABMytU00QNpLULnwa8mqYXMECpjpjNgb1zmiV
        FD4i3QrhqK/RfqWKfbrPGI2io7LpI7jOhupSt85GdT0c2hLc/z6jUzBRMB0GA1Ud
        DgQWBBRbqq1scTe7Xwei8B0cvInDv0RE1TAfBgNVHSMEGDAWgBRbqq1scTe7Xwei
        8B0cvInDv0RE1TAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0gAMEUCIQC9
        N3T6sEI3kAKpBoX1udiC4oMMLkfO0BK7KBNKwlLJ9wIgEFL2Z0s9qIounfU7qucv
        4FxB20/YoAwbvfMbFOWHeHI=
        -----END CERTIFICATE-----
        """;
    static final String OPENSSL_FINGERPRINT =
        "87:54:6C:0E:35:FF:B8:C4:04:F9:BD:5B:DC:C0:8C:ED:8A:3A:85:9A:9F:77:4E:82:FB:C4:47:9E:6F:73:C6:5E";
    static final String FINGERPRINT = "87546c0e35ffb8c404f9bd5bdcc08ced8a3a859a9f774e82fbc4479e6f73c65e";

    @Test
    public void fingerprintsInEveryUsualSpelling() throws Exception {
        assertEquals(FINGERPRINT, Values.fingerprint(OPENSSL_FINGERPRINT));
        assertEquals(FINGERPRINT, Values.fingerprint("sha256:" + FINGERPRINT));
        assertEquals(FINGERPRINT, Values.fingerprint(FINGERPRINT));
        final var file = Files.createTempFile("serval-cert", ".pem");
        try {
            Files.writeString(file, "a comment before it\n" + PEM);
            assertEquals(FINGERPRINT, Values.fingerprint(file.toString()));
            Files.writeString(file, "not a certificate");
            final var e = assertThrows(IllegalArgumentException.class, () -> Values.fingerprint(file.toString()));
            assertTrue(e.getMessage(), e.getMessage().contains("is not an X.509 certificate"));
        } finally {
            Files.delete(file);
        }
        assertThrows(IllegalArgumentException.class, () -> Values.fingerprint("/nonexistent/cert.pem"));
        assertThrows(IllegalArgumentException.class, () -> Values.fingerprint("abc"));
        assertThrows(IllegalArgumentException.class, () -> Values.fingerprint(FINGERPRINT + "00"));
    }

    @Test
    public void operationsActionsAndBooleans() {
        final var ops = Values.operations("join,CREATE");
        assertTrue(ops.getJoin());
        assertTrue(ops.getCreate());
        assertFalse(ops.getDelete());
        assertEquals("create,join", Values.operations(ops));
        assertEquals("unknown operation 'jump': use create, delete or join, separated by commas",
            assertThrows(IllegalArgumentException.class, () -> Values.operations("join,jump")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> Values.operations(","));
        assertEquals(AclAction.Deny, Values.action("--action", "Deny"));
        assertThrows(IllegalArgumentException.class, () -> Values.action("--action", "allow"));
        assertEquals(FloodAction.RateLimit, Values.floodAction("--broadcast", "rate-limit"));
        assertThrows(IllegalArgumentException.class, () -> Values.floodAction("--broadcast", "flood"));
        assertTrue(Values.bool("--open", "yes"));
        assertFalse(Values.bool("--open", "false"));
        assertThrows(IllegalArgumentException.class, () -> Values.bool("--open", "maybe"));
    }

    @Test
    public void positionsCountFromOne() {
        assertEquals(List.of("a", "b", "c"), Values.insert(List.of("a", "b"), "c", null));
        assertEquals(List.of("c", "a", "b"), Values.insert(List.of("a", "b"), "c", 1));
        assertEquals(List.of("a", "c", "b"), Values.insert(List.of("a", "b"), "c", 2));
        assertEquals(List.of("a", "b", "c"), Values.insert(List.of("a", "b"), "c", 3));
        assertEquals("position 4 is out of range: use 1 to 3",
            assertThrows(IllegalArgumentException.class, () -> Values.insert(List.of("a", "b"), "c", 4)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> Values.insert(List.of(), "c", 0));
    }

    @Test
    public void clusterNamesFromShardIds() {
        assertEquals("default", ClusterStatusCommand.shard("member-1-shard-default-config"));
        assertEquals("topology", ClusterStatusCommand.shard("member-2-shard-topology-operational"));
        assertEquals("member-2", ClusterStatusCommand.memberOf("member-2-shard-topology-operational"));
        assertEquals("odd", ClusterStatusCommand.shard("odd"));
    }

    @Test
    public void votersAreThisMemberAndThePeersThatVote() {
        assertEquals(List.of("member-1", "member-2", "member-10"), List.copyOf(ClusterStatusCommand.voters("member-1",
            "member-10-shard-default-config: true, member-2-shard-default-config: true, "
                + "member-3-shard-default-config: false")));
        assertEquals(List.of("member-2"), List.copyOf(ClusterStatusCommand.voters("member-2", "")));
    }

    @Test
    public void eachShardHasOneLeaderAndItsOtherVotersFollow() {
        final var voters = ClusterStatusCommand.voters("member-1",
            "member-2-shard-x-config: true, member-3-shard-x-config: true");
        final var roles = ClusterStatusCommand.roles(List.of(
            new ClusterStatusCommand.Replica("default", "config", "Leader", "member-1", "member-1", voters),
            new ClusterStatusCommand.Replica("default", "operational", "Follower", "member-2", "member-1", voters),
            new ClusterStatusCommand.Replica("topology", "config", "Follower", "member-2", "member-1", voters),
            new ClusterStatusCommand.Replica("topology", "operational", "Candidate", "none", "member-1", voters)));
        assertEquals(new ClusterStatusCommand.Roles(1, 2), roles.get("member-1"));
        assertEquals(new ClusterStatusCommand.Roles(2, 1), roles.get("member-2"));
        assertEquals(new ClusterStatusCommand.Roles(0, 3), roles.get("member-3"));
    }
}
