/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.session;

import java.util.List;
import java.util.Set;
import org.serval.api.AccessPolicy;
import org.serval.api.LocalSecurityView;
import org.serval.api.PasswordHash;
import org.serval.api.UserInfo;
import org.serval.dataplane.protocol.Message;
import org.serval.dataplane.security.TicketBook;

/**
 * Users for dataplane tests: "tester" (password {@value #PASSWORD}, any number of clients), with a policy that
 * lets everyone join everything unless a test says otherwise. Hashes are cheap here (1000 iterations) so that
 * tests stay fast; the cost is not what they test.
 */
public final class TestUsers {
    public static final String USER = "tester";
    public static final String PASSWORD = "pw";
    public static final AccessPolicy JOIN_ANYTHING = new AccessPolicy(true, true, false, true, List.of());

    private TestUsers() {
        // static only
    }

    public static UserInfo user(final String name, final boolean enabled, final int maxClients) {
        return new UserInfo(name, PasswordHash.hash(PASSWORD.toCharArray(), 1000), enabled, Set.of(), maxClients, 16,
            Set.of());
    }

    public static LocalSecurityView view() {
        final var view = new LocalSecurityView();
        view.putUser(user(USER, true, 10_000));
        view.setPolicy(JOIN_ANYTHING);
        return view;
    }

    public static Gatekeeper gatekeeper() {
        return gatekeeper(view());
    }

    public static Gatekeeper gatekeeper(final LocalSecurityView view) {
        return new Gatekeeper(view, new TicketBook(64, 30), 2);
    }

    /**
     * A HELLO that logs in as {@link #USER}.
     */
    public static Message.Hello hello(final String clientId) {
        return hello(clientId, USER, PASSWORD);
    }

    public static Message.Hello hello(final String clientId, final String user, final String password) {
        return new Message.Hello(1, clientId, 0, user, Message.Hello.AUTH_PASSWORD, password);
    }
}
