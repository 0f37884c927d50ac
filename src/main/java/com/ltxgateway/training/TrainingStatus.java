package com.ltxgateway.training;

import java.util.Locale;
import java.util.Set;

/** pending → queued → running → succeeded | failed | canceled; terminal states never change. */
public enum TrainingStatus {
    PENDING, QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELED;

    public boolean isTerminal() {
        return this == SUCCEEDED || this == FAILED || this == CANCELED;
    }

    /**
     * fal can be observed late (a webhook before the submit response, a poll after a long outage), so a training
     * may skip states forwards, but never goes back.
     */
    boolean canMoveTo(TrainingStatus next) {
        return !isTerminal() && next.ordinal() > ordinal();
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static TrainingStatus fromWireName(String value) {
        for (TrainingStatus status : values()) {
            if (status.wireName().equals(value)) {
                return status;
            }
        }
        throw new IllegalArgumentException(value);
    }

    public static final Set<String> WIRE_NAMES = Set.of("pending", "queued", "running", "succeeded", "failed", "canceled");
}
