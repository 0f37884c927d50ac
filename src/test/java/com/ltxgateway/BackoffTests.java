package com.ltxgateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.RepeatedTest;

/** The one backoff of every retry: its waits, their spread, Retry-After, and when it is used up. */
class BackoffTests {

    private final Backoff schedule = Backoff.schedule(List.of(Duration.ofSeconds(5), Duration.ofMinutes(5), Duration.ofHours(10)));

    private final Backoff exponential = Backoff.exponential(Duration.ofSeconds(2), Duration.ofMinutes(5));

    @RepeatedTest(20)
    void aScheduleWaitsAboutTheScheduledTimeAfterEachFailure() {
        assertThat(schedule.after(1, null)).hasValueSatisfying(wait ->
                assertThat(wait).isBetween(Duration.ofMillis(4500), Duration.ofMillis(5500)));
        assertThat(schedule.after(2, null)).hasValueSatisfying(wait ->
                assertThat(wait).isBetween(Duration.ofSeconds(270), Duration.ofSeconds(330)));
        assertThat(schedule.after(3, null)).hasValueSatisfying(wait ->
                assertThat(wait).isBetween(Duration.ofHours(9), Duration.ofHours(11)));
        assertThat(schedule.after(4, null)).isEmpty();
    }

    @RepeatedTest(20)
    void neverWaitsLessThanTheOtherSideAskedFor() {
        assertThat(schedule.after(1, Duration.ofMinutes(1))).contains(Duration.ofMinutes(1));
        assertThat(schedule.after(1, Duration.ofSeconds(1))).hasValueSatisfying(wait ->
                assertThat(wait).isGreaterThanOrEqualTo(Duration.ofMillis(4500)));
        assertThat(schedule.after(4, Duration.ofSeconds(1))).isEmpty();
        assertThat(exponential.after(1, Duration.ofHours(1))).contains(Duration.ofHours(1));
    }

    @RepeatedTest(20)
    void anExponentialBackoffDoublesWithinHalfEitherWayUpToItsMaximumAndIsNeverUsedUp() {
        assertThat(exponential.after(1, null)).hasValueSatisfying(wait ->
                assertThat(wait).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(3)));
        assertThat(exponential.after(2, null)).hasValueSatisfying(wait ->
                assertThat(wait).isBetween(Duration.ofSeconds(2), Duration.ofSeconds(6)));
        assertThat(exponential.after(4, null)).hasValueSatisfying(wait ->
                assertThat(wait).isBetween(Duration.ofSeconds(8), Duration.ofSeconds(24)));
        assertThat(exponential.after(10_000, null)).hasValueSatisfying(wait ->
                assertThat(wait).isBetween(Duration.ofSeconds(150), Duration.ofSeconds(450)));
    }
}
