/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.client.tap.windows;

import static org.serval.client.tap.windows.WinApiConstants.ERROR_NO_MORE_ITEMS;
import static org.serval.client.tap.windows.WinApiConstants.ERROR_SUCCESS;
import static org.serval.client.tap.windows.WinApiConstants.HKEY_LOCAL_MACHINE;
import static org.serval.client.tap.windows.WinApiConstants.KEY_READ;
import static org.serval.client.tap.windows.WinApiConstants.REG_EXPAND_SZ;
import static org.serval.client.tap.windows.WinApiConstants.REG_SZ;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The TAP-Windows6 adapters installed on this machine, found in the registry: every subkey of the network adapter
 * class whose {@code ComponentId} is the driver's gives a {@code NetCfgInstanceId} (the GUID in the device file's
 * name), and the network connections key gives that adapter's name as users see it ("Ethernet 3", or what they
 * renamed it to). The client cannot create adapters (that takes an installer with administrator rights); it
 * takes the one the user names.
 */
public final class TapAdapters {
    /**
     * One adapter: its GUID, with braces, and its connection name (empty when the registry has none).
     */
    public record Adapter(String guid, String name) {
        /**
         * The device file to open.
         */
        public String devicePath() {
            return TapWindows6.devicePath(guid);
        }
    }

    // Subkeys of the adapter class looked at: a machine has tens of adapters (real, virtual, hidden); a registry
    // with more is not worth a longer start.
    static final int MAX_ADAPTER_KEYS = 1024;
    // A connection name's longest, as Windows allows it.
    static final int MAX_NAME = 256;
    // Registry key names are at most 255 characters.
    private static final int MAX_KEY_NAME = 256;
    // A GUID or a connection name, UTF-16; connection names are at most 256 characters.
    private static final int MAX_VALUE_BYTES = 1024;

    private final WinApi api;

    public TapAdapters(final WinApi api) {
        this.api = api;
    }

    /**
     * Every TAP-Windows6 adapter, in registry order.
     *
     * @throws IOException when the adapter class cannot be read at all
     */
    public List<Adapter> list() throws IOException {
        final var classKey = open(HKEY_LOCAL_MACHINE, TapWindows6.ADAPTER_KEY);
        if (classKey == null) {
            throw new IOException("cannot read the network adapters in the registry (HKLM\\" + TapWindows6.ADAPTER_KEY
                + ")");
        }
        final List<Adapter> found = new ArrayList<>();
        try {
            final var name = new char[MAX_KEY_NAME];
            for (int index = 0; index < MAX_ADAPTER_KEYS; index++) {
                final var length = new IntByReference(name.length);
                final int status = api.regEnumKeyEx(classKey, index, name, length, null, null, null, null);
                if (status == ERROR_NO_MORE_ITEMS) {
                    break;
                }
                if (status != ERROR_SUCCESS) {
                    continue;
                }
                final var adapter = adapter(classKey, new String(name, 0, Math.min(length.getValue(), name.length)));
                if (adapter != null) {
                    found.add(adapter);
                }
            }
        } finally {
            api.regCloseKey(classKey);
        }
        return found;
    }

    // One numbered subkey ("0007"); null when it is not a TAP-Windows6 adapter or cannot be read ("Properties" is
    // not readable by anyone but the system, for one).
    private Adapter adapter(final Pointer classKey, final String subKey) {
        final var key = open(classKey, subKey);
        if (key == null) {
            return null;
        }
        final String guid;
        try {
            if (!TapWindows6.isTapComponent(string(key, "ComponentId"))) {
                return null;
            }
            guid = string(key, "NetCfgInstanceId");
        } finally {
            api.regCloseKey(key);
        }
        if (guid == null || guid.isBlank()) {
            return null;
        }
        final var connection = open(HKEY_LOCAL_MACHINE, TapWindows6.NETWORK_CONNECTIONS_KEY + "\\" + guid
            + "\\Connection");
        String name = null;
        if (connection != null) {
            try {
                name = string(connection, "Name");
            } finally {
                api.regCloseKey(connection);
            }
        }
        return new Adapter(guid, name == null ? "" : name);
    }

    /**
     * The adapter a person named, by its connection name (as Windows compares them, ignoring case) or its GUID
     * (with or without braces).
     *
     * @throws IOException naming the adapters there are, or saying how to add one
     */
    public Adapter find(final String requested) throws IOException {
        final var adapters = list();
        final var wanted = requested.trim();
        final var guid = wanted.startsWith("{") ? wanted : "{" + wanted + "}";
        for (var adapter : adapters) {
            if (adapter.name().equalsIgnoreCase(wanted) || adapter.guid().equalsIgnoreCase(guid)) {
                return adapter;
            }
        }
        if (adapters.isEmpty()) {
            throw new IOException("no TAP-Windows6 adapter is installed: install TAP-Windows6 (OpenVPN's tap0901 "
                + "driver) and add an adapter, then name it in --vlan VLAN=NAME (docs/windows.md)");
        }
        throw new IOException("no TAP-Windows6 adapter is called '" + requested + "'; there are: "
            + adapters.stream().map(a -> "'" + a.name() + "' " + a.guid()).collect(Collectors.joining(", "))
            + " (rename one, or name one of these in --vlan VLAN=NAME)");
    }

    /**
     * An adapter name as a person may give it: a connection name (Windows allows up to 256 characters, spaces
     * included) or a GUID; surrounding blanks dropped.
     *
     * @throws IllegalArgumentException saying what is wrong with it
     */
    public static String checkName(final String requested) {
        final var name = requested.strip();
        if (name.isEmpty() || name.length() > MAX_NAME || name.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("adapter name '" + requested + "' must be the name (1 to " + MAX_NAME
                + " characters, no control characters) or the GUID of a TAP-Windows6 adapter");
        }
        return name;
    }

    private Pointer open(final Pointer parent, final String subKey) {
        final var result = new PointerByReference();
        return api.regOpenKeyEx(parent, subKey, 0, KEY_READ, result) == ERROR_SUCCESS ? result.getValue() : null;
    }

    // A REG_SZ or REG_EXPAND_SZ value (not expanded: the ones read here hold no variables); null when missing,
    // of another type or longer than we read.
    private String string(final Pointer key, final String value) {
        final var data = new byte[MAX_VALUE_BYTES];
        final var type = new IntByReference();
        final var length = new IntByReference(data.length);
        if (api.regQueryValueEx(key, value, null, type, data, length) != ERROR_SUCCESS
                || type.getValue() != REG_SZ && type.getValue() != REG_EXPAND_SZ) {
            return null;
        }
        final var text = new String(data, 0, Math.min(length.getValue(), data.length) & ~1,
            StandardCharsets.UTF_16LE);
        final int nul = text.indexOf('\0');
        return nul < 0 ? text : text.substring(0, nul);
    }
}
