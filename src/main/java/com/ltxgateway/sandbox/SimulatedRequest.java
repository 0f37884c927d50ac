package com.ltxgateway.sandbox;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/** A request in the simulator. Its state at any moment follows from its timestamps alone. */
public record SimulatedRequest(UUID id, String input, String webhookUrl, boolean fail, Instant createdAt, Instant startedAt,
        Instant completedAt, Instant canceledAt) {

    public enum State { IN_QUEUE, IN_PROGRESS, COMPLETED }

    public State stateAt(Instant now) {
        if (now.isBefore(startedAt)) {
            return State.IN_QUEUE;
        }
        return now.isBefore(completedAt) ? State.IN_PROGRESS : State.COMPLETED;
    }

    public Duration runDuration() {
        return Duration.between(startedAt, completedAt);
    }
}
