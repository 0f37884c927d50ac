package com.ltxgateway;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

import io.github.resilience4j.core.IntervalFunction;

/**
 * How long to wait after the n-th failure in a row before trying again: the one answer every retry of the gateway
 * asks (fal calls of the tracker, orphan cancels, webhook deliveries to teams, the sandbox's webhooks). Each wait is
 * spread at random, so that what failed together (an outage) does not all come back at the same moment; it is never
 * shorter than the other side's {@code Retry-After}; and a backoff with a schedule is used up after its last wait.
 * The callers keep the wait as a due time in the database, not as a sleeping thread, so it survives restarts.
 */
public final class Backoff {

    private static final double SCHEDULE_JITTER = 0.1;

    private final IntervalFunction waits;
    private final int retries;

    private Backoff(IntervalFunction waits, int retries) {
        this.waits = waits;
        this.retries = retries;
    }

    /** From {@code initial}, doubling up to {@code max}, each wait spread by up to half either way; never used up. */
    public static Backoff exponential(Duration initial, Duration max) {
        return new Backoff(IntervalFunction.ofExponentialRandomBackoff(initial, 2.0, 0.5, max), Integer.MAX_VALUE);
    }

    /** {@code waits} in turn, each spread by up to a tenth either way; used up after the last one. */
    public static Backoff schedule(List<Duration> waits) {
        List<Duration> schedule = List.copyOf(waits);
        return new Backoff(failures -> {
            long millis = schedule.get(failures - 1).toMillis();
            return Math.round(millis * (1 + ThreadLocalRandom.current().nextDouble(-SCHEDULE_JITTER, SCHEDULE_JITTER)));
        }, schedule.size());
    }

    /**
     * The wait after the {@code failures}-th failure in a row (counting from 1), never shorter than {@code retryAfter}
     * (null when the other side did not say); empty when the backoff is used up.
     */
    public Optional<Duration> after(int failures, Duration retryAfter) {
        if (failures > retries) {
            return Optional.empty();
        }
        Duration wait = Duration.ofMillis(waits.apply(failures));
        return Optional.of(retryAfter != null && retryAfter.compareTo(wait) > 0 ? retryAfter : wait);
    }
}
