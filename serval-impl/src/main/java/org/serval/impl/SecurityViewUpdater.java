/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.impl;

import static java.util.Objects.requireNonNull;
import static org.opendaylight.mdsal.common.api.LogicalDatastoreType.CONFIGURATION;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.opendaylight.mdsal.binding.api.DataBroker;
import org.opendaylight.mdsal.binding.api.DataObjectDeleted;
import org.opendaylight.mdsal.binding.api.DataObjectModification.WithDataAfter;
import org.opendaylight.mdsal.binding.api.DataTreeChangeListener;
import org.opendaylight.mdsal.binding.api.DataTreeModification;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.AccessControl;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.AclAction;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.GroupName;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.UserName;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.VlanOperation;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.access.control.RuleList;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.access.control.rule.list.Rule;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.users.User;
import org.opendaylight.yangtools.concepts.Registration;
import org.serval.api.AccessPolicy;
import org.serval.api.Audit;
import org.serval.api.LocalSecurityView;
import org.serval.api.UserInfo;

/**
 * Keeps a {@link LocalSecurityView} current from the users and access-control configuration, so that logins and
 * joins are decided without reading the datastore, and tells the dataplane of every change, once the view has it,
 * so that it re-checks its live sessions at once: a user deleted or disabled, a password changed, a certificate
 * removed, a group or an access rule changed (docs/security.md, "Revocation"). Every node does this for its own
 * sessions from its own listener.
 */
public final class SecurityViewUpdater implements AutoCloseable {
    private final LocalSecurityView view;
    private final Consumer<String> userChanged;
    private final Runnable accessChanged;
    private final Registration userReg;
    private final Registration aclReg;

    /**
     * Starts listening.
     *
     * @param userChanged told the name of every user that is created, changed, disabled or deleted, after the view
     *     shows it
     * @param accessChanged told that the access-control configuration changed, after the view shows it
     */
    public SecurityViewUpdater(final DataBroker broker, final LocalSecurityView view,
            final Consumer<String> userChanged, final Runnable accessChanged) {
        this.view = requireNonNull(view);
        this.userChanged = requireNonNull(userChanged);
        this.accessChanged = requireNonNull(accessChanged);
        userReg = broker.registerTreeChangeListener(CONFIGURATION, ServalPaths.ALL_USERS,
            (DataTreeChangeListener<User>) this::onUsersChanged);
        aclReg = broker.registerTreeChangeListener(CONFIGURATION, ServalPaths.ACCESS_CONTROL,
            (DataTreeChangeListener<AccessControl>) this::onAccessControlChanged);
    }

    static UserInfo toInfo(final User user) {
        final var maxClients = user.getMaxClients();
        final var maxVlans = user.getMaxVlans();
        return new UserInfo(user.getName().getValue(), user.getPasswordHash(),
            !Boolean.FALSE.equals(user.getEnabled()),
            user.getGroup() == null ? Set.of()
                : user.getGroup().stream().map(GroupName::getValue).collect(Collectors.toSet()),
            maxClients == null ? UserInfo.DEFAULT_MAX_CLIENTS : maxClients.intValue(),
            maxVlans == null ? UserInfo.DEFAULT_MAX_VLANS : maxVlans.intValue(),
            user.getCertificate() == null ? Set.of() : user.getCertificate());
    }

    private void onUsersChanged(final List<DataTreeModification<User>> changes) {
        for (var change : changes) {
            switch (change.getRootNode()) {
                case DataObjectDeleted<User> deleted -> {
                    final var name = deleted.dataBefore().getName().getValue();
                    view.removeUser(name);
                    Audit.user("deleted", name);
                    userChanged.accept(name);
                }
                case WithDataAfter<User> present -> {
                    final var info = toInfo(present.dataAfter());
                    final var before = view.user(info.name());
                    view.putUser(info);
                    Audit.user(before.isEmpty() ? "created" : info.enabled() ? "changed" : "disabled", info.name());
                    if (!before.map(info::equals).orElse(false)) {
                        userChanged.accept(info.name());
                    }
                }
            }
        }
    }

    private void onAccessControlChanged(final List<DataTreeModification<AccessControl>> changes) {
        for (var change : changes) {
            final var policy = switch (change.getRootNode()) {
                case DataObjectDeleted<AccessControl> deleted -> AccessPolicy.DEFAULT;
                case WithDataAfter<AccessControl> present -> toPolicy(present.dataAfter());
            };
            view.setPolicy(policy);
            Audit.acl("now " + (policy.enabled() ? "enabled" : "DISABLED") + " with " + policy.ruleLists().size()
                + " rule lists (create " + action(policy.createDefault()) + ", delete "
                + action(policy.deleteDefault()) + ", join " + action(policy.joinDefault()) + " by default)");
        }
        accessChanged.run();
    }

    private static String action(final boolean permit) {
        return permit ? "permit" : "deny";
    }

    static AccessPolicy toPolicy(final AccessControl acl) {
        final var lists = new ArrayList<AccessPolicy.RuleList>();
        final var ruleLists = acl.getRuleList();
        if (ruleLists != null) {
            for (var list : ruleLists) {
                lists.add(toRuleList(list));
            }
        }
        return new AccessPolicy(!Boolean.FALSE.equals(acl.getEnabled()),
            permits(acl.getCreateDefault(), true), permits(acl.getDeleteDefault(), false),
            permits(acl.getJoinDefault(), false), lists);
    }

    private static boolean permits(final AclAction action, final boolean byDefault) {
        return action == null ? byDefault : action == AclAction.Permit;
    }

    private static AccessPolicy.RuleList toRuleList(final RuleList list) {
        final var groups = list.getGroup() == null ? Set.<String>of() : list.getGroup().stream()
            .map(group -> group.getGroupName() != null ? group.getGroupName().getValue() : group.getString())
            .collect(Collectors.toSet());
        final var users = list.getUser() == null ? Set.<String>of()
            : list.getUser().stream().map(UserName::getValue).collect(Collectors.toSet());
        final var rules = new ArrayList<AccessPolicy.Rule>();
        for (var rule : list.nonnullRule()) {
            rules.add(toRule(rule));
        }
        return new AccessPolicy.RuleList(list.getName(), groups, users, rules);
    }

    private static AccessPolicy.Rule toRule(final Rule rule) {
        final var operations = EnumSet.noneOf(AccessPolicy.Operation.class);
        final VlanOperation bits = rule.getOperations();
        if (bits != null) {
            if (bits.getCreate()) {
                operations.add(AccessPolicy.Operation.CREATE);
            }
            if (bits.getDelete()) {
                operations.add(AccessPolicy.Operation.DELETE);
            }
            if (bits.getJoin()) {
                operations.add(AccessPolicy.Operation.JOIN);
            }
        }
        return new AccessPolicy.Rule(rule.getName(), rule.getVlan() == null ? "*" : rule.getVlan(), operations,
            rule.getAction() == AclAction.Permit);
    }

    @Override
    public void close() {
        userReg.close();
        aclReg.close();
    }
}
