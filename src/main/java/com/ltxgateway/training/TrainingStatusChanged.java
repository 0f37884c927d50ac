package com.ltxgateway.training;

import java.time.Instant;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/**
 * Published inside the transaction of every status change, whoever caused it.
 *
 * @param webhookUrl the training's own {@code webhook_url}, null when it has none
 */
public record TrainingStatusChanged(String trainingId, UUID teamId, TrainingStatus from, TrainingStatus to, Instant at,
        @Nullable String webhookUrl) {
}
