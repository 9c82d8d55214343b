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

import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.ListeningExecutorService;
import com.google.common.util.concurrent.MoreExecutors;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.opendaylight.mdsal.binding.api.DataBroker;
import org.opendaylight.mdsal.binding.api.RpcProviderService;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.SetPassword;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.SetPasswordInput;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.SetPasswordOutput;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.SetPasswordOutputBuilder;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.UserName;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.users.UserBuilder;
import org.opendaylight.yangtools.concepts.Registration;
import org.opendaylight.yangtools.yang.common.ErrorTag;
import org.opendaylight.yangtools.yang.common.RpcResult;
import org.opendaylight.yangtools.yang.common.RpcResultBuilder;
import org.serval.api.Audit;
import org.serval.api.Checks;
import org.serval.api.PasswordHash;

/**
 * The user RPCs. A password is hashed (slowly, on purpose) on a small pool of its own, so that RESTCONF's threads
 * do not wait for it, and only the hash is written: the password is in no datastore, log or answer.
 */
public final class UserRpcs implements AutoCloseable {
    private final DataBroker broker;
    private final ListeningExecutorService hashing;
    private final Registration registration;
    private final int iterations;

    /**
     * Registers the RPCs.
     *
     * @param iterations the PBKDF2 cost of new hashes ({@link PasswordHash#DEFAULT_ITERATIONS})
     */
    public UserRpcs(final DataBroker broker, final RpcProviderService rpcProvider, final int iterations) {
        this.broker = requireNonNull(broker);
        this.iterations = iterations;
        final var pool = new ThreadPoolExecutor(1, 2, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(16),
            runnable -> {
                final var thread = new Thread(runnable, "serval-set-password");
                thread.setDaemon(true);
                return thread;
            });
        hashing = MoreExecutors.listeningDecorator(pool);
        registration = rpcProvider.registerRpcImplementations((SetPassword) this::setPassword);
    }

    ListenableFuture<RpcResult<SetPasswordOutput>> setPassword(final SetPasswordInput input) {
        final String user;
        final String password;
        try {
            user = Checks.userName(input.getUser());
            password = Checks.password(input.getPassword());
        } catch (IllegalArgumentException e) {
            return VlanRpcs.fail(ErrorTag.INVALID_VALUE, e.getMessage());
        }
        final ListenableFuture<String> hash;
        try {
            hash = hashing.submit(() -> PasswordHash.hash(password.toCharArray(), iterations));
        } catch (RejectedExecutionException e) {
            return VlanRpcs.fail(ErrorTag.RESOURCE_DENIED, "too many passwords are being set at once; try again");
        }
        return Futures.transformAsync(hash, hashed -> {
            final var tx = broker.newWriteOnlyTransaction();
            // merge: a new user is created enabled with the model's defaults, an existing one keeps its settings
            tx.merge(CONFIGURATION, ServalPaths.user(user),
                new UserBuilder().setName(new UserName(user)).setPasswordHash(hashed).build());
            return tx.commit().transform(info -> {
                Audit.user("password set for", user);
                return RpcResultBuilder.success(new SetPasswordOutputBuilder().build()).build();
            }, MoreExecutors.directExecutor());
        }, MoreExecutors.directExecutor());
    }

    @Override
    public void close() {
        registration.close();
        hashing.shutdownNow();
    }
}
