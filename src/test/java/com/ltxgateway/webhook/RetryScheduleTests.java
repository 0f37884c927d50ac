package com.ltxgateway.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class RetryScheduleTests {

    private final RetrySchedule schedule =
            new RetrySchedule(List.of(Duration.ofSeconds(5), Duration.ofMinutes(5), Duration.ofHours(10)));

    @RepeatedTest(20)
    void waitsAboutTheScheduledTimeAfterEachFailure() {
        assertThat(schedule.after(1, null)).hasValueSatisfying(wait ->
                assertThat(wait).isBetween(Duration.ofMillis(4500), Duration.ofMillis(5500)));
        assertThat(schedule.after(2, null)).hasValueSatisfying(wait ->
                assertThat(wait).isBetween(Duration.ofSeconds(270), Duration.ofSeconds(330)));
        assertThat(schedule.after(3, null)).hasValueSatisfying(wait ->
                assertThat(wait).isBetween(Duration.ofHours(9), Duration.ofHours(11)));
        assertThat(schedule.after(4, null)).isEmpty();
    }

    @RepeatedTest(20)
    void neverWaitsLessThanTheReceiverAskedFor() {
        assertThat(schedule.after(1, Duration.ofMinutes(1))).contains(Duration.ofMinutes(1));
        assertThat(schedule.after(1, Duration.ofSeconds(1))).hasValueSatisfying(wait ->
                assertThat(wait).isGreaterThanOrEqualTo(Duration.ofMillis(4500)));
        assertThat(schedule.after(4, Duration.ofSeconds(1))).isEmpty();
    }

    @Test
    void refusesWaitsThatAreNotPositive() {
        assertThatThrownBy(() -> new RetrySchedule(List.of(Duration.ofSeconds(5), Duration.ZERO)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("gateway.webhooks.retry-schedule");
    }
}
