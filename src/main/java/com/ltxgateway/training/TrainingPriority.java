package com.ltxgateway.training;

import java.util.Arrays;

import com.fasterxml.jackson.annotation.JsonValue;

/** How soon a training should run against the account's other trainings: fal queues {@code low} behind {@code normal}. */
public enum TrainingPriority {
    NORMAL("normal"), LOW("low");

    private final String name;

    TrainingPriority(String name) {
        this.name = name;
    }

    @JsonValue
    public String wireName() {
        return name;
    }

    static TrainingPriority fromWireName(String name) {
        return Arrays.stream(values()).filter(priority -> priority.name.equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no priority " + name));
    }
}
