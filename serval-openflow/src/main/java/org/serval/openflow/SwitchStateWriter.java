/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.openflow;

import static java.util.Objects.requireNonNull;
import static org.opendaylight.mdsal.common.api.LogicalDatastoreType.OPERATIONAL;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import java.net.InetAddress;
import java.util.Collection;
import java.util.function.Consumer;
import org.opendaylight.mdsal.common.api.CommitInfo;
import org.opendaylight.mdsal.dom.api.DOMDataBroker;
import org.opendaylight.mdsal.dom.api.DOMDataTreeWriteTransaction;
import org.opendaylight.mdsal.dom.api.DOMTransactionChain;
import org.opendaylight.yangtools.yang.common.Empty;
import org.serval.openflow.ServalModel.PortState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes what the connected switches say about themselves to OPERATIONAL {@code openflow-switches}, through the DOM
 * API on a transaction chain so that the writes of one switch land in the order they were made. Called on the
 * OpenFlow thread only; never waits for a commit.
 */
final class SwitchStateWriter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SwitchStateWriter.class);

    private final DOMDataBroker broker;
    private final String nodeId;
    private DOMTransactionChain chain;

    SwitchStateWriter(final DOMDataBroker broker, final String nodeId) {
        this.broker = requireNonNull(broker);
        this.nodeId = requireNonNull(nodeId);
    }

    /**
     * The whole entry of a switch: written when it connects (ports as far as known), and when its ports are known.
     */
    void putSwitch(final String dpid, final InetAddress address, final int sourcePort, final boolean connected,
            final int flows, final Collection<PortState> ports) {
        write(dpid, tx -> tx.put(OPERATIONAL, ServalModel.switchPath(dpid),
            ServalModel.switchEntry(dpid, nodeId, address, sourcePort, connected, flows, ports)));
    }

    void connectedAndFlows(final String dpid, final boolean connected, final int flows) {
        write(dpid, tx -> tx.merge(OPERATIONAL, ServalModel.switchPath(dpid),
            ServalModel.connectedAndFlows(dpid, connected, flows)));
    }

    void putPort(final String dpid, final PortState port) {
        write(dpid, tx -> tx.put(OPERATIONAL, ServalModel.portPath(dpid, port.number()),
            ServalModel.portEntry(port)));
    }

    void deletePort(final String dpid, final long port) {
        write(dpid, tx -> tx.delete(OPERATIONAL, ServalModel.portPath(dpid, port)));
    }

    void deleteSwitch(final String dpid) {
        write(dpid, tx -> tx.delete(OPERATIONAL, ServalModel.switchPath(dpid)));
    }

    private void write(final String dpid, final Consumer<DOMDataTreeWriteTransaction> change) {
        final var used = chain();
        final var tx = used.newWriteOnlyTransaction();
        change.accept(tx);
        log(tx.commit(), dpid, used);
    }

    private synchronized DOMTransactionChain chain() {
        if (chain == null) {
            final var created = broker.createMergingTransactionChain();
            created.addCallback(new FutureCallback<Empty>() {
                @Override
                public void onSuccess(final Empty result) {
                    // closed
                }

                @Override
                public void onFailure(final Throwable cause) {
                    LOG.debug("The chain of switch state writes failed: {}", cause.getMessage());
                }
            });
            chain = created;
        }
        return chain;
    }

    private void log(final ListenableFuture<? extends CommitInfo> commit, final String dpid,
            final DOMTransactionChain used) {
        Futures.addCallback(commit, new FutureCallback<CommitInfo>() {
            @Override
            public void onSuccess(final CommitInfo result) {
                LOG.trace("State of switch {} written", dpid);
            }

            @Override
            public void onFailure(final Throwable cause) {
                // The next connection or port change writes the switch again, on a new chain.
                LOG.warn("Writing the state of switch {} failed: {}", dpid, cause.getMessage());
                synchronized (SwitchStateWriter.this) {
                    if (chain == used) {
                        chain = null;
                    }
                }
            }
        }, MoreExecutors.directExecutor());
    }

    @Override
    public synchronized void close() {
        if (chain != null) {
            chain.close();
            chain = null;
        }
    }
}
