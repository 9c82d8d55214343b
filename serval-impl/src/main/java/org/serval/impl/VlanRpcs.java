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
import static org.opendaylight.mdsal.common.api.LogicalDatastoreType.OPERATIONAL;

import com.google.common.util.concurrent.FluentFuture;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.common.util.concurrent.SettableFuture;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import org.opendaylight.mdsal.binding.api.DataBroker;
import org.opendaylight.mdsal.binding.api.NotificationPublishService;
import org.opendaylight.mdsal.binding.api.ReadWriteTransaction;
import org.opendaylight.mdsal.binding.api.RpcProviderService;
import org.opendaylight.mdsal.common.api.LogicalDatastoreType;
import org.opendaylight.mdsal.common.api.OptimisticLockFailedException;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.yang.types.rev130715.DateAndTime;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.ClientDisconnected;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.ClientDisconnectedBuilder;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.ClientId;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.CreateVlan;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.CreateVlanInput;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.CreateVlanOutput;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.CreateVlanOutputBuilder;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.DeleteVlan;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.DeleteVlanInput;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.DeleteVlanOutput;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.DeleteVlanOutputBuilder;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.DisconnectClient;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.DisconnectClientInput;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.DisconnectClientOutput;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.DisconnectClientOutputBuilder;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.GetVlans;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.GetVlansInput;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.GetVlansOutput;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.GetVlansOutputBuilder;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.JoinVlan;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.JoinVlanInput;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.JoinVlanOutput;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.JoinVlanOutputBuilder;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.LeaveVlan;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.LeaveVlanInput;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.LeaveVlanOutput;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.LeaveVlanOutputBuilder;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.NodeId;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.UserName;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.VlanId;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.VlanName;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.get.vlans.output.VlanBuilder;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.vlans.vlan.MembershipDecisionBuilder;
import org.opendaylight.yangtools.binding.DataObjectIdentifier;
import org.opendaylight.yangtools.binding.util.BindingMap;
import org.opendaylight.yangtools.concepts.Registration;
import org.opendaylight.yangtools.yang.common.ErrorTag;
import org.opendaylight.yangtools.yang.common.ErrorType;
import org.opendaylight.yangtools.yang.common.RpcResult;
import org.opendaylight.yangtools.yang.common.RpcResultBuilder;
import org.opendaylight.yangtools.yang.common.Uint16;
import org.opendaylight.yangtools.yang.common.Uint32;
import org.serval.api.AccessPolicy;
import org.serval.api.Audit;
import org.serval.api.Checks;
import org.serval.api.LocalVlanView;
import org.serval.api.SecurityDirectory;
import org.serval.api.VlanDirectory;
import org.serval.dataplane.Bounds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The serval RPCs. Every check that can be answered from the local view is; what must be authoritative (does the
 * name exist, is the client connected) is read in the same transaction that writes, and a concurrent conflicting
 * write surfaces as an optimistic lock failure at commit, which is reported like the conflict it is.
 *
 * <p>Nothing here blocks: datastore futures are chained, never waited for.
 */
public final class VlanRpcs implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(VlanRpcs.class);
    private static final DateTimeFormatter YANG_DATE_TIME = DateTimeFormatter.ISO_OFFSET_DATE_TIME;

    private final DataBroker broker;
    private final LocalVlanView view;
    private final SecurityDirectory security;
    private final NotificationPublishService notifications;
    private final String nodeId;
    private final int getVlansLimit;
    private final Registration registration;

    public VlanRpcs(final DataBroker broker, final RpcProviderService rpcProvider,
            final NotificationPublishService notifications, final LocalVlanView view,
            final SecurityDirectory security, final String nodeId, final int getVlansLimit) {
        this.broker = requireNonNull(broker);
        this.view = requireNonNull(view);
        this.security = requireNonNull(security);
        this.notifications = requireNonNull(notifications);
        this.nodeId = requireNonNull(nodeId);
        this.getVlansLimit = getVlansLimit;
        registration = rpcProvider.registerRpcImplementations(
            (CreateVlan) this::createVlan,
            (DeleteVlan) this::deleteVlan,
            (JoinVlan) this::joinVlan,
            (LeaveVlan) this::leaveVlan,
            (GetVlans) this::getVlans,
            (DisconnectClient) this::disconnectClient);
    }

    static <T> ListenableFuture<RpcResult<T>> fail(final ErrorTag tag, final String message) {
        return RpcResultBuilder.<T>failed().withError(ErrorType.APPLICATION, tag, message).buildFuture();
    }

    static DateAndTime now() {
        return new DateAndTime(
            YANG_DATE_TIME.format(OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MILLIS)));
    }

    /**
     * Runs an RPC whose input checks ({@link Checks}) throw, answering a failed check with invalid-value. The RPCs
     * are typed loosely in the model (see the YANG), so this is where their inputs are really checked.
     */
    private static <I, O> ListenableFuture<RpcResult<O>> checked(
            final Function<I, ListenableFuture<RpcResult<O>>> rpc, final I input) {
        try {
            return rpc.apply(input);
        } catch (IllegalArgumentException e) {
            return fail(ErrorTag.INVALID_VALUE, e.getMessage());
        }
    }

    ListenableFuture<RpcResult<CreateVlanOutput>> createVlan(final CreateVlanInput input) {
        return checked(this::createCheckedVlan, input);
    }

    private ListenableFuture<RpcResult<CreateVlanOutput>> createCheckedVlan(final CreateVlanInput input) {
        final String name = Checks.vlanName(input.getName());
        final VlanId vid = input.getVid() == null ? null
            : new VlanId(Uint16.valueOf(Checks.vid(input.getVid())));
        final Uint32 maxMembers = input.getMaxMembers() == null ? null
            : Uint32.valueOf(Checks.maxMembers(input.getMaxMembers()));
        Checks.description(input.getDescription());
        final String owner = input.getOwner() == null ? null : Checks.userName(input.getOwner());
        if (owner != null) {
            final var refusal = refusal(owner, AccessPolicy.Operation.CREATE, name, false, null);
            if (refusal != null) {
                return fail(ErrorTag.ACCESS_DENIED, refusal);
            }
            final int max = security.user(owner).orElseThrow().maxVlans();
            if (view.vlansOwnedBy(owner) >= max) {
                Audit.denied(owner, "create", name, "owns " + max + " VLANs, its max-vlans");
                return fail(ErrorTag.RESOURCE_DENIED, "user " + owner + " owns " + max + " VLANs, the most it may");
            }
        }
        if (vid != null) {
            final var holder = view.vlanByVid(vid.getValue().intValue());
            if (holder.isPresent()) {
                return fail(ErrorTag.DATA_EXISTS,
                    "vid " + vid.getValue() + " is already used by VLAN " + holder.orElseThrow().name());
            }
        }

        final var vlan = new org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.vlans.VlanBuilder()
            .setName(new VlanName(name))
            .setDescription(input.getDescription())
            .setVid(vid)
            .setMaxMembers(maxMembers)
            .setOpen(input.getOpen())
            .setOwner(owner == null ? null : new UserName(owner))
            .build();
        final var path = ServalPaths.vlan(name);
        return writeIf(CONFIGURATION, path, false, ErrorTag.DATA_EXISTS, "VLAN " + name + " already exists", tx -> {
            tx.put(CONFIGURATION, path, vlan);
            LOG.info("Creating VLAN {}{}", name, vid == null ? "" : " vid " + vid.getValue());
            Audit.vlan("created", name, owner == null ? "administrator" : owner);
        }, new CreateVlanOutputBuilder().build(), "VLAN " + name + " was created concurrently",
            () -> view.vlan(name).isPresent());
    }

    ListenableFuture<RpcResult<DeleteVlanOutput>> deleteVlan(final DeleteVlanInput input) {
        return checked(this::deleteCheckedVlan, input);
    }

    private ListenableFuture<RpcResult<DeleteVlanOutput>> deleteCheckedVlan(final DeleteVlanInput input) {
        final String name = Checks.vlanName(input.getName());
        final String user = input.getUser() == null ? null : Checks.userName(input.getUser());
        if (user != null) {
            final var info = view.vlan(name);
            if (info.isEmpty()) {
                return fail(ErrorTag.DATA_MISSING, "VLAN " + name + " does not exist");
            }
            final var refusal = refusal(user, AccessPolicy.Operation.DELETE, name, info.orElseThrow().open(),
                info.orElseThrow().owner());
            if (refusal != null) {
                return fail(ErrorTag.ACCESS_DENIED, refusal);
            }
        }
        final var path = ServalPaths.vlan(name);
        return writeIf(CONFIGURATION, path, true, ErrorTag.DATA_MISSING, "VLAN " + name + " does not exist", tx -> {
            tx.delete(CONFIGURATION, path);
            LOG.info("Deleting VLAN {}", name);
            Audit.vlan("deleted", name, user == null ? "administrator" : user);
        }, new DeleteVlanOutputBuilder().build(), "VLAN " + name + " changed concurrently",
            () -> view.vlan(name).isEmpty());
    }

    ListenableFuture<RpcResult<JoinVlanOutput>> joinVlan(final JoinVlanInput input) {
        return checked(this::joinCheckedVlan, input);
    }

    private ListenableFuture<RpcResult<JoinVlanOutput>> joinCheckedVlan(final JoinVlanInput input) {
        final String client = Checks.clientId(input.getClientId());
        final String name = Checks.vlanName(input.getVlan());
        final var info = view.vlan(name);
        if (info.isEmpty()) {
            return fail(ErrorTag.DATA_MISSING, "VLAN " + name + " does not exist");
        }
        final boolean connected = view.isKnownClient(client);
        final var user = view.userOf(client);
        if (user.isPresent()) {
            final var refusal = refusal(user.orElseThrow(), AccessPolicy.Operation.JOIN, name,
                info.orElseThrow().open(), info.orElseThrow().owner());
            if (refusal != null) {
                return fail(ErrorTag.ACCESS_DENIED, refusal);
            }
        }
        final int max = info.orElseThrow().maxMembers();
        if (!view.isMember(client, name) && view.memberCount(name) >= max) {
            return fail(ErrorTag.RESOURCE_DENIED, "VLAN " + name + " is full (" + max + " members)");
        }
        if (connected && !view.isManaged(client)) {
            return fail(ErrorTag.OPERATION_NOT_SUPPORTED, "client " + client + " is connected with a version that "
                + "cannot follow join-vlan (its HELLO lacks the managed flag): upgrade that client, or have it join "
                + "VLAN " + name + " itself");
        }
        final var bound = decisionBound(client, name);
        if (bound != null) {
            return fail(ErrorTag.RESOURCE_DENIED, bound);
        }
        // Recorded whether or not the client is connected now: its node, or the one it logs in to next, assigns it.
        return decide(client, name, org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130
            .MembershipDecision.Member, new JoinVlanOutputBuilder().build(), connected ? "" : " at its next login",
            () -> view.decision(client, name) == VlanDirectory.Decision.MEMBER);
    }

    ListenableFuture<RpcResult<LeaveVlanOutput>> leaveVlan(final LeaveVlanInput input) {
        return checked(this::leaveCheckedVlan, input);
    }

    private ListenableFuture<RpcResult<LeaveVlanOutput>> leaveCheckedVlan(final LeaveVlanInput input) {
        final String client = Checks.clientId(input.getClientId());
        final String name = Checks.vlanName(input.getVlan());
        if (view.vlan(name).isEmpty()) {
            return fail(ErrorTag.DATA_MISSING, "VLAN " + name + " does not exist");
        }
        final var bound = decisionBound(client, name);
        if (bound != null) {
            return fail(ErrorTag.RESOURCE_DENIED, bound);
        }
        return decide(client, name, org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130
            .MembershipDecision.Removed, new LeaveVlanOutputBuilder().build(), "",
            () -> view.decision(client, name) == VlanDirectory.Decision.REMOVED);
    }

    /**
     * Why a client may not have one more decision, or null when it may (it has one in this VLAN, or fewer than
     * {@link Bounds#DECISIONS_PER_CLIENT}).
     */
    private String decisionBound(final String client, final String vlan) {
        if (view.decision(client, vlan) != null || view.decisionCount(client) < Bounds.DECISIONS_PER_CLIENT) {
            return null;
        }
        return "client " + client + " has " + Bounds.DECISIONS_PER_CLIENT + " membership decisions, the most it may "
            + "have: leave-vlan or join-vlan one it has, or delete a VLAN";
    }

    /**
     * Records an administrator's decision in the VLAN, which must still exist when it commits; the nodes' listeners
     * take it to the client's session (VlanViewUpdater).
     */
    private <T> ListenableFuture<RpcResult<T>> decide(final String client, final String vlan,
            final org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.MembershipDecision decision,
            final T output, final String when, final BooleanSupplier visible) {
        final var entry = new MembershipDecisionBuilder()
            .setClientId(new ClientId(client))
            .setDecision(decision)
            .setDecidedAt(now())
            .build();
        return writeIf(CONFIGURATION, ServalPaths.vlan(vlan), true, ErrorTag.DATA_MISSING,
            "VLAN " + vlan + " does not exist", tx -> {
                tx.put(CONFIGURATION, ServalPaths.decision(vlan, client), entry);
                LOG.info("Client {} is made {} VLAN {}{}", client,
                    decision == org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.MembershipDecision
                        .Member ? "a member of" : "to leave", vlan, when);
                Audit.vlan((decision == org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130
                    .MembershipDecision.Member ? "assigned to client " : "removed from client ") + client, vlan,
                    "administrator");
            }, output, "VLAN " + vlan + " changed concurrently", visible);
    }

    /**
     * Asks access control whether a user may do something, auditing a refusal.
     *
     * @return null when permitted, else the refusal's message
     */
    private String refusal(final String user, final AccessPolicy.Operation operation, final String vlan,
            final boolean open, final String owner) {
        final var decision = security.decide(user, operation, vlan, open, owner);
        if (decision.permitted()) {
            return null;
        }
        Audit.denied(user, operation.yangName(), vlan, decision.reason());
        return "user " + user + " may not " + operation.yangName() + " VLAN " + vlan + " (" + decision.reason() + ")";
    }

    ListenableFuture<RpcResult<GetVlansOutput>> getVlans(final GetVlansInput input) {
        final var prefix = input.getNamePrefix() == null ? "" : input.getNamePrefix();
        final var infos = view.vlans(prefix, getVlansLimit);
        final var out = new ArrayList<org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.get.vlans.output
            .Vlan>(infos.size());
        for (var info : infos) {
            out.add(new VlanBuilder()
                .setName(new VlanName(info.name()))
                .setDescription(info.description().isEmpty() ? null : info.description())
                .setVid(info.hasVid() ? new VlanId(Uint16.valueOf(info.vid())) : null)
                .setMaxMembers(Uint32.valueOf(info.maxMembers()))
                .setOpen(info.open())
                .setOwner(info.owner() == null ? null : new UserName(info.owner()))
                .setMemberCount(Uint32.valueOf(view.memberCount(info.name())))
                .build());
        }
        return RpcResultBuilder.success(new GetVlansOutputBuilder().setVlan(BindingMap.ordered(out)).build())
            .buildFuture();
    }

    ListenableFuture<RpcResult<DisconnectClientOutput>> disconnectClient(final DisconnectClientInput input) {
        return checked(this::disconnectCheckedClient, input);
    }

    private ListenableFuture<RpcResult<DisconnectClientOutput>> disconnectCheckedClient(
            final DisconnectClientInput input) {
        final String client = Checks.clientId(input.getClientId());
        final var path = ServalPaths.client(client);
        final var tx = broker.newReadWriteTransaction();
        return Futures.transformAsync(tx.read(OPERATIONAL, path), existing -> {
            if (existing.isEmpty()) {
                tx.cancel();
                return fail(ErrorTag.DATA_MISSING, "client " + client + " is not connected");
            }
            tx.delete(OPERATIONAL, path);
            LOG.info("Disconnecting client {}", client);
            final var node = existing.orElseThrow().getNode();
            return Futures.transform(commit(tx, new DisconnectClientOutputBuilder().build(),
                "client " + client + " changed concurrently", () -> !view.isKnownClient(client)), result -> {
                    if (result.isSuccessful()) {
                        publishDisconnected(new ClientId(client), node);
                    }
                    return result;
                }, MoreExecutors.directExecutor());
        }, MoreExecutors.directExecutor());
    }

    private void publishDisconnected(final ClientId clientId, final NodeId node) {
        final ClientDisconnected notification = new ClientDisconnectedBuilder()
            .setClientId(clientId)
            .setNode(node == null ? new NodeId(nodeId) : node)
            .setReason(ClientDisconnected.Reason.Administrative)
            .build();
        // offer, not put: a slow notification consumer must not hold up the RPC
        notifications.offerNotification(notification);
    }

    /**
     * Checks in a new transaction that a path exists (or not), refuses with an error-tag when it is otherwise,
     * and else writes and commits. The check and the write share the transaction, so a concurrent change to the
     * path makes the commit fail instead of passing unnoticed.
     */
    private <T> ListenableFuture<RpcResult<T>> writeIf(final LogicalDatastoreType store,
            final DataObjectIdentifier<?> path, final boolean mustExist, final ErrorTag refusalTag,
            final String refusal, final Consumer<ReadWriteTransaction> write, final T output,
            final String conflictMessage, final BooleanSupplier visible) {
        final var tx = broker.newReadWriteTransaction();
        return Futures.transformAsync(tx.exists(store, path), exists -> {
            if (exists != mustExist) {
                tx.cancel();
                return fail(refusalTag, refusal);
            }
            write.accept(tx);
            return commit(tx, output, conflictMessage, visible);
        }, MoreExecutors.directExecutor());
    }

    /**
     * Commits and, once committed, waits (bounded) until the local view shows the change, so that this node's
     * get-vlans and shell agree with what the caller just did.
     */
    private <T> ListenableFuture<RpcResult<T>> commit(final ReadWriteTransaction tx, final T output,
            final String conflictMessage, final BooleanSupplier visible) {
        final FluentFuture<RpcResult<T>> committed = tx.commit()
            .transform(info -> RpcResultBuilder.success(output).build(), MoreExecutors.directExecutor());
        return committed.catching(Exception.class, cause -> {
            if (hasCause(cause, OptimisticLockFailedException.class)) {
                return RpcResultBuilder.<T>failed()
                    .withError(ErrorType.APPLICATION, ErrorTag.DATA_EXISTS, conflictMessage).build();
            }
            LOG.warn("Commit failed", cause);
            return RpcResultBuilder.<T>failed()
                .withError(ErrorType.APPLICATION, ErrorTag.OPERATION_FAILED, "commit failed: " + cause.getMessage(),
                    null, null, cause)
                .build();
        }, MoreExecutors.directExecutor()).transformAsync(result -> {
            if (!result.isSuccessful()) {
                return Futures.immediateFuture(result);
            }
            final var shown = SettableFuture.<RpcResult<T>>create();
            Commits.shownLocally(view, visible, "an RPC's commit").thenRun(() -> shown.set(result));
            return shown;
        }, MoreExecutors.directExecutor());
    }

    static boolean hasCause(final Throwable failure, final Class<? extends Throwable> type) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (type.isInstance(cause)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        registration.close();
    }
}
