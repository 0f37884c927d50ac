package com.ltxgateway.tracking;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

import com.ltxgateway.Backoff;
import com.ltxgateway.fal.FalStatus;
import com.ltxgateway.tracking.TrackingJobs.ClaimedJob;

/**
 * When the tracker takes a training up again after a step. Status readings come quickly after a change and slow down
 * while nothing happens, never beyond {@code gateway.tracker.poll-max-interval}, which bounds how late a completion is
 * noticed without a webhook; once a run has started and fal's webhook will report its end, polls are only a
 * backstop, and a request that stays queued is polled no more often than that either. After a fault, the backoff, never sooner than fal's {@code Retry-After}, for as long as it takes.
 */
final class PollSchedule {

    /** How much of an interval {@link #spread} may take off: a fifth. */
    private static final double SPREAD = 0.2;

    private final TrackerProperties properties;
    private final Backoff faults;
    private final DoubleSupplier random;

    PollSchedule(TrackerProperties properties) {
        this(properties, () -> ThreadLocalRandom.current().nextDouble());
    }

    /** {@code random}: a number from 0 (inclusive) to 1 (exclusive) for each {@link #spread}. */
    PollSchedule(TrackerProperties properties, DoubleSupplier random) {
        this.properties = properties;
        this.faults = Backoff.exponential(properties.retryInitialInterval(), properties.retryMaxInterval());
        this.random = random;
    }

    /**
     * The wait before the poll that {@code interval} asks for: the interval less up to a fifth of it, at random.
     * Trainings submitted together would otherwise be polled together for as long as they wait, a sweep's thousand
     * polls due within the same few seconds of every backstop interval, which the instance's callers and fal both
     * feel as a burst; spread, the polls come evenly, and never later than the interval says. The interval itself
     * stays what the next one grows from.
     */
    Duration spread(Duration interval) {
        return Duration.ofMillis(Math.round(interval.toMillis() * (1 - SPREAD * random.getAsDouble())));
    }

    /**
     * After a reading that found the request {@code IN_QUEUE} or {@code IN_PROGRESS}. Only a poll sees a run start;
     * once it has, and {@code webhookExpected}, the webhook reports the end. A request that stays queued is polled
     * ever more slowly; when a webhook reports its end, seeing the start late costs nothing but a later
     * {@code running}, so its polls slow down faster ({@code poll-queued-backoff-multiplier}) and up to the backstop
     * interval, which keeps a sweep of thousands of queued trainings from flooding fal and the instance with polls.
     */
    Duration afterReading(ClaimedJob job, FalStatus.State state, boolean webhookExpected) {
        if (state == FalStatus.State.IN_PROGRESS && webhookExpected) {
            return properties.pollBackstopInterval();
        }
        if (!state.name().equals(job.lastFalState()) || job.pollInterval().isZero()) {
            return properties.pollMinInterval();
        }
        boolean webhookReportsEnd = webhookExpected && state == FalStatus.State.IN_QUEUE;
        Duration longest = webhookReportsEnd ? properties.pollBackstopInterval() : properties.pollMaxInterval();
        double multiplier = webhookReportsEnd ? properties.pollQueuedBackoffMultiplier() : properties.pollBackoffMultiplier();
        long grown = (long) (job.pollInterval().toMillis() * multiplier);
        return Duration.ofMillis(Math.min(grown, longest.toMillis()));
    }

    /** After the {@code failures}-th fault in a row; {@code retryAfter} is fal's, or null. */
    Duration afterFault(int failures, Duration retryAfter) {
        // An exponential backoff is never used up: nothing fails on a timer.
        return faults.after(failures, retryAfter).orElseThrow();
    }
}
