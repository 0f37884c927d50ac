package com.ltxgateway.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Arrays;

import com.ltxgateway.fal.FalStatus.State;
import com.ltxgateway.tracking.TrackingJobs.ClaimedJob;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** When the stepper takes a training up again: its polls while fal works on it, and its backoff while fal fails. */
class PollScheduleTests {

    private static final TrackerProperties PROPERTIES = new TrackerProperties(true, Duration.ofMillis(500), 100, 64, 2, 0.25,
            Duration.ofSeconds(60), Duration.ofSeconds(2), Duration.ofSeconds(30), 1.5, 3, Duration.ofSeconds(2),
            Duration.ofMinutes(5), Duration.ofSeconds(60), 16, Duration.ofSeconds(1), null);

    private final PollSchedule schedule = new PollSchedule(PROPERTIES);

    @Test
    void pollsQuicklyAfterEveryChangeOfFalsState() {
        assertThat(schedule.afterReading(job(Duration.ZERO, null), State.IN_QUEUE, false)).isEqualTo(Duration.ofSeconds(2));
        assertThat(schedule.afterReading(job(Duration.ofSeconds(20), "IN_QUEUE"), State.IN_PROGRESS, false))
                .isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void slowsDownWhileNothingChangesUpToTheLongestInterval() {
        Duration interval = Duration.ofSeconds(2);
        for (long expected : new long[] { 3000, 4500, 6750, 10125, 15187, 22780, 30000, 30000 }) {
            interval = schedule.afterReading(job(interval, "IN_PROGRESS"), State.IN_PROGRESS, false);
            assertThat(interval).isEqualTo(Duration.ofMillis(expected));
        }
    }

    @Test
    void aRunningTrainingWhoseEndAWebhookReportsIsPolledOnlyAsABackstop() {
        assertThat(schedule.afterReading(job(Duration.ofSeconds(2), "IN_QUEUE"), State.IN_PROGRESS, true))
                .isEqualTo(Duration.ofSeconds(60));
        assertThat(schedule.afterReading(job(Duration.ofSeconds(60), "IN_PROGRESS"), State.IN_PROGRESS, true))
                .isEqualTo(Duration.ofSeconds(60));
        assertThat(schedule.afterReading(job(Duration.ofSeconds(2), "IN_QUEUE"), State.IN_QUEUE, true))
                .as("only a poll sees a run start").isEqualTo(Duration.ofSeconds(6));
    }

    @Test
    void aQueuedTrainingWhoseEndAWebhookReportsIsPolledLessAndLessUpToTheBackstop() {
        Duration interval = Duration.ZERO;
        for (long expected : new long[] { 2_000, 6_000, 18_000, 54_000, 60_000, 60_000 }) {
            interval = schedule.afterReading(job(interval, interval.isZero() ? null : "IN_QUEUE"), State.IN_QUEUE, true);
            assertThat(interval).isEqualTo(Duration.ofMillis(expected));
        }
        assertThat(schedule.afterReading(job(Duration.ofSeconds(30), "IN_QUEUE"), State.IN_QUEUE, false))
                .as("without a webhook, the longest interval bounds how late the end is seen").isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void spreadsEachWaitOverTheLastFifthOfItsInterval() {
        Duration interval = Duration.ofSeconds(60);
        assertThat(new PollSchedule(PROPERTIES, () -> 0.0).spread(interval)).isEqualTo(interval);
        assertThat(new PollSchedule(PROPERTIES, () -> 0.5).spread(interval)).isEqualTo(Duration.ofSeconds(54));
        assertThat(new PollSchedule(PROPERTIES, () -> Math.nextDown(1.0)).spread(interval)).isEqualTo(Duration.ofSeconds(48));
    }

    @Test
    void trainingsPolledTogetherDriftApart() {
        // A thousand queued trainings due in the same second, each read and released as the stepper does.
        PollSchedule spreading = new PollSchedule(PROPERTIES);
        long[] due = new long[1_000];
        for (int poll = 0; poll < 5; poll++) {
            for (int i = 0; i < due.length; i++) {
                due[i] += spreading.spread(Duration.ofSeconds(60)).toMillis();
            }
        }
        long[] perSecond = new long[400];
        for (long at : due) {
            perSecond[(int) (at / 1000)]++;
        }
        assertThat(Arrays.stream(perSecond).max().orElseThrow()).as("most polls due in one second").isLessThan(100);
        assertThat(Arrays.stream(due).max().orElseThrow()).as("never later than the intervals").isLessThanOrEqualTo(300_000);
    }

    @RepeatedTest(20)
    void backsOffExponentiallyWhileFalFailsAndNeverGivesUp() {
        assertThat(schedule.afterFault(1, null)).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(3));
        assertThat(schedule.afterFault(3, null)).isBetween(Duration.ofSeconds(4), Duration.ofSeconds(12));
        assertThat(schedule.afterFault(1_000, null)).isBetween(Duration.ofSeconds(150), Duration.ofSeconds(450));
    }

    @RepeatedTest(20)
    void neverRetriesSoonerThanFalsRetryAfter() {
        assertThat(schedule.afterFault(1, Duration.ofSeconds(20))).isEqualTo(Duration.ofSeconds(20));
        assertThat(schedule.afterFault(1, Duration.ofMillis(10))).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
    }

    private static ClaimedJob job(Duration pollInterval, String lastFalState) {
        return new ClaimedJob("trn_schedule", "test", 1, pollInterval, lastFalState, null, null, 0);
    }
}
