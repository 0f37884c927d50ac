package com.ltxgateway.training;

import org.jspecify.annotations.Nullable;

/**
 * Where a training stands, as little of it as a queue poll needs: what fal's clients ask for every half second.
 *
 * @param queuePosition fal's queue position while the training is at fal, the gateway's own while it waits for a turn
 * there; null otherwise
 * @param errorCode a failed training's error code; null otherwise
 * @param errorMessage a failed training's error message; null otherwise
 */
public record QueueState(String id, TrainingStatus status, @Nullable Integer queuePosition, @Nullable String errorCode,
        @Nullable String errorMessage) {

    public static QueueState of(TrainingView training) {
        return new QueueState(training.id(), TrainingStatus.fromWireName(training.status()),
                training.queuePosition() != null ? training.queuePosition() : training.waitingPosition(),
                training.error() == null ? null : training.error().path("code").asString(null),
                training.error() == null ? null : training.error().path("message").asString(null));
    }
}
