/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.api;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit log: logins, failed logins, denials, and changes to VLANs, users and access control, one line each on
 * the logger {@value #LOGGER} (the distribution writes it to {@code data/security/audit.log} as well as
 * karaf.log). Lines start with a fixed word so that they can be filtered: LOGIN, LOGIN-FAILED, DENIED, VLAN, USER,
 * ACL.
 */
public final class Audit {
    public static final String LOGGER = "org.serval.audit";
    private static final Logger LOG = LoggerFactory.getLogger(LOGGER);

    private Audit() {
        // static only
    }

    public static void login(final String user, final String clientId, final String method, final String transport,
            final Object from) {
        LOG.info("LOGIN user={} client={} method={} transport={} from={}", user, clientId, method, transport, from);
    }

    public static void loginFailed(final String user, final String clientId, final String why, final Object from) {
        LOG.warn("LOGIN-FAILED user={} client={} from={}: {}", user, clientId, from, why);
    }

    /**
     * Failed logins summed up: a flood of them from one source prefix is one line per interval, not one each.
     *
     * @param count how many, as it should read ("1,234")
     * @param last the details of the last one
     */
    public static void loginsFailed(final String count, final String from, final long seconds, final String last) {
        LOG.warn("LOGIN-FAILED {} failed logins from {} in the last {} s (the last: {})", count, from, seconds, last);
    }

    public static void denied(final String user, final String operation, final String vlan, final String why) {
        LOG.warn("DENIED user={} operation={} vlan={}: {}", user, operation, vlan, why);
    }

    public static void vlan(final String change, final String vlan, final String by) {
        LOG.info("VLAN {} {} by={}", change, vlan, by);
    }

    public static void user(final String change, final String user) {
        LOG.info("USER {} {}", change, user);
    }

    public static void acl(final String change) {
        LOG.info("ACL {}", change);
    }
}
