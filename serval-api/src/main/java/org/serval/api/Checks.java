/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.api;

import java.util.regex.Pattern;

/**
 * The rules for values people type: VLAN names, client ids, vids. The YANG model states the same rules; these give
 * the message a person reads when a value breaks one. Each method returns its argument or throws
 * {@link IllegalArgumentException} saying what is wrong.
 */
public final class Checks {
    public static final int MAX_MEMBERS_LIMIT = 65_535;
    public static final int DESCRIPTION_LIMIT = 255;

    private static final Pattern VLAN_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern USER_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}");
    private static final Pattern CLIENT_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}");
    private static final Pattern GROUP_NAME = VLAN_NAME;
    private static final Pattern FINGERPRINT = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern RULE_VLAN = Pattern.compile("\\*|[A-Za-z0-9._-]{1,63}\\*?|[A-Za-z0-9._-]{64}");
    private static final int RULE_NAME_LIMIT = 64;

    private Checks() {
        // utility
    }

    public static String vlanName(final String name) {
        if (name == null || !VLAN_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid VLAN name '" + name
                + "': use 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        return name;
    }

    public static String userName(final String name) {
        if (name == null || !USER_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid user name '" + name
                + "': use 1 to 64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit");
        }
        return name;
    }

    /**
     * Checks a new password; the message never repeats it.
     */
    public static String password(final String password) {
        if (password == null || password.isEmpty() || password.length() > PasswordHash.MAX_PASSWORD_LENGTH) {
            throw new IllegalArgumentException("a password has 1 to " + PasswordHash.MAX_PASSWORD_LENGTH
                + " characters");
        }
        return password;
    }

    public static String clientId(final String id) {
        if (id == null || !CLIENT_ID.matcher(id).matches()) {
            throw new IllegalArgumentException("invalid client id '" + id
                + "': use 1 to 128 letters, digits, '.', '_', ':', '@' or '-', starting with a letter or digit");
        }
        return id;
    }

    public static String groupName(final String name) {
        if (name == null || !GROUP_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid group name '" + name
                + "': use 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        return name;
    }

    /**
     * Checks the name of an access-control rule list or rule (YANG: a string of 1 to 64 characters).
     */
    public static String ruleName(final String name) {
        if (name == null || name.isEmpty() || name.length() > RULE_NAME_LIMIT) {
            throw new IllegalArgumentException("invalid rule name '" + name + "': use 1 to " + RULE_NAME_LIMIT
                + " characters");
        }
        return name;
    }

    /**
     * Checks the VLANs an access-control rule matches: a VLAN name, a prefix ending in '*', or '*'.
     */
    public static String ruleVlan(final String pattern) {
        if (pattern == null || !RULE_VLAN.matcher(pattern).matches()) {
            throw new IllegalArgumentException("invalid VLAN pattern '" + pattern
                + "': use a VLAN name, a prefix ending in '*', or '*' for every VLAN (at most 64 characters)");
        }
        return pattern;
    }

    /**
     * Checks a certificate's SHA-256 fingerprint as the users list stores it: 64 lower-case hex digits.
     */
    public static String fingerprint(final String fingerprint) {
        if (fingerprint == null || !FINGERPRINT.matcher(fingerprint).matches()) {
            throw new IllegalArgumentException("invalid certificate fingerprint '" + fingerprint
                + "': use the SHA-256 fingerprint, 64 lower-case hex digits");
        }
        return fingerprint;
    }

    /**
     * Checks a value for a uint16 leaf such as max-clients and max-vlans.
     */
    public static int uint16(final String leaf, final long value) {
        if (value < 0 || value > 65_535) {
            throw new IllegalArgumentException(leaf + " " + value + " is out of range: use 0 to 65535");
        }
        return (int) value;
    }

    /**
     * Checks a flood rate limit (frames per second, YANG uint32 1..max).
     */
    public static long rateLimit(final long value) {
        if (value < 1 || value > 4_294_967_295L) {
            throw new IllegalArgumentException("rate-limit " + value + " is out of range: use 1 to 4294967295");
        }
        return value;
    }

    public static int vid(final long vid) {
        if (vid < VlanInfo.MIN_VID || vid > VlanInfo.MAX_VID) {
            throw new IllegalArgumentException(
                "vid " + vid + " is out of range: use " + VlanInfo.MIN_VID + " to " + VlanInfo.MAX_VID);
        }
        return (int) vid;
    }

    public static int maxMembers(final long max) {
        if (max < 1 || max > MAX_MEMBERS_LIMIT) {
            throw new IllegalArgumentException(
                "max-members " + max + " is out of range: use 1 to " + MAX_MEMBERS_LIMIT);
        }
        return (int) max;
    }

    public static String description(final String text) {
        if (text != null && text.length() > DESCRIPTION_LIMIT) {
            throw new IllegalArgumentException("the description has " + text.length() + " characters; at most "
                + DESCRIPTION_LIMIT + " are allowed");
        }
        return text;
    }
}
