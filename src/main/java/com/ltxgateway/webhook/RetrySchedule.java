package com.ltxgateway.webhook;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * When to try a failed delivery again: the configured waits in turn, each spread by up to 10% either way so that
 * deliveries that failed together (a receiver's outage) do not all come back at the same moment. A receiver's
 * {@code Retry-After} is honoured: the wait is never shorter.
 */
final class RetrySchedule {

    private static final double JITTER = 0.1;

    private final List<Duration> waits;

    RetrySchedule(List<Duration> waits) {
        if (waits.stream().anyMatch(wait -> wait.isNegative() || wait.isZero())) {
            throw new IllegalArgumentException("gateway.webhooks.retry-schedule: every wait must be positive, not " + waits);
        }
        this.waits = List.copyOf(waits);
    }

    /** The wait after the {@code failures}-th failure in a row, or empty when the schedule is used up. */
    Optional<Duration> after(int failures, Duration retryAfter) {
        if (failures > waits.size()) {
            return Optional.empty();
        }
        long millis = waits.get(failures - 1).toMillis();
        Duration wait = Duration.ofMillis(Math.round(millis * (1 + ThreadLocalRandom.current().nextDouble(-JITTER, JITTER))));
        return Optional.of(retryAfter != null && retryAfter.compareTo(wait) > 0 ? retryAfter : wait);
    }
}
