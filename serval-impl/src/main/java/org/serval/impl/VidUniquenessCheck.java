/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.impl;

import static java.util.Objects.requireNonNull;

import com.google.common.util.concurrent.FluentFuture;
import java.util.Collection;
import java.util.HashMap;
import org.opendaylight.mdsal.common.api.DataValidationFailedException;
import org.opendaylight.mdsal.common.api.LogicalDatastoreType;
import org.opendaylight.mdsal.common.api.PostCanCommitStep;
import org.opendaylight.mdsal.dom.api.DOMDataBroker;
import org.opendaylight.mdsal.dom.api.DOMDataTreeCandidate;
import org.opendaylight.mdsal.dom.api.DOMDataTreeCommitCohort;
import org.opendaylight.mdsal.dom.api.DOMDataTreeIdentifier;
import org.opendaylight.netconf.api.DocumentedException;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.Vlans;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.vlans.Vlan;
import org.opendaylight.yangtools.concepts.Registration;
import org.opendaylight.yangtools.util.concurrent.FluentFutures;
import org.opendaylight.yangtools.yang.common.ErrorSeverity;
import org.opendaylight.yangtools.yang.common.ErrorTag;
import org.opendaylight.yangtools.yang.common.ErrorType;
import org.opendaylight.yangtools.yang.common.QName;
import org.opendaylight.yangtools.yang.common.Uint16;
import org.opendaylight.yangtools.yang.data.api.YangInstanceIdentifier;
import org.opendaylight.yangtools.yang.data.api.YangInstanceIdentifier.NodeIdentifier;
import org.opendaylight.yangtools.yang.data.api.schema.LeafNode;
import org.opendaylight.yangtools.yang.data.api.schema.MapEntryNode;
import org.serval.api.VlanDirectory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses a commit that would give two VLANs the same vid, whichever way it was written: the create-vlan RPC
 * checks first, but a RESTCONF PUT or PATCH on {@code vlans} goes straight to the datastore, and the datastore does
 * not enforce YANG {@code unique}. The refusal carries the data-exists error-tag, which RESTCONF reports as such.
 *
 * <p>It compares against the local view, so two writes racing on different nodes within the view's lag can both
 * pass; the RPC path narrows that window further by checking before it writes.
 */
final class VidUniquenessCheck implements DOMDataTreeCommitCohort, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(VidUniquenessCheck.class);
    private static final NodeIdentifier VLAN_LIST = NodeIdentifier.create(Vlan.QNAME);
    private static final NodeIdentifier NAME = NodeIdentifier.create(QName.create(Vlan.QNAME, "name"));
    private static final NodeIdentifier VID = NodeIdentifier.create(QName.create(Vlan.QNAME, "vid"));
    private static final YangInstanceIdentifier VLANS_PATH = YangInstanceIdentifier.of(Vlans.QNAME);

    private final VlanDirectory view;
    private final Registration registration;

    private VidUniquenessCheck(final VlanDirectory view, final DOMDataBroker.CommitCohortExtension cohorts) {
        this.view = requireNonNull(view);
        registration = cohorts.registerCommitCohort(
            DOMDataTreeIdentifier.of(LogicalDatastoreType.CONFIGURATION, VLANS_PATH), this);
    }

    /**
     * Registers the check with a broker, or returns null (with a warning) when the broker cannot run commit
     * cohorts.
     */
    static VidUniquenessCheck register(final DOMDataBroker broker, final VlanDirectory view) {
        final var cohorts = broker.extension(DOMDataBroker.CommitCohortExtension.class);
        if (cohorts == null) {
            LOG.warn("The data broker runs no commit cohorts: duplicate vids written directly are not refused");
            return null;
        }
        return new VidUniquenessCheck(view, cohorts);
    }

    @Override
    public FluentFuture<PostCanCommitStep> canCommit(final Object txId,
            final org.opendaylight.yangtools.yang.model.api.EffectiveModelContext ctx,
            final Collection<DOMDataTreeCandidate> candidates) {
        // vid -> the VLAN this transaction gives it
        final var claimed = new HashMap<Integer, String>();
        for (var candidate : candidates) {
            final var list = candidate.getRootNode().modifiedChild(VLAN_LIST);
            if (list == null) {
                continue;
            }
            for (var entry : list.childNodes()) {
                if (entry.dataAfter() instanceof MapEntryNode vlan
                        && vlan.childByArg(VID) instanceof LeafNode<?> vidLeaf
                        && vidLeaf.body() instanceof Uint16 vid
                        && vlan.childByArg(NAME) instanceof LeafNode<?> nameLeaf) {
                    final var name = String.valueOf(nameLeaf.body());
                    final var other = claimed.put(vid.intValue(), name);
                    final var holder = view.vlanByVid(vid.intValue());
                    if (other != null && !other.equals(name)) {
                        return refuse(vid.intValue(), other);
                    }
                    if (holder.isPresent() && !holder.orElseThrow().name().equals(name)
                            && !releasedHere(list, holder.orElseThrow().name())) {
                        return refuse(vid.intValue(), holder.orElseThrow().name());
                    }
                }
            }
        }
        return PostCanCommitStep.NOOP_SUCCESSFUL_FUTURE;
    }

    // The holder may give the vid up in this same transaction (deleted, or given another vid).
    private static boolean releasedHere(final org.opendaylight.yangtools.yang.data.tree.api.DataTreeCandidateNode list,
            final String holder) {
        for (var entry : list.childNodes()) {
            if (entry.dataBefore() instanceof MapEntryNode before
                    && before.childByArg(NAME) instanceof LeafNode<?> nameLeaf
                    && holder.equals(String.valueOf(nameLeaf.body()))) {
                final var after = entry.dataAfter();
                return !(after instanceof MapEntryNode now) || !(now.childByArg(VID) instanceof LeafNode<?> leaf)
                    || !leaf.body().equals(before.childByArg(VID) instanceof LeafNode<?> old ? old.body() : null);
            }
        }
        return false;
    }

    private static FluentFuture<PostCanCommitStep> refuse(final int vid, final String holder) {
        final var message = "vid " + vid + " is already used by VLAN " + holder;
        return FluentFutures.immediateFailedFluentFuture(new DataValidationFailedException(
            YangInstanceIdentifier.class, VLANS_PATH, message,
            new DocumentedException(message, ErrorType.APPLICATION, ErrorTag.DATA_EXISTS, ErrorSeverity.ERROR)));
    }

    @Override
    public void close() {
        registration.close();
    }
}
