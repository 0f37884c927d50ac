package com.ltxgateway.tracking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.List;

import com.ltxgateway.support.ApiOnlyTestSupport;
import com.ltxgateway.tracking.TrackingJobs.ClaimedJob;
import com.ltxgateway.training.FalRequest;
import com.ltxgateway.training.SubmissionState;
import com.ltxgateway.training.TrainingTimeline;
import com.ltxgateway.training.TrainingTransitions;
import com.ltxgateway.training.TrainingTransitions.Acceptance;
import com.ltxgateway.training.TrainingTransitions.SubmitPermit;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The rules that keep a submit from reaching fal twice, step by step on an API-only instance (no tracker runs, so
 * each test claims and steps by hand), with sandbox trainings whose submits go through the real adapter to the
 * simulator: a submit is an attempt recorded before it is sent, only while the claim holds its lease, and an attempt
 * that may have reached fal is never sent again by any step.
 */
class SubmitAttemptTests extends ApiOnlyTestSupport {

    private static final Duration LONG = Duration.ofMinutes(5);

    @Autowired
    private TrainingTransitions transitions;
    @Autowired
    private TrainingTimeline timeline;
    @Autowired
    private TrackingJobs jobs;
    @Autowired
    private TrainingStepper stepper;
    @Autowired
    private JdbcClient jdbc;
    @Autowired
    private TransactionTemplate transactions;

    @Test
    void aClaimWhoseLeaseRanOutGetsNoPermitAndRecordsNothing() {
        String id = newTraining();
        ClaimedJob expired = claim(id, Duration.ofMillis(1));
        pause();

        assertThatThrownBy(() -> transitions.beginSubmission(id, new ClaimFence(jobs, expired))).isInstanceOf(ClaimExpired.class);

        assertThat(attempts(id)).isZero();
        assertThat(transitions.find(id).orElseThrow().submission()).isEqualTo(SubmissionState.NONE);
    }

    @Test
    void anAttemptIsPermittedOnceUntilItsOutcomeIsKnown() {
        String id = newTraining();
        ClaimedJob job = claim(id, LONG);
        ClaimFence fence = new ClaimFence(jobs, job);

        SubmitPermit permit = transitions.beginSubmission(id, fence).permitted().orElseThrow();

        assertThat(permit.attempt()).isEqualTo(1);
        assertThat(transitions.beginSubmission(id, fence).permitted()).isEmpty();
        transitions.submitNotAccepted(id, permit.attempt(), fence);
        assertThat(transitions.beginSubmission(id, fence).permitted().orElseThrow().attempt()).isEqualTo(2);
    }

    @Test
    void anOpenAttemptTheNextClaimFindsIsUnconfirmedAndNeverSentAgain() {
        String id = newTraining();
        // An instance got its permit, may have sent the submit, and died before it stored anything.
        ClaimedJob dead = claim(id, LONG);
        transitions.beginSubmission(id, new ClaimFence(jobs, dead)).permitted().orElseThrow();
        expireLease(id);

        ClaimedJob survivor = claim(id, LONG);
        stepper.step(survivor);

        assertThat(transitions.find(id).orElseThrow().submission()).isEqualTo(SubmissionState.UNCONFIRMED);
        assertThat(eventMessages(id, "submit_unconfirmed")).singleElement().asString()
                .contains("stopped before it stored fal's answer");
        assertThat(simulatedRequestsFor(id)).isZero();

        // However often its job comes due, no step sends it again.
        for (int i = 0; i < 3; i++) {
            jobs.nudge(id);
            stepper.step(claim(id, LONG));
        }
        assertThat(simulatedRequestsFor(id)).isZero();
        assertThat(attempts(id)).isEqualTo(1);
        assertThat(eventMessages(id, "submit_unconfirmed")).hasSize(1);
    }

    @Test
    void aStepThatLostItsClaimBeforeItsGateSendsNothing() {
        String id = newTraining();
        ClaimedJob stale = claim(id, Duration.ofMillis(1));
        pause();
        claim(id, LONG);

        // The gate finds the claim gone, so the adapter writes nothing to the simulator.
        stepper.step(stale);

        assertThat(simulatedRequestsFor(id)).isZero();
        assertThat(attempts(id)).isZero();
    }

    @Test
    void theAnswerOfAnAttemptAnAdminGaveUpOnIsADuplicateToCancel() {
        String id = newTraining();
        ClaimedJob job = claim(id, LONG);
        ClaimFence fence = new ClaimFence(jobs, job);
        int attempt = transitions.beginSubmission(id, fence).permitted().orElseThrow().attempt();
        timeline.submitUnconfirmed(id, attempt, fence, "fal's answer was lost (test)");
        assertThat(api.post("/v1/admin/trainings/" + id + "/resubmit", ADMIN_KEY, "").status()).isEqualTo(202);

        String late = "late-" + id;
        Acceptance acceptance = transitions.accepted(id, attempt, new FalRequest(late, null, null, null), 0);

        assertThat(acceptance).isEqualTo(Acceptance.CANCEL_UNWANTED);
        assertThat(transitions.find(id).orElseThrow().submission()).isEqualTo(SubmissionState.NONE);
        assertThat(jdbc.sql("select training_id from fal_orphan where request_id = ? and cancel_due_at is not null").param(late)
                .query(String.class).single()).isEqualTo(id);
    }

    @Test
    void theLateAnswerOfAnUnconfirmedAttemptSettlesIt() {
        String id = newTraining();
        ClaimedJob job = claim(id, LONG);
        ClaimFence fence = new ClaimFence(jobs, job);
        int attempt = transitions.beginSubmission(id, fence).permitted().orElseThrow().attempt();
        timeline.submitUnconfirmed(id, attempt, fence, "fal's answer was lost (test)");

        Acceptance acceptance = transitions.accepted(id, attempt,
                new FalRequest("req-" + id, URI.create("http://127.0.0.1/s"), null, null), 3);

        assertThat(acceptance).isEqualTo(Acceptance.TRACK);
        assertThat(transitions.find(id).orElseThrow().falRequest().requestId()).isEqualTo("req-" + id);
        assertThat(api.get("/v1/trainings/" + id, ADMIN_KEY).json().get("submit_unconfirmed_at").isNull()).isTrue();
    }

    private String newTraining() {
        String key = newTeam("sandbox").key();
        return create(key, requestWithMetadata("{}")).get("id").asString();
    }

    private ClaimedJob claim(String id, Duration lease) {
        // Other tests' jobs may be due too; only this training's claim is kept, the rest handed back at once.
        List<ClaimedJob> claimed = transactions.execute(tx -> {
            jdbc.sql("update tracking_job set due_at = now() - interval '1 hour' where training_id = ?").param(id).update();
            return jobs.claim("test-" + id, 1, lease);
        });
        assertThat(claimed).singleElement().satisfies(job -> assertThat(job.trainingId()).isEqualTo(id));
        return claimed.getFirst();
    }

    /** What happens to the lease of an instance that died: it runs out. */
    private void expireLease(String id) {
        jdbc.sql("update tracking_job set lease_until = now() - interval '1 second' where training_id = ?").param(id).update();
    }

    private int attempts(String id) {
        return transitions.find(id).orElseThrow().attempt();
    }

    private long simulatedRequestsFor(String id) {
        return jdbc.sql("select count(*) from sandbox_request where webhook_url like ?").param("%/" + id + "/%").query(Long.class).single();
    }

    private List<String> eventMessages(String id, String type) {
        return jdbc.sql("select message from training_event where training_id = ? and type = ? order by id").params(id, type)
                .query(String.class).list();
    }

    private static void pause() {
        try {
            Thread.sleep(50);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
