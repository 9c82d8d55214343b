/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.serval.dataplane.Bounds;

class TicketBookTest {
    @Test
    void oneUserCannotFillTheBook() {
        final var book = new TicketBook(64, 30);
        int issued = 0;
        long last = 0;
        for (int i = 0; i < 1000; i++) {
            final var ticket = book.issue("greedy", "c" + i);
            if (ticket.isPresent()) {
                issued++;
                last = ticket.orElseThrow().session();
            }
        }
        assertEquals(Bounds.TICKETS_PER_USER, issued, "1,000 logins asking for tickets, 16 waiting");
        assertTrue(book.issue("other", "o1").isPresent(), "the others still get theirs");
        // a ticket redeemed no longer waits: its user may have another
        assertTrue(book.redeem(last));
        assertTrue(book.issue("greedy", "c-next").isPresent());
        assertTrue(book.issue("greedy", "c-more").isEmpty());
    }

    @Test
    void theBookItselfStaysBounded() {
        final var book = new TicketBook(20, 30);
        int issued = 0;
        for (int user = 0; user < 10; user++) {
            for (int i = 0; i < 5; i++) {
                issued += book.issue("u" + user, "c" + i).isPresent() ? 1 : 0;
            }
        }
        assertEquals(20, issued);
    }
}
