package com.ltxgateway.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import com.ltxgateway.support.MutableClock;
import com.ltxgateway.training.Training.Transition;

import org.junit.jupiter.api.Test;

/** The state machine of one training, without a database: its statuses, its submit attempts, its faults. */
class TrainingTests {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-05-04T10:00:00Z"));

    @Test
    void aNewTrainingIsPendingWithNothingSubmitted() {
        Training training = training("live");

        assertThat(training.status()).isEqualTo(TrainingStatus.PENDING);
        assertThat(training.submission()).isEqualTo(SubmissionState.NONE);
        assertThat(training.isUnsubmitted()).isTrue();
        assertThat(training.awaitsFalRequest()).isFalse();
        assertThat(training.createdAt()).isEqualTo(clock.instant());
    }

    @Test
    void movesForwardThroughItsStatusesAndMaySkipButNeverGoesBack() {
        Training training = training("live");
        accept(training, "req-1");

        assertThat(training.running(advance())).isEqualTo(new Transition(TrainingStatus.QUEUED, TrainingStatus.RUNNING));
        assertThat(training.startedAt()).isEqualTo(clock.instant());
        assertThat(training.queued(3)).as("running does not go back to queued").isNull();
        assertThat(training.queuePosition()).isNull();
        assertThat(training.running(advance())).as("a repeated observation changes nothing").isNull();

        Training skipping = training("live");
        assertThat(skipping.running(advance())).isEqualTo(new Transition(TrainingStatus.PENDING, TrainingStatus.RUNNING));
    }

    @Test
    void aQueuedTrainingFollowsItsQueuePosition() {
        Training training = training("live");
        training.acceptedByFal("req-1", null, null, null, 7, advance());

        assertThat(training.queued(4)).isNull();
        assertThat(training.queuePosition()).isEqualTo(4);
        training.running(advance());
        assertThat(training.queuePosition()).isNull();
    }

    @Test
    void terminalStatesNeverChange() {
        Training training = training("live");
        Instant finished = advance();
        assertThat(training.failed("{\"code\":\"x\"}", finished)).isEqualTo(new Transition(TrainingStatus.PENDING, TrainingStatus.FAILED));

        assertThat(training.succeeded("{}", advance())).isNull();
        assertThat(training.canceled(advance())).isNull();
        assertThat(training.running(advance())).isNull();
        assertThat(training.acceptedByFal("req-late", null, null, null, 1, advance())).isNull();
        assertThat(training.status()).isEqualTo(TrainingStatus.FAILED);
        assertThat(training.finishedAt()).isEqualTo(finished);
        assertThat(training.output()).isNull();
    }

    @Test
    void aSuccessKeepsItsOutputAndCountsAsStartedWhenNoPollSawTheRunStart() {
        Training training = training("live");
        accept(training, "req-1");
        Instant done = advance();

        training.succeeded("{\"lora_file\":{}}", done);

        assertThat(training.output()).isEqualTo("{\"lora_file\":{}}");
        assertThat(training.startedAt()).isEqualTo(done);
        assertThat(training.finishedAt()).isEqualTo(done);
        assertThat(training.costUsd()).as("fal's billing says what a live success cost").isNull();
    }

    @Test
    void whatFalDoesNotBillCostsNothing() {
        Training failed = training("live");
        failed.failed("{}", advance());
        Training canceled = training("live");
        canceled.canceled(advance());
        Training sandbox = training("sandbox");
        sandbox.succeeded("{}", advance());
        Training billed = training("live");
        billed.billed(new BigDecimal("0.25"));
        billed.failed("{}", advance());

        assertThat(failed.costUsd()).isEqualByComparingTo("0");
        assertThat(canceled.costUsd()).isEqualByComparingTo("0");
        assertThat(sandbox.costUsd()).isEqualByComparingTo("0");
        assertThat(billed.costUsd()).as("a billing event wins").isEqualByComparingTo("0.25");
    }

    @Test
    void aSubmitAttemptIsPermittedOnlyWhileNothingThatMayHaveReachedFalIsOutstanding() {
        Training training = training("live");

        assertThat(training.beginSubmitAttempt(advance())).isEqualTo(1);
        assertThat(training.submission()).isEqualTo(SubmissionState.IN_FLIGHT);
        assertThat(training.isOutstanding(1)).isTrue();
        assertThat(training.isUnsubmitted()).isFalse();
        assertThat(training.awaitsFalRequest()).isTrue();
        assertThatThrownBy(() -> training.beginSubmitAttempt(advance())).isInstanceOf(IllegalStateException.class);

        assertThat(training.submitNotAccepted(2)).as("another attempt's answer").isFalse();
        assertThat(training.submitNotAccepted(1)).isTrue();
        assertThat(training.submission()).isEqualTo(SubmissionState.NONE);
        assertThat(training.isOutstanding(1)).isFalse();
        assertThat(training.beginSubmitAttempt(advance())).isEqualTo(2);
    }

    @Test
    void aLostAnswerLeavesTheAttemptUnconfirmedUntilEvidenceOrAnAdminSettlesIt() {
        Training training = training("live");
        int attempt = training.beginSubmitAttempt(advance());
        Instant lost = advance();

        assertThat(training.submitUnconfirmed(attempt + 1, lost)).isFalse();
        assertThat(training.submitUnconfirmed(attempt, lost)).isTrue();
        assertThat(training.submitUnconfirmed(attempt, advance())).as("already unconfirmed").isFalse();
        assertThat(training.submission()).isEqualTo(SubmissionState.UNCONFIRMED);
        assertThat(training.submitUnconfirmedAt()).isEqualTo(lost);
        assertThat(training.isOutstanding(attempt)).isTrue();
        assertThat(training.submitNotAccepted(attempt)).as("only an attempt in flight is answered").isFalse();

        accept(training, "req-found");

        assertThat(training.submission()).isEqualTo(SubmissionState.ACCEPTED);
        assertThat(training.submitUnconfirmedAt()).isNull();
        assertThat(training.resubmitDecided()).isFalse();
    }

    @Test
    void anAdminsResubmitReopensOnlyAnUnconfirmedAttempt() {
        Training training = training("live");
        assertThat(training.resubmitDecided()).isFalse();
        int first = training.beginSubmitAttempt(advance());
        assertThat(training.resubmitDecided()).as("in flight, its answer may still come").isFalse();
        training.submitUnconfirmed(first, advance());

        assertThat(training.resubmitDecided()).isTrue();

        assertThat(training.submission()).isEqualTo(SubmissionState.NONE);
        assertThat(training.isOutstanding(first)).as("its late answer is a duplicate").isFalse();
        assertThat(training.beginSubmitAttempt(advance())).isEqualTo(first + 1);
    }

    @Test
    void theFirstRequestFalAcceptedIsKept() {
        Training training = training("live");
        Instant submitted = advance();
        training.acceptedByFal("req-1", "https://queue.fal.run/s", "https://queue.fal.run/r", "https://queue.fal.run/c", 2, submitted);

        assertThat(training.acceptedByFal("req-2", null, null, null, 1, advance())).isNull();

        assertThat(training.falRequestId()).isEqualTo("req-1");
        assertThat(training.falStatusUrl()).isEqualTo("https://queue.fal.run/s");
        assertThat(training.submittedAt()).isEqualTo(submitted);
        assertThat(training.queuePosition()).isEqualTo(1);
    }

    @Test
    void aCancelIsRequestedOnce() {
        Training training = training("live");
        Instant requested = advance();

        assertThat(training.requestCancel(requested)).isTrue();
        assertThat(training.requestCancel(advance())).isFalse();

        assertThat(training.cancelRequestedAt()).isEqualTo(requested);
        assertThat(training.status()).isEqualTo(TrainingStatus.PENDING);
    }

    @Test
    void falsFaultsShowSinceWhenUntilFalAnswersOrTheTrainingEnds() {
        Training training = training("live");
        Instant first = advance();

        training.falUnreachable(first);
        training.falUnreachable(advance());
        assertThat(training.falUnreachableSince()).isEqualTo(first);
        training.falReachable();
        assertThat(training.falUnreachableSince()).isNull();

        training.falUnreachable(advance());
        training.canceled(advance());
        assertThat(training.falUnreachableSince()).isNull();
    }

    private Training training(String mode) {
        return new Training("trn_" + UUID.randomUUID(), UUID.randomUUID(), mode, "{}", 1000, new BigDecimal("0.0024"), "{}", null, TrainingPriority.NORMAL, null,
                clock.instant());
    }

    private void accept(Training training, String requestId) {
        assertThat(training.acceptedByFal(requestId, null, null, null, 0, advance())).isNotNull();
    }

    private Instant advance() {
        clock.advance(Duration.ofSeconds(1));
        return clock.instant();
    }
}
