package com.ltxgateway.training;

import java.util.Arrays;

import com.fasterxml.jackson.annotation.JsonValue;

/** Why a pending training waits for its turn at fal instead of being submitted. */
public enum WaitingReason {
    /** Its team has as many trainings at fal as its limit allows. */
    TEAM_LIMIT("team_limit"),
    /** The fal account has as many trainings at fal as {@code gateway.fal.max-concurrent} allows, or other teams' turns come first. */
    ACCOUNT_LIMIT("account_limit");

    private final String name;

    WaitingReason(String name) {
        this.name = name;
    }

    @JsonValue
    public String wireName() {
        return name;
    }

    static WaitingReason fromWireName(String name) {
        return Arrays.stream(values()).filter(reason -> reason.name.equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no waiting reason " + name));
    }
}
