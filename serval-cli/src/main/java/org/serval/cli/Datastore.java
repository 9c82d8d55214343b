/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.cli;

import static org.opendaylight.mdsal.common.api.LogicalDatastoreType.CONFIGURATION;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.karaf.shell.support.CommandException;
import org.opendaylight.mdsal.binding.api.DataBroker;
import org.opendaylight.mdsal.binding.api.WriteTransaction;
import org.opendaylight.mdsal.common.api.LogicalDatastoreType;
import org.opendaylight.mdsal.common.api.TransactionCommitFailedException;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.AccessControl;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.Clients;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.GroupName;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.Groups;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.Nodes;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.UserName;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.Users;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.VlanName;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.Vlans;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.access.control.RuleList;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.access.control.RuleListKey;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.groups.Group;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.groups.GroupKey;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.users.User;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.users.UserKey;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.vlans.Vlan;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.vlans.VlanKey;
import org.opendaylight.yangtools.binding.DataObject;
import org.opendaylight.yangtools.binding.DataObjectIdentifier;

/**
 * Where the shell reads and writes SERVAL's data, and how a datastore failure reads to a person. The shell writes
 * configuration through the same datastore RESTCONF writes to, so the datastore's checks (the model's types, and
 * SERVAL's commit checks such as unique vids) refuse the same writes; the commands check values with
 * {@link org.serval.api.Checks} first, for a message that says what to type instead.
 */
final class Datastore {
    static final DataObjectIdentifier<Users> USERS = DataObjectIdentifier.builder(Users.class).build();
    static final DataObjectIdentifier<Groups> GROUPS = DataObjectIdentifier.builder(Groups.class).build();
    static final DataObjectIdentifier<AccessControl> ACCESS_CONTROL =
        DataObjectIdentifier.builder(AccessControl.class).build();
    static final DataObjectIdentifier<Vlans> VLANS = DataObjectIdentifier.builder(Vlans.class).build();
    static final DataObjectIdentifier<Clients> CLIENTS = DataObjectIdentifier.builder(Clients.class).build();
    static final DataObjectIdentifier<Nodes> NODES = DataObjectIdentifier.builder(Nodes.class).build();

    /**
     * The most names a completion offers, and how long it waits for the datastore: a TAB must answer at once even
     * in an installation with many users, and never hang the console on a datastore without a leader.
     */
    static final int COMPLETION_LIMIT = 500;
    static final long COMPLETION_TIMEOUT_MILLIS = 2_000;

    private Datastore() {
        // static helpers
    }

    static DataObjectIdentifier<User> user(final String name) {
        return DataObjectIdentifier.builder(Users.class).child(User.class, new UserKey(new UserName(name))).build();
    }

    static DataObjectIdentifier<Group> group(final String name) {
        return DataObjectIdentifier.builder(Groups.class).child(Group.class, new GroupKey(new GroupName(name)))
            .build();
    }

    static DataObjectIdentifier<RuleList> ruleList(final String name) {
        return DataObjectIdentifier.builder(AccessControl.class).child(RuleList.class, new RuleListKey(name))
            .build();
    }

    static DataObjectIdentifier<Vlan> vlan(final String name) {
        return DataObjectIdentifier.builder(Vlans.class).child(Vlan.class, new VlanKey(new VlanName(name))).build();
    }

    /**
     * Reads one node, waiting at most {@link ServalAction#TIMEOUT_SECONDS}.
     */
    static <T extends DataObject> Optional<T> read(final DataBroker broker, final LogicalDatastoreType type,
            final DataObjectIdentifier<T> path) throws CommandException, InterruptedException {
        try (var tx = broker.newReadOnlyTransaction()) {
            return tx.read(type, path).get(ServalAction.TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw ServalAction.failure("cannot read the datastore: " + describe(e), e);
        } catch (TimeoutException e) {
            throw ServalAction.failure("no answer within " + ServalAction.TIMEOUT_SECONDS
                + " s; is the datastore up?", e);
        }
    }

    /**
     * Commits a write and waits for the outcome.
     */
    static void commit(final WriteTransaction tx) throws CommandException, InterruptedException {
        try {
            tx.commit().get(ServalAction.TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw ServalAction.failure(describe(e), e);
        } catch (TimeoutException e) {
            throw ServalAction.failure("the datastore did not confirm the change within "
                + ServalAction.TIMEOUT_SECONDS + " s; check with a list command whether it happened", e);
        }
    }

    /**
     * Names for a completion, from the configuration datastore: at most {@link #COMPLETION_LIMIT}, and none when
     * the datastore does not answer within {@link #COMPLETION_TIMEOUT_MILLIS}. Runs on the console's thread, never
     * on an event loop.
     */
    static <T extends DataObject> List<String> names(final DataBroker broker, final DataObjectIdentifier<T> path,
            final Function<T, List<String>> names) {
        return names(broker, CONFIGURATION, path, names);
    }

    static <T extends DataObject> List<String> names(final DataBroker broker, final LogicalDatastoreType type,
            final DataObjectIdentifier<T> path, final Function<T, List<String>> names) {
        try (var tx = broker.newReadOnlyTransaction()) {
            return tx.read(type, path).get(COMPLETION_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS).map(names)
                .orElse(List.of()).stream().sorted().limit(COMPLETION_LIMIT).toList();
        } catch (ExecutionException | TimeoutException e) {
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }

    /**
     * What went wrong, for a person: the datastore's errors with their RFC 8040 error-tags, or the cause's message.
     */
    static String describe(final ExecutionException failure) {
        final var cause = failure.getCause() == null ? failure : failure.getCause();
        if (cause instanceof TransactionCommitFailedException commit && !commit.getErrorList().isEmpty()) {
            final var sb = new StringBuilder();
            for (var err : commit.getErrorList()) {
                if (!sb.isEmpty()) {
                    sb.append("; ");
                }
                sb.append(err.getMessage()).append(" (").append(err.getTag().elementBody()).append(')');
            }
            return sb.toString();
        }
        return String.valueOf(cause.getMessage());
    }
}
