package com.ltxgateway.webhook;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

import com.ltxgateway.training.TrainingStatus;

import org.jspecify.annotations.Nullable;

/**
 * The events a receiver can hear: one for each status a training reaches after it was created, and the team's
 * budget alerts.
 */
enum WebhookEventType {
    QUEUED(TrainingStatus.QUEUED),
    RUNNING(TrainingStatus.RUNNING),
    SUCCEEDED(TrainingStatus.SUCCEEDED),
    FAILED(TrainingStatus.FAILED),
    CANCELED(TrainingStatus.CANCELED),
    BUDGET_ALERT("budget.alert"),
    BUDGET_EXHAUSTED("budget.exhausted");

    static final String NAMES = Arrays.stream(values()).map(WebhookEventType::wireName).collect(Collectors.joining(", "));

    private final String wireName;
    private final @Nullable TrainingStatus status;

    WebhookEventType(TrainingStatus status) {
        this.wireName = "training." + status.wireName();
        this.status = status;
    }

    WebhookEventType(String wireName) {
        this.wireName = wireName;
        this.status = null;
    }

    String wireName() {
        return wireName;
    }

    static Optional<WebhookEventType> of(TrainingStatus status) {
        return Arrays.stream(values()).filter(type -> type.status == status).findFirst();
    }

    static Optional<WebhookEventType> fromWireName(String name) {
        return Arrays.stream(values()).filter(type -> type.wireName.equals(name)).findFirst();
    }
}
