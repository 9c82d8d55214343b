/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.client.control;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import org.serval.api.Checks;
import org.serval.client.ClientFailure;

/**
 * One control request line to its answer line: parses the JSON object, checks its fields, calls the client and
 * wraps the result or the error (docs/client-control.md).
 */
public final class ControlRequests {
    private final ClientControl client;

    public ControlRequests(final ClientControl client) {
        this.client = client;
    }

    /**
     * The answer to one request line (without its newline), as one JSON object.
     */
    public JsonObject answer(final String line) throws InterruptedException {
        JsonElement id = null;
        try {
            final JsonObject request;
            try {
                request = JsonParser.parseString(line).getAsJsonObject();
            } catch (JsonParseException | IllegalStateException e) {
                throw new ControlException("usage", ClientFailure.USAGE, "a request is one JSON object on one line",
                    e);
            }
            id = request.get("id");
            final var result = dispatch(request);
            final var answer = new JsonObject();
            if (id != null) {
                answer.add("id", id);
            }
            answer.addProperty("ok", true);
            answer.add("result", result);
            return answer;
        } catch (ControlException e) {
            return error(id, e);
        }
    }

    private JsonObject dispatch(final JsonObject request) throws ControlException, InterruptedException {
        final var cmd = string(request, "cmd", true);
        return switch (cmd) {
            case "status" -> client.status();
            case "list" -> client.list();
            case "join" -> client.join(vlan(request), iface(request));
            case "leave" -> client.leave(vlan(request));
            case "create" -> client.create(vlan(request), bool(request, "open"));
            case "delete" -> client.delete(vlan(request));
            case "members" -> client.members(vlan(request));
            case "up" -> client.up();
            case "down" -> client.down();
            default -> throw usage("unknown cmd '" + cmd + "' (status, list, join, leave, create, delete, members, "
                + "up, down)");
        };
    }

    /**
     * The error answer.
     */
    public static JsonObject error(final JsonElement id, final ControlException failure) {
        final var error = new JsonObject();
        error.addProperty("code", failure.code());
        error.addProperty("message", failure.getMessage());
        error.addProperty("exit", failure.exitCode());
        final var answer = new JsonObject();
        if (id != null) {
            answer.add("id", id);
        }
        answer.addProperty("ok", false);
        answer.add("error", error);
        return answer;
    }

    private static String vlan(final JsonObject request) throws ControlException {
        final var vlan = string(request, "vlan", true);
        try {
            return Checks.vlanName(vlan);
        } catch (IllegalArgumentException e) {
            throw new ControlException("usage", ClientFailure.USAGE, e.getMessage(), e);
        }
    }

    private static String iface(final JsonObject request) throws ControlException {
        return string(request, "iface", false);
    }

    private static String string(final JsonObject request, final String key, final boolean required)
            throws ControlException {
        final var value = request.get(key);
        if (value == null || value.isJsonNull()) {
            if (required) {
                throw usage("the request has no '" + key + "'");
            }
            return null;
        }
        if (!(value instanceof JsonPrimitive primitive) || !primitive.isString()) {
            throw usage("'" + key + "' must be a string");
        }
        return primitive.getAsString();
    }

    private static boolean bool(final JsonObject request, final String key) throws ControlException {
        final var value = request.get(key);
        if (value == null || value.isJsonNull()) {
            return false;
        }
        if (!(value instanceof JsonPrimitive primitive) || !primitive.isBoolean()) {
            throw usage("'" + key + "' must be true or false");
        }
        return primitive.getAsBoolean();
    }

    static ControlException usage(final String message) {
        return new ControlException("usage", ClientFailure.USAGE, message);
    }
}
