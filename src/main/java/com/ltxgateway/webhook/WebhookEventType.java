package com.ltxgateway.webhook;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

import com.ltxgateway.training.TrainingStatus;

/** The events a receiver can hear: one for each status a training reaches after it was created. */
enum WebhookEventType {
    QUEUED(TrainingStatus.QUEUED),
    RUNNING(TrainingStatus.RUNNING),
    SUCCEEDED(TrainingStatus.SUCCEEDED),
    FAILED(TrainingStatus.FAILED),
    CANCELED(TrainingStatus.CANCELED);

    static final String NAMES = Arrays.stream(values()).map(WebhookEventType::wireName).collect(Collectors.joining(", "));

    private final TrainingStatus status;

    WebhookEventType(TrainingStatus status) {
        this.status = status;
    }

    String wireName() {
        return "training." + status.wireName();
    }

    static Optional<WebhookEventType> of(TrainingStatus status) {
        return Arrays.stream(values()).filter(type -> type.status == status).findFirst();
    }

    static Optional<WebhookEventType> fromWireName(String name) {
        return Arrays.stream(values()).filter(type -> type.wireName().equals(name)).findFirst();
    }
}
