/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;
import static org.mockito.ArgumentMatchers.anyChar;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;
import static org.opendaylight.mdsal.common.api.LogicalDatastoreType.CONFIGURATION;
import static org.opendaylight.mdsal.common.api.LogicalDatastoreType.OPERATIONAL;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.CommandException;
import org.junit.Before;
import org.junit.Test;
import org.opendaylight.mdsal.binding.api.RpcService;
import org.opendaylight.mdsal.binding.dom.adapter.test.AbstractConcurrentDataBrokerTest;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.Host;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.IpAddress;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.Ipv4Address;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.PortNumber;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.cluster.rev261130.Node1Builder;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.AclAction;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.FloodAction;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.GroupName;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.NodeId;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.Nodes;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.SetPassword;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.SetPasswordInput;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.SetPasswordOutputBuilder;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.Transport;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.VlanId;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.VlanName;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.access.control.RuleList;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.access.control.rule.list.Rule;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.nodes.Node;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.nodes.NodeBuilder;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.nodes.NodeKey;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.nodes.node.EndpointBuilder;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.nodes.node.EndpointKey;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.nodes.node.LoadBuilder;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.users.User;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.vlans.Vlan;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.vlans.VlanBuilder;
import org.opendaylight.yangtools.binding.DataObject;
import org.opendaylight.yangtools.binding.DataObjectIdentifier;
import org.opendaylight.yangtools.yang.common.RpcResultBuilder;
import org.opendaylight.yangtools.yang.common.Uint16;
import org.opendaylight.yangtools.yang.common.Uint32;
import org.opendaylight.yangtools.yang.common.Uint64;
import org.opendaylight.yangtools.yang.common.Uint8;
import org.serval.api.FloodPolicy;
import org.serval.api.VlanDirectory;
import org.serval.api.VlanInfo;

/**
 * The commands against a real in-memory datastore: what they store, and that a refused input stores nothing.
 */
public class CommandsTest extends AbstractConcurrentDataBrokerTest {
    private final ByteArrayOutputStream console = new ByteArrayOutputStream();
    private final List<SetPasswordInput> passwords = new ArrayList<>();
    private Session session;
    private RpcService rpcs;
    private VlanDirectory directory;

    @Before
    public void setUpShell() {
        session = mock(Session.class);
        when(session.getConsole()).thenReturn(new PrintStream(console, true, UTF_8));
        rpcs = mock(RpcService.class);
        when(rpcs.getRpc(SetPassword.class)).thenReturn(input -> {
            passwords.add(input);
            return RpcResultBuilder.success(new SetPasswordOutputBuilder().build()).buildFuture();
        });
        directory = mock(VlanDirectory.class);
    }

    private <T extends ServalAction> T shell(final T action) {
        action.session = session;
        if (action instanceof DatastoreAction datastore) {
            datastore.broker = getDataBroker();
        }
        return action;
    }

    private String run(final ServalAction action) throws Exception {
        console.reset();
        shell(action).execute();
        return console.toString(UTF_8);
    }

    private String refused(final ServalAction action) {
        console.reset();
        return assertThrows(CommandException.class, () -> shell(action).execute()).getMessage();
    }

    private <T extends DataObject> Optional<T> read(final DataObjectIdentifier<T> path) throws Exception {
        try (var tx = getDataBroker().newReadOnlyTransaction()) {
            return tx.read(CONFIGURATION, path).get();
        }
    }

    private User user(final String name) throws Exception {
        return read(Datastore.user(name)).orElseThrow();
    }

    private void group(final String name) throws Exception {
        final var create = new GroupCreateCommand();
        create.group = name;
        run(create);
    }

    private static UserCreateCommand userCreate(final String name, final String password) {
        final var create = new UserCreateCommand();
        create.user = name;
        create.password = password;
        return create;
    }

    private UserCreateCommand withRpcs(final UserCreateCommand create) {
        create.rpcService = rpcs;
        return create;
    }

    @Test
    public void userCreateStoresTheSettingsAndSetsThePasswordThroughTheRpc() throws Exception {
        group("gamers");
        when(session.readLine(anyString(), anyChar())).thenReturn("s3cret", "s3cret");
        final var create = withRpcs(userCreate("alice", null));
        create.groups = List.of("gamers");
        create.maxClients = 4;
        create.certificates = List.of(ValuesTest.OPENSSL_FINGERPRINT);
        assertEquals("User alice created, in groups gamers\n", run(create));

        final var alice = user("alice");
        assertEquals(Set.of(new GroupName("gamers")), alice.getGroup());
        assertEquals(Uint16.valueOf(4), alice.getMaxClients());
        assertEquals(Set.of(ValuesTest.FINGERPRINT), alice.getCertificate());
        // the shell never hashes or stores a password itself: set-password does
        assertNull(alice.getPasswordHash());
        assertEquals(1, passwords.size());
        assertEquals("alice", passwords.get(0).getUser());
        assertEquals("s3cret", passwords.get(0).getPassword());
    }

    @Test
    public void userCreateRefusesWhatRestconfWouldAndStoresNothing() throws Exception {
        final var tooMany = userCreate("bob", "pw");
        tooMany.maxClients = 70_000;
        assertEquals("max-clients 70000 is out of range: use 0 to 65535 (invalid-value)", refused(tooMany));
        final var badCert = userCreate("bob", "pw");
        badCert.certificates = List.of("12ab");
        assertTrue(refused(badCert).startsWith("invalid certificate fingerprint '12ab'"));
        final var noGroup = userCreate("bob", "pw");
        noGroup.groups = List.of("nobody-here");
        assertEquals("no such group nobody-here (data-missing)", refused(noGroup));
        assertTrue(refused(userCreate("bob b", "pw")).startsWith("invalid user name 'bob b'"));
        when(session.readLine(anyString(), anyChar())).thenReturn("one", "two");
        assertEquals("the passwords differ; nothing was created", refused(withRpcs(userCreate("bob", null))));
        assertTrue(read(Datastore.user("bob")).isEmpty());
        assertTrue(passwords.isEmpty());

        run(withRpcs(userCreate("bob", "pw")));
        assertEquals("user bob exists (data-exists); change it with user-set or user-password",
            refused(withRpcs(userCreate("bob", "pw"))));
    }

    @Test
    public void enableDisableSetAndDeleteNeedAnExistingUser() throws Exception {
        run(withRpcs(userCreate("carol", "pw")));
        final var disable = new UserDisableCommand();
        disable.user = "carol";
        assertEquals("User carol disabled\n", run(disable));
        assertEquals(Boolean.FALSE, user("carol").getEnabled());
        final var enable = new UserEnableCommand();
        enable.user = "carol";
        run(enable);
        assertEquals(Boolean.TRUE, user("carol").getEnabled());

        final var set = new UserSetCommand();
        set.user = "carol";
        set.maxVlans = 2;
        assertEquals("User carol changed: max-vlans 2\n", run(set));
        assertEquals(Uint16.valueOf(2), user("carol").getMaxVlans());
        set.maxVlans = -1;
        assertEquals("max-vlans -1 is out of range: use 0 to 65535 (invalid-value)", refused(set));

        // a merge would create the user: the command must refuse instead
        final var ghost = new UserDisableCommand();
        ghost.user = "ghost";
        assertEquals("no such user ghost (data-missing)", refused(ghost));
        assertTrue(read(Datastore.user("ghost")).isEmpty());

        final var delete = new UserDeleteCommand();
        delete.user = "carol";
        run(delete);
        assertTrue(read(Datastore.user("carol")).isEmpty());
        assertEquals("no such user carol (data-missing)", refused(delete));
    }

    @Test
    public void certificatesAreAddedAndRemoved() throws Exception {
        run(withRpcs(userCreate("dave", "pw")));
        final var add = new UserCertAddCommand();
        add.user = "dave";
        add.certificate = "SHA256:" + ValuesTest.OPENSSL_FINGERPRINT;
        run(add);
        assertEquals(Set.of(ValuesTest.FINGERPRINT), user("dave").getCertificate());
        assertTrue(refused(add).endsWith("(data-exists)"));
        final var remove = new UserCertRemoveCommand();
        remove.user = "dave";
        remove.certificate = ValuesTest.FINGERPRINT;
        run(remove);
        assertNull(user("dave").getCertificate());
        assertTrue(refused(remove).endsWith("(data-missing)"));
        final var show = new UserShowCommand();
        show.directory = directory;
        show.user = "dave";
        final var shown = run(show);
        assertTrue(shown, shown.contains("Password:     set") || shown.contains("Password:     none"));
        assertFalse(shown, shown.contains("pbkdf2"));
    }

    @Test
    public void groupsGainAndLoseMembers() throws Exception {
        group("red-team");
        assertEquals("group red-team exists (data-exists)", refused(new GroupCreateCommand() {
            {
                group = "red-team";
            }
        }));
        run(withRpcs(userCreate("erin", "pw")));
        run(withRpcs(userCreate("frank", "pw")));
        final var add = new GroupAddUserCommand();
        add.group = "red-team";
        add.users = List.of("erin", "frank");
        run(add);
        assertEquals(Set.of(new GroupName("red-team")), user("frank").getGroup());
        final var list = run(new GroupListCommand());
        assertTrue(list, list.contains("erin,frank"));

        final var remove = new GroupRemoveUserCommand();
        remove.group = "red-team";
        remove.users = List.of("frank");
        run(remove);
        assertNull(user("frank").getGroup());

        final var delete = new GroupDeleteCommand();
        delete.group = "red-team";
        assertEquals("Group red-team deleted; removed from users erin\n", run(delete));
        assertNull(user("erin").getGroup());
        assertTrue(read(Datastore.group("red-team")).isEmpty());
    }

    @Test
    public void ruleListsAndRulesKeepTheirOrder() throws Exception {
        group("gamers");
        final var gamers = new AclCreateCommand();
        gamers.name = "gamers";
        gamers.groups = List.of("gamers");
        run(gamers);
        final var everyone = new AclCreateCommand();
        everyone.name = "everyone";
        everyone.groups = List.of("*");
        everyone.position = 1;
        run(everyone);
        assertEquals(List.of("everyone", "gamers"), read(Datastore.ACCESS_CONTROL).orElseThrow().nonnullRuleList()
            .stream().map(RuleList::getName).toList());

        final var lan = rule("gamers", "lan", "lan-*", "join,create", "permit", null);
        run(lan);
        run(rule("gamers", "no-admin", "admin", "join", "deny", 1));
        final var rules = read(Datastore.ruleList("gamers")).orElseThrow().nonnullRule();
        assertEquals(List.of("no-admin", "lan"), rules.stream().map(Rule::getName).toList());
        assertEquals("lan-*", rules.get(1).getVlan());
        assertTrue(rules.get(1).getOperations().getCreate());
        assertEquals(AclAction.Permit, rules.get(1).getAction());

        assertTrue(refused(rule("gamers", "bad", "red*team", "join", "permit", null))
            .startsWith("invalid VLAN pattern 'red*team'"));
        assertEquals("position 9 is out of range: use 1 to 3 (invalid-value)",
            refused(rule("gamers", "far", "*", "join", "permit", 9)));
        assertEquals("no such rule list nope (data-missing)", refused(rule("nope", "x", "*", "join", "deny", null)));
        assertEquals("rule list gamers has a rule lan already (data-exists)", refused(lan));

        final var shown = run(new AclListCommand());
        assertTrue(shown, shown.contains("group gamers") && shown.contains("lan-*") && shown.contains("every user"));

        final var remove = new AclRuleRemoveCommand();
        remove.list = "gamers";
        remove.rule = "no-admin";
        run(remove);
        assertEquals(1, read(Datastore.ruleList("gamers")).orElseThrow().nonnullRule().size());

        final var set = new AclSetCommand();
        set.joinDefault = "permit";
        run(set);
        assertEquals(AclAction.Permit, read(Datastore.ACCESS_CONTROL).orElseThrow().getJoinDefault());
        assertEquals(2, read(Datastore.ACCESS_CONTROL).orElseThrow().nonnullRuleList().size());
        set.joinDefault = "maybe";
        assertTrue(refused(set).startsWith("--join-default 'maybe' is not an action"));

        final var delete = new AclDeleteCommand();
        delete.name = "everyone";
        run(delete);
        assertTrue(read(Datastore.ruleList("everyone")).isEmpty());
    }

    private static AclRuleAddCommand rule(final String list, final String name, final String vlan,
            final String operations, final String action, final Integer position) {
        final var add = new AclRuleAddCommand();
        add.list = list;
        add.rule = name;
        add.vlan = vlan;
        add.operations = operations;
        add.action = action;
        add.position = position;
        return add;
    }

    @Test
    public void vlanSetChangesOnlyWhatIsGiven() throws Exception {
        final var tx = getDataBroker().newWriteOnlyTransaction();
        tx.put(CONFIGURATION, Datastore.vlan("red"), new VlanBuilder().setName(new VlanName("red"))
            .setVid(new VlanId(Uint16.valueOf(10))).setDescription("red team").build());
        tx.commit().get();

        final var set = new VlanSetCommand();
        set.name = "red";
        set.open = "true";
        set.maxMembers = 10L;
        set.broadcast = "drop";
        assertEquals("VLAN red changed: open true, max-members 10, broadcast drop\n", run(set));
        Vlan red = read(Datastore.vlan("red")).orElseThrow();
        assertEquals(Boolean.TRUE, red.getOpen());
        assertEquals(Uint32.valueOf(10), red.getMaxMembers());
        assertEquals(FloodAction.Drop, red.getFloodPolicy().getBroadcast());
        assertEquals("red team", red.getDescription());

        final var bad = new VlanSetCommand();
        bad.name = "red";
        bad.maxMembers = 0L;
        assertEquals("max-members 0 is out of range: use 1 to 65535 (invalid-value)", refused(bad));
        bad.maxMembers = null;
        bad.vid = 4095L;
        assertEquals("vid 4095 is out of range: use 1 to 4094 (invalid-value)", refused(bad));
        assertEquals(Uint32.valueOf(10), read(Datastore.vlan("red")).orElseThrow().getMaxMembers());

        final var noVid = new VlanSetCommand();
        noVid.name = "red";
        noVid.noVid = true;
        noVid.multicast = "forward";
        run(noVid);
        red = read(Datastore.vlan("red")).orElseThrow();
        assertNull(red.getVid());
        assertEquals(FloodAction.Forward, red.getFloodPolicy().getMulticast());
        assertEquals(FloodAction.Drop, red.getFloodPolicy().getBroadcast());
        assertEquals("red team", red.getDescription());

        final var missing = new VlanSetCommand();
        missing.name = "blue";
        missing.open = "false";
        assertEquals("no such VLAN blue (data-missing)", refused(missing));
        assertTrue(read(Datastore.vlan("blue")).isEmpty());
    }

    @Test
    public void nodeListShowsWhatTheNodesAnnounce() throws Exception {
        final var fingerprint = ValuesTest.FINGERPRINT;
        final var tx = getDataBroker().newWriteOnlyTransaction();
        final var path = DataObjectIdentifier.builder(Nodes.class).child(Node.class, new NodeKey(new NodeId("node-a")))
            .build();
        tx.put(OPERATIONAL, path, new NodeBuilder()
            .setId(new NodeId("node-a")).setTlsFingerprint(fingerprint)
            .setEndpoint(Map.of(new EndpointKey(Transport.Tcp), new EndpointBuilder().setTransport(Transport.Tcp)
                .setAddress(new Host(new IpAddress(new Ipv4Address("192.0.2.1")))).setPort(new PortNumber(
                    Uint16.valueOf(4000))).build()))
            .setLoad(new LoadBuilder().setClients(Uint32.valueOf(3)).setCpuPercent(Uint8.valueOf(7)).build())
            .addAugmentation(new Node1Builder().setHeartbeat(Uint64.valueOf(42)).build()).build());
        tx.commit().get();
        final var shown = run(new NodeListCommand());
        assertTrue(shown, shown.contains("node-a") && shown.contains("tcp 192.0.2.1:4000")
            && shown.contains(fingerprint) && shown.contains("42"));
    }

    @Test
    public void clusterStatusShowsOneLinePerMember() throws Exception {
        final var node = new NodeBuilder()
            .setId(new NodeId("member-2")).setTlsFingerprint(ValuesTest.FINGERPRINT)
            .setEndpoint(Map.of(new EndpointKey(Transport.Tcp), new EndpointBuilder().setTransport(Transport.Tcp)
                .setAddress(new Host(new IpAddress(new Ipv4Address("192.0.2.2")))).setPort(new PortNumber(
                    Uint16.valueOf(4000))).build()))
            .setLoad(new LoadBuilder().setClients(Uint32.valueOf(5)).setCpuPercent(Uint8.valueOf(17)).build())
            .build();
        final var voters = ClusterStatusCommand.voters("member-1",
            "member-2-shard-default-config: true, member-3-shard-default-config: true");
        final var replicas = List.of(
            new ClusterStatusCommand.Replica("default", "config", "Follower", "member-2", "member-1", voters),
            new ClusterStatusCommand.Replica("default", "operational", "Candidate", "none", "member-1", voters));
        final var bytes = new ByteArrayOutputStream();
        try (var out = new PrintStream(bytes, true, UTF_8)) {
            ClusterStatusCommand.print(out, "member-1", replicas, List.of(node), 5);
        }
        final var shown = bytes.toString(UTF_8);
        assertTrue(shown, shown.contains("Member:  member-1 (this shell)   1 SERVAL node announced, 5 clients"));
        // member, address, leads, follows, clients, CPU %, fingerprint
        assertTrue(shown, shown.matches("(?s).*member-2\\s*\\|\\s*192\\.0\\.2\\.2\\s*\\|\\s*1\\s*\\|\\s*0\\s*\\|"
            + "\\s*5\\s*\\|\\s*17\\s*\\|\\s*" + ValuesTest.FINGERPRINT + ".*"));
        assertTrue(shown, shown.matches("(?s).*member-1\\s*\\|\\s*-\\s*\\|\\s*0\\s*\\|\\s*1\\s*\\|.*no SERVAL node.*"));
        assertTrue(shown, shown.matches("(?s).*member-3\\s*\\|\\s*-\\s*\\|\\s*0\\s*\\|\\s*1\\s*\\|.*"));
        assertTrue(shown, shown.contains("Without a leader (no majority, or electing): default/operational"));
        assertTrue(shown, shown.matches("(?s).*default\\s*\\|\\s*config\\s*\\|\\s*Follower\\s*\\|\\s*member-2.*"));
    }

    @Test
    public void clusterStatusOfASingleServerIsOneRow() throws Exception {
        final var node = new NodeBuilder().setId(new NodeId("hostname")).setTlsFingerprint(ValuesTest.FINGERPRINT)
            .build();
        final var replicas = List.of(new ClusterStatusCommand.Replica("default", "config", "Leader", "member-1",
            "member-1", ClusterStatusCommand.voters("member-1", "")));
        final var bytes = new ByteArrayOutputStream();
        try (var out = new PrintStream(bytes, true, UTF_8)) {
            ClusterStatusCommand.print(out, "member-1", replicas, List.of(node), 0);
        }
        final var shown = bytes.toString(UTF_8);
        assertTrue(shown, shown.matches("(?s).*member-1 \\(node hostname\\)\\s*\\|\\s*-\\s*\\|\\s*1\\s*\\|\\s*0\\s*\\|"
            + ".*" + ValuesTest.FINGERPRINT + ".*"));
        assertFalse(shown, shown.contains("no SERVAL node"));
    }

    @Test
    public void completersOfferNamesThatExist() throws Exception {
        run(withRpcs(userCreate("alice", "pw")));
        run(withRpcs(userCreate("albert", "pw")));
        run(withRpcs(userCreate("bob", "pw")));
        group("gamers");
        final var users = new UserCompleter();
        users.broker = getDataBroker();
        assertEquals(List.of("albert", "alice"), complete(users, "al"));
        assertEquals(List.of("albert", "alice", "bob"), complete(users, ""));
        final var groups = new GroupCompleter();
        groups.broker = getDataBroker();
        assertEquals(List.of("gamers"), complete(groups, "g"));
        final var clients = new ClientCompleter();
        clients.broker = getDataBroker();
        assertEquals(List.of(), complete(clients, ""));

        final var vlans = new VlanCompleter();
        vlans.directory = directory;
        when(directory.vlans("re", Datastore.COMPLETION_LIMIT)).thenReturn(List.of(
            new VlanInfo("red", 10, "", 256, true, null, FloodPolicy.DEFAULT),
            new VlanInfo("retro", 0, "", 256, true, null, FloodPolicy.DEFAULT)));
        assertEquals(List.of("red", "retro"), complete(vlans, "re"));
    }

    private List<String> complete(final NameCompleter completer, final String word) {
        final var line = mock(CommandLine.class);
        when(line.getCursorArgument()).thenReturn(word);
        when(line.getArgumentPosition()).thenReturn(word.length());
        when(line.getCursorArgumentIndex()).thenReturn(1);
        when(line.getBuffer()).thenReturn("serval:x " + word);
        when(line.getBufferPosition()).thenReturn(("serval:x " + word).length());
        final var candidates = new ArrayList<String>();
        completer.complete(session, line, candidates);
        return candidates.stream().map(String::strip).sorted().toList();
    }
}
