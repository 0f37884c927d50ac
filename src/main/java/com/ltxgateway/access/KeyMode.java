package com.ltxgateway.access;

/** Whether a team key's trainings go to fal and cost money, or to the built-in simulator and cost nothing. */
public enum KeyMode {
    LIVE, SANDBOX;

    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static KeyMode fromWireName(String value) {
        return valueOf(value.toUpperCase(java.util.Locale.ROOT));
    }
}
