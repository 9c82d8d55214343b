/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.impl;

import static java.util.Objects.requireNonNull;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.CreateVlanInputBuilder;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.DeleteVlanInputBuilder;
import org.opendaylight.yangtools.yang.common.ErrorTag;
import org.opendaylight.yangtools.yang.common.RpcResult;
import org.serval.api.VlanRequests;

/**
 * A client's CREATE_VLAN and DELETE_VLAN, decided exactly as the create-vlan RPC with {@code owner} and the
 * delete-vlan RPC with {@code user} decide them (access control, max-vlans, the name taken), with the RPC's
 * error-tag turned into the protocol's error. Completes on whatever thread the datastore completes on; the session
 * answers on its own loop.
 */
final class ClientVlanRequests implements VlanRequests {
    private final VlanRpcs rpcs;

    ClientVlanRequests(final VlanRpcs rpcs) {
        this.rpcs = requireNonNull(rpcs);
    }

    @Override
    public CompletionStage<Answer> create(final String user, final String name, final boolean open) {
        return answer(rpcs.createVlan(new CreateVlanInputBuilder().setName(name).setOpen(open).setOwner(user)
            .build()));
    }

    @Override
    public CompletionStage<Answer> delete(final String user, final String name) {
        return answer(rpcs.deleteVlan(new DeleteVlanInputBuilder().setName(name).setUser(user).build()));
    }

    private static CompletionStage<Answer> answer(final ListenableFuture<? extends RpcResult<?>> result) {
        final var answer = new CompletableFuture<Answer>();
        Futures.addCallback(result, new FutureCallback<RpcResult<?>>() {
            @Override
            public void onSuccess(final RpcResult<?> outcome) {
                answer.complete(toAnswer(outcome));
            }

            @Override
            public void onFailure(final Throwable cause) {
                answer.completeExceptionally(cause);
            }
        }, MoreExecutors.directExecutor());
        return answer;
    }

    static Answer toAnswer(final RpcResult<?> outcome) {
        if (outcome.isSuccessful()) {
            return Answer.DONE;
        }
        final var errors = outcome.getErrors();
        if (errors.isEmpty()) {
            return new Answer(Outcome.INTERNAL, "the server failed");
        }
        final var error = errors.iterator().next();
        final var tag = error.getTag();
        final Outcome code;
        if (ErrorTag.INVALID_VALUE.equals(tag)) {
            code = Outcome.MALFORMED;
        } else if (ErrorTag.DATA_EXISTS.equals(tag)) {
            code = Outcome.EXISTS;
        } else if (ErrorTag.DATA_MISSING.equals(tag)) {
            code = Outcome.UNKNOWN_VLAN;
        } else if (ErrorTag.ACCESS_DENIED.equals(tag)) {
            code = Outcome.DENIED;
        } else if (ErrorTag.RESOURCE_DENIED.equals(tag)) {
            code = Outcome.LIMIT;
        } else {
            code = Outcome.INTERNAL;
        }
        return new Answer(code, error.getMessage() == null ? "" : error.getMessage());
    }
}
