package com.ltxgateway.sandbox;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/** A request in the simulator. Its state at any moment follows from its timestamps alone. */
record SimulatedRequest(UUID id, String input, String webhookUrl, boolean fail, Instant createdAt, Instant startedAt,
        Instant completedAt, Instant canceledAt) {

    enum State { IN_QUEUE, IN_PROGRESS, COMPLETED }

    State stateAt(Instant now) {
        if (now.isBefore(startedAt)) {
            return State.IN_QUEUE;
        }
        return now.isBefore(completedAt) ? State.IN_PROGRESS : State.COMPLETED;
    }

    Duration runDuration() {
        return Duration.between(startedAt, completedAt);
    }
}
