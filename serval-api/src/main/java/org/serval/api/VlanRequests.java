/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.api;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * VLANs a client asks for on behalf of its user (CREATE_VLAN, DELETE_VLAN): the dataplane hands them to the
 * controller, which decides as its create-vlan and delete-vlan RPCs do for a user (access control, max-vlans) and
 * writes the datastore. Calls never block; the stage completes when the change is decided (and, when done, visible
 * in this node's {@link VlanDirectory}).
 */
public interface VlanRequests {
    /**
     * How a request ended, as the protocol's DONE and ERROR codes say it.
     */
    enum Outcome {
        DONE, MALFORMED, EXISTS, UNKNOWN_VLAN, DENIED, LIMIT, INTERNAL
    }

    /**
     * An outcome and the message for the client.
     */
    record Answer(Outcome outcome, String message) {
        public static final Answer DONE = new Answer(Outcome.DONE, "");
    }

    /**
     * What a node without a controller (tests, benchmarks) answers: nothing can be created there.
     */
    VlanRequests NONE = new VlanRequests() {
        @Override
        public CompletionStage<Answer> create(final String user, final String name, final boolean open) {
            return CompletableFuture.completedFuture(new Answer(Outcome.DENIED, "this server creates no VLANs"));
        }

        @Override
        public CompletionStage<Answer> delete(final String user, final String name) {
            return CompletableFuture.completedFuture(new Answer(Outcome.DENIED, "this server deletes no VLANs"));
        }
    };

    /**
     * Creates a VLAN owned by a user, as access control and the user's max-vlans allow.
     *
     * @param name as the client sent it, not checked yet
     * @param open whether every authenticated user may join it
     */
    CompletionStage<Answer> create(String user, String name, boolean open);

    /**
     * Deletes a VLAN on behalf of a user, as access control allows (its owner may).
     *
     * @param name as the client sent it, not checked yet
     */
    CompletionStage<Answer> delete(String user, String name);
}
