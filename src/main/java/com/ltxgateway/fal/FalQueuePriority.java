package com.ltxgateway.fal;

/** fal's {@code X-Fal-Queue-Priority}: a {@code low} request waits in fal's queue behind the account's {@code normal} ones. */
public enum FalQueuePriority {
    NORMAL("normal"), LOW("low");

    private final String headerValue;

    FalQueuePriority(String headerValue) {
        this.headerValue = headerValue;
    }

    String headerValue() {
        return headerValue;
    }
}
