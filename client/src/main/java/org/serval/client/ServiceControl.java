/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.client;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.net.InetAddress;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.serval.client.control.ClientControl;
import org.serval.client.control.ControlException;

/**
 * The control socket's requests done by a running {@link ServalClient}: the results and errors of
 * docs/client-control.md.
 */
final class ServiceControl implements ClientControl {
    // How long up waits for the connection before answering with the status as it is.
    private static final long UP_WAIT_MILLIS = 20_000;

    private final ServalClient client;

    ServiceControl(final ServalClient client) {
        this.client = client;
    }

    @Override
    public JsonObject status() {
        return StatusView.json(client.status());
    }

    @Override
    public JsonObject list() throws ControlException, InterruptedException {
        final var vlans = call(() -> client.memberships().listVlans());
        final Map<String, Memberships.Entry> here = client.memberships().list().stream()
            .collect(Collectors.toMap(entry -> entry.vlan, Function.identity()));
        final var array = new JsonArray();
        for (var vlan : vlans) {
            final var entry = here.get(vlan.name());
            final boolean joined = entry != null && entry.state == Memberships.State.JOINED;
            final var json = new JsonObject();
            json.addProperty("name", vlan.name());
            json.addProperty("members", vlan.members());
            json.addProperty("open", vlan.open());
            json.addProperty("joined", joined);
            json.addProperty("interface", joined ? entry.iface : null);
            array.add(json);
        }
        final var result = new JsonObject();
        result.add("vlans", array);
        return result;
    }

    @Override
    public JsonObject join(final String vlan, final String iface) throws ControlException, InterruptedException {
        final var entry = call(() -> client.memberships().join(vlan, iface));
        return StatusView.json(StatusView.vlans(List.of(entry)).get(0));
    }

    @Override
    public JsonObject leave(final String vlan) throws ControlException, InterruptedException {
        call(() -> {
            client.memberships().leave(vlan);
            return null;
        });
        return named(vlan);
    }

    @Override
    public JsonObject create(final String vlan, final boolean open) throws ControlException, InterruptedException {
        call(() -> {
            client.memberships().createOrDelete(vlan, true, open);
            return null;
        });
        final var result = named(vlan);
        result.addProperty("open", open);
        return result;
    }

    @Override
    public JsonObject delete(final String vlan) throws ControlException, InterruptedException {
        call(() -> {
            client.memberships().createOrDelete(vlan, false, false);
            return null;
        });
        return named(vlan);
    }

    @Override
    public JsonObject members(final String vlan) throws ControlException, InterruptedException {
        final var members = call(() -> client.memberships().members(vlan));
        final var array = new JsonArray();
        for (var member : members) {
            final var json = new JsonObject();
            json.addProperty("client", member.clientId());
            json.addProperty("user", member.user());
            json.addProperty("mac", mac(member.mac()));
            json.addProperty("node", member.nodeId());
            final var addresses = new JsonArray();
            for (InetAddress address : member.addresses()) {
                addresses.add(address.getHostAddress());
            }
            json.add("addresses", addresses);
            array.add(json);
        }
        final var result = named(vlan);
        result.add("members", array);
        return result;
    }

    @Override
    public JsonObject up() throws InterruptedException {
        client.up(UP_WAIT_MILLIS);
        return status();
    }

    @Override
    public JsonObject down() throws InterruptedException {
        client.down();
        return status();
    }

    static String mac(final long mac) {
        final var bytes = new byte[6];
        for (int i = 5, shift = 0; i >= 0; i--, shift += 8) {
            bytes[i] = (byte) (mac >>> shift);
        }
        return HexFormat.ofDelimiter(":").formatHex(bytes);
    }

    private static JsonObject named(final String vlan) {
        final var result = new JsonObject();
        result.addProperty("vlan", vlan);
        return result;
    }

    /**
     * A request of the memberships.
     */
    private interface Request<T> {
        T run() throws Memberships.Refusal, InterruptedException;
    }

    private static <T> T call(final Request<T> request) throws ControlException, InterruptedException {
        try {
            return request.run();
        } catch (Memberships.Refusal e) {
            throw new ControlException(e.code, e.exitCode, e.getMessage(), e);
        }
    }
}
