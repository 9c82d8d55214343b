/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.session;

import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.serval.api.AccessPolicy;
import org.serval.api.VlanInfo;
import org.serval.api.VlanRequests;
import org.serval.dataplane.Bounds;
import org.serval.dataplane.protocol.Message;
import org.serval.dataplane.protocol.Message.Error;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a client asks about VLANs other than joining and leaving them: LIST_VLANS and LIST_MEMBERS, answered from the
 * node's view, and CREATE_VLAN and DELETE_VLAN, decided by the controller off the session's loop and answered on
 * it. A user sees the VLANs it may join or is in, through any of its clients on any node; a VLAN it may not see is
 * answered as one that does not exist, so that names do not leak. Runs on its session's executor.
 */
final class ClientVlanRequests {
    private static final Logger LOG = LoggerFactory.getLogger(ClientVlanRequests.class);

    private final ClientSession session;
    private final Dataplane dataplane;
    // CREATE_VLAN and DELETE_VLAN waiting for the controller.
    private int inFlight;

    ClientVlanRequests(final ClientSession session, final Dataplane dataplane) {
        this.session = session;
        this.dataplane = dataplane;
    }

    Message listVlans(final Message.ListVlans list) {
        final var joined = joinedByUser();
        return VlanPages.page(dataplane.directory(), list, vlan -> maySee(vlan, joined));
    }

    Message listMembers(final Message.ListMembers list) {
        final var info = dataplane.directory().vlan(list.vlan());
        if (info.isEmpty() || !maySee(info.orElseThrow(), joinedByUser())) {
            return new Error(list.request(), Error.UNKNOWN_VLAN, "VLAN " + list.vlan() + " does not exist");
        }
        return MemberPages.page(dataplane.directory(), dataplane.existingSwitch(list.vlan()), list);
    }

    /**
     * CREATE_VLAN or DELETE_VLAN on behalf of the session's user; the answer follows on the session's executor.
     */
    void change(final long request, final boolean create, final String name, final boolean open) {
        if (inFlight >= Bounds.SESSION_VLAN_REQUESTS_IN_FLIGHT) {
            session.reply(new Error(request, Error.LIMIT, "too many VLAN requests at once; wait for the answers"));
            return;
        }
        inFlight++;
        final var controller = dataplane.vlanRequests();
        final var user = session.user();
        final CompletionStage<VlanRequests.Answer> pending = create ? controller.create(user, name, open)
            : controller.delete(user, name);
        pending.whenComplete((answer, failure) -> session.executor().execute(() -> {
            inFlight--;
            if (session.isEnded()) {
                return;
            }
            if (failure != null || answer == null) {
                LOG.warn("Could not {} VLAN {} for client {}", create ? "create" : "delete", name,
                    session.clientId(), failure);
                session.reply(new Error(request, Error.INTERNAL, "the server could not "
                    + (create ? "create" : "delete") + " VLAN " + name));
                return;
            }
            session.reply(switch (answer.outcome()) {
                case DONE -> new Message.Done(request);
                case MALFORMED -> new Error(request, Error.MALFORMED, answer.message());
                case EXISTS -> new Error(request, Error.EXISTS, answer.message());
                case UNKNOWN_VLAN -> new Error(request, Error.UNKNOWN_VLAN, answer.message());
                case DENIED -> new Error(request, Error.DENIED, answer.message());
                case LIMIT -> new Error(request, Error.LIMIT, answer.message());
                case INTERNAL -> new Error(request, Error.INTERNAL, answer.message());
            });
        }));
    }

    /**
     * The VLANs the session's user is in through any of its clients, on any node: those it may list and ask the
     * members of even when access control would no longer let it join.
     */
    private Set<String> joinedByUser() {
        final var directory = dataplane.directory();
        final var joined = session.vlansHere();
        for (var client : directory.clientsOf(session.user())) {
            joined.addAll(directory.vlansOf(client));
        }
        return joined;
    }

    /**
     * Whether the user may see a VLAN: it may join it or is in it. Not audited: a listing asks this of every VLAN.
     */
    private boolean maySee(final VlanInfo vlan, final Set<String> joined) {
        return joined.contains(vlan.name()) || dataplane.gatekeeper().security().decide(session.user(),
            AccessPolicy.Operation.JOIN, vlan.name(), vlan.open(), vlan.owner()).permitted();
    }
}
