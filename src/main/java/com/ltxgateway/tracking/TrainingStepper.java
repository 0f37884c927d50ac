package com.ltxgateway.tracking;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;

import com.ltxgateway.LogFields;
import com.ltxgateway.fal.FalQueuePriority;
import com.ltxgateway.fal.FalCancellation;
import com.ltxgateway.fal.FalEndpoint;
import com.ltxgateway.fal.FalOutcome;
import com.ltxgateway.fal.FalQueue;
import com.ltxgateway.fal.FalStatus;
import com.ltxgateway.fal.FalSubmission;
import com.ltxgateway.fal.SubmitGate;
import com.ltxgateway.tracking.TrackingJobs.ClaimedJob;
import com.ltxgateway.training.Fence;
import com.ltxgateway.training.TrainingStatus;
import com.ltxgateway.training.TrainingTimeline;
import com.ltxgateway.training.TrainingTransitions;
import com.ltxgateway.training.TrainingTransitions.Acceptance;
import com.ltxgateway.training.TrainingTransitions.SubmitDecision;
import com.ltxgateway.training.TrainingTransitions.SubmitPermit;
import com.ltxgateway.training.TrainingTransitions.TrackedTraining;

import tools.jackson.databind.JsonNode;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.core.retry.RetryPolicy;
import org.springframework.core.retry.RetryTemplate;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;
import org.springframework.transaction.TransactionException;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Takes one claimed training one step further: submit it, forward its cancel, or read its status (and result),
 * unless fal's webhook has reported its end already and waits to be applied.
 * What fal answers is applied through {@link TrainingTransitions}, fenced by the claim, so a step whose claim was
 * taken over changes nothing. When the next step is due is the {@link PollSchedule}'s: when fal is unavailable, the
 * step is retried with exponential backoff and jitter, never sooner than fal's Retry-After, for as long as it takes:
 * nothing fails on a timer.
 * <p>
 * A submit is recorded as an attempt at the last moment before it is written to fal (the gate of
 * {@link FalQueue#submit}). From then on, until fal's answer is stored, the training is never submitted again: an
 * answer that is lost, or a step that ends without storing it (its instance died, stopped or lost the database),
 * leaves the attempt unconfirmed, for evidence or an admin to settle.
 */
@Component
class TrainingStepper {

    private static final Logger log = LoggerFactory.getLogger(TrainingStepper.class);
    /** When a training waiting for its turn at fal is looked at again if nothing made it due before. */
    private static final Duration WAITING_BACKSTOP = Duration.ofHours(1);
    /** What fal answered a submit is worth retrying through a database restart for. */
    private static final Duration STORE_ANSWER_FOR = Duration.ofMinutes(5);

    private final TrainingTransitions transitions;
    private final TrainingTimeline timeline;
    private final TrackingJobs jobs;
    private final FalWebhookInbox inbox;
    private final FalQueue fal;
    private final KeyModeRouting endpoints;
    private final FalCompletions completions;
    private final TrackerProperties properties;
    private final TransactionTemplate transactions;
    private final FalKeyAlarm keyAlarm;
    private final PollSchedule schedule;
    private final RetryTemplate storeRetries;
    private final StepTurns turns;
    private final Clock clock;

    TrainingStepper(TrainingTransitions transitions, TrainingTimeline timeline, TrackingJobs jobs, FalWebhookInbox inbox, FalQueue fal,
            KeyModeRouting endpoints, FalCompletions completions, TrackerProperties properties, TransactionTemplate transactions,
            FalKeyAlarm keyAlarm, StepTurns turns, Clock clock) {
        this.transitions = transitions;
        this.timeline = timeline;
        this.jobs = jobs;
        this.inbox = inbox;
        this.fal = fal;
        this.endpoints = endpoints;
        this.completions = completions;
        this.properties = properties;
        this.transactions = transactions;
        this.keyAlarm = keyAlarm;
        this.turns = turns;
        this.clock = clock;
        this.schedule = new PollSchedule(properties);
        this.storeRetries = new RetryTemplate(RetryPolicy.builder()
                .includes(DataAccessException.class, TransactionException.class)
                .delay(Duration.ofMillis(250)).multiplier(2).maxDelay(Duration.ofSeconds(10))
                .timeout(STORE_ANSWER_FOR)
                .maxRetries(Long.MAX_VALUE)
                .build());
    }

    void step(ClaimedJob job) {
        Optional<TrackedTraining> found = transitions.find(job.trainingId());
        if (found.isEmpty() || found.get().status().isTerminal()) {
            jobs.remove(job.trainingId());
            return;
        }
        TrackedTraining training = found.get();
        Fence fence = new ClaimFence(jobs, job);
        if (training.falRequest() != null) {
            MDC.put(LogFields.FAL_REQUEST_ID, training.falRequest().requestId());
        }
        Optional<FalEndpoint> endpoint = endpoints.forMode(training.mode());
        if (endpoint.isEmpty() && "sandbox".equals(training.mode())) {
            // The simulator is gone with the sandbox, and a sandbox training costs nothing: nothing is lost.
            transitions.canceled(training.id(), fence, "canceled: the sandbox is switched off on this gateway");
            return;
        }
        if (endpoint.isEmpty()) {
            unavailable(job, fence, new FalOutcome.Unavailable<>(0, "no fal key is configured", null));
            return;
        }
        switch (training.status()) {
            case PENDING -> pending(job, fence, training, endpoint.get());
            default -> {
                if (training.cancelRequested() && job.cancelConfirmedAt() == null) {
                    cancel(job, fence, training, endpoint.get());
                }
                else if (inbox.holds(training.id(), training.falRequest().requestId())) {
                    reportKept(job);
                }
                else {
                    poll(job, fence, training, endpoint.get());
                }
            }
        }
    }

    private void pending(ClaimedJob job, Fence fence, TrackedTraining training, FalEndpoint endpoint) {
        switch (training.submission()) {
            case NONE -> submit(job, fence, training, endpoint);
            // The claim that made the attempt ended without storing how it went: its instance died, was stopped or
            // lost the database during the call, after the request may have been written.
            case IN_FLIGHT -> unconfirmed(job, fence, training.id(), training.attempt(), "the instance that made submit attempt "
                    + training.attempt() + " stopped before it stored fal's answer");
            // Waits for evidence; whatever settles it nudges the job.
            case UNCONFIRMED, ACCEPTED -> jobs.release(job, properties.pollMaxInterval(), Duration.ZERO, null);
        }
    }

    private void submit(ClaimedJob job, Fence fence, TrackedTraining training, FalEndpoint endpoint) {
        String id = training.id();
        JsonNode input = transitions.input(id);
        URI webhook = endpoints.webhookUrl(training.mode(), id);
        Gate gate = new Gate(() -> transitions.beginSubmission(id, fence));
        FalQueuePriority priority = FalTranslation.toFal(training.priority());
        FalOutcome<FalSubmission> outcome = turns.waitingFor(() -> fal.submit(endpoint, input, priority, webhook, gate));
        SubmitPermit permit = gate.permit;
        if (permit == null) {
            if (!gate.asked && outcome instanceof FalOutcome.Unavailable<FalSubmission> unavailable) {
                unavailable(job, fence, unavailable);
            }
            else if (gate.waiting) {
                // Its turn comes when a slot is freed or a limit changes, which makes the job due at once, and the
                // tracker's look every poll-max-interval catches a nudge that was lost: a waiting training asks for
                // nothing on a timer of its own.
                jobs.release(job, WAITING_BACKSTOP, Duration.ZERO, null);
            }
            else if (gate.failure == null) {
                // Canceled before it was sent, or another submit is outstanding: the next step sees which.
                jobs.release(job, Duration.ZERO, Duration.ZERO, null);
            }
            // A gate that failed (the claim was lost, the database is away) leaves the job to its lease.
            return;
        }
        int attempt = permit.attempt();
        switch (outcome) {
            case FalOutcome.Success<FalSubmission> success -> {
                keyAlarm.accepted();
                MDC.put(LogFields.FAL_REQUEST_ID, success.value().request().requestId());
                storeAcceptance(job, training, attempt, success.value());
            }
            case FalOutcome.Rejected<FalSubmission> rejected -> stored(() -> transitions.submitRejected(id, attempt, fence,
                    FalTranslation.fromFal(rejected.error()), "fal rejected the request (HTTP " + rejected.httpStatus() + ")"));
            case FalOutcome.Unavailable<FalSubmission> unavailable when unavailable.answerLost() -> unconfirmed(job, fence, id,
                    attempt, "fal's answer to submit attempt " + attempt + " was lost (" + unavailable.reason() + ")");
            case FalOutcome.Unavailable<FalSubmission> unavailable -> {
                stored(() -> transitions.submitNotAccepted(id, attempt, fence));
                unavailable(job, fence, unavailable);
            }
        }
    }

    /**
     * fal holds the request from now on, so its id must not be lost to a database hiccup: storing it is retried for
     * minutes, in one transaction with the job's release. Should it still fail, the attempt stays open and the next
     * claim marks it unconfirmed; fal's webhook or request listing then names the request, and the log line here lets an
     * operator find it meanwhile.
     */
    private void storeAcceptance(ClaimedJob job, TrackedTraining training, int attempt, FalSubmission submission) {
        String id = training.id();
        try {
            stored(() -> inTransaction(() -> {
                Acceptance acceptance = transitions.accepted(id, attempt, FalTranslation.fromFal(submission.request()),
                        submission.queuePosition());
                if (training.falUnreachable()) {
                    timeline.falReachable(id);
                }
                // A cancel to forward, or an unwanted request to cancel, is the next step's at once.
                Duration next = acceptance == Acceptance.TRACK ? properties.pollMinInterval() : Duration.ZERO;
                jobs.release(job, schedule.spread(next), properties.pollMinInterval(), "IN_QUEUE");
            }));
        }
        catch (RuntimeException e) {
            log.error("fal accepted request {} for training {} (attempt {}), but it could not be stored; the training waits"
                    + " for fal's webhook or request listing to name it", submission.request().requestId(), id, attempt, e);
            throw e;
        }
    }

    /**
     * fal's definite answer that it did not take the submit (an error status, a refusal) is worth as much as an
     * acceptance: lost to a database restart, it would leave the training unconfirmed for an admin to settle.
     */
    private void stored(Runnable write) {
        storeRetries.invoke(() -> {
            write.run();
            return null;
        });
    }

    /** The training's own cancel, sent again until fal confirms it; then polls tell how the run ended. */
    private void cancel(ClaimedJob job, Fence fence, TrackedTraining training, FalEndpoint endpoint) {
        switch (turns.waitingFor(() -> fal.cancel(endpoint, FalTranslation.toFal(training.falRequest())))) {
            case FalOutcome.Success<FalCancellation> success -> {
                switch (success.value()) {
                    case OK -> transitions.canceled(training.id(), fence, "canceled at fal");
                    case NOT_FOUND -> transitions.canceled(training.id(), fence, "canceled; fal no longer knows the request");
                    case CANCELLATION_REQUESTED, ALREADY_COMPLETED -> inTransaction(() -> {
                        jobs.cancelConfirmed(job);
                        jobs.release(job, Duration.ZERO, properties.pollMinInterval(), job.lastFalState());
                    });
                }
            }
            case FalOutcome.Rejected<FalCancellation> rejected -> unavailable(job, fence, new FalOutcome.Unavailable<>(
                    rejected.httpStatus(), "HTTP " + rejected.httpStatus() + ": fal refused the cancel: " + rejected.error().message(), null));
            case FalOutcome.Unavailable<FalCancellation> unavailable -> unavailable(job, fence, unavailable);
        }
    }

    /**
     * fal's webhook has reported the run's end and waits to be applied, which finishes the training and removes this
     * job: a poll would only ask fal what the gateway already knows. Should applying it fail for good, the inbox
     * drops it and the next step, at the backstop interval, polls as usual; one that needs the tracker sooner (a
     * result the webhook could not carry) nudges it.
     */
    private void reportKept(ClaimedJob job) {
        jobs.release(job, properties.pollBackstopInterval(), job.pollInterval(), job.lastFalState());
    }

    private void poll(ClaimedJob job, Fence fence, TrackedTraining training, FalEndpoint endpoint) {
        int logsFrom = training.logLines();
        switch (turns.waitingFor(() -> fal.status(endpoint, FalTranslation.toFal(training.falRequest()), logsFrom))) {
            case FalOutcome.Success<FalStatus> success -> {
                keyAlarm.accepted();
                FalStatus status = success.value();
                if (status.state() == FalStatus.State.COMPLETED) {
                    // The result is fetched outside any transaction: no database connection waits on fal.
                    inTransaction(() -> answered(training, status, logsFrom));
                    completions.fetch(training, endpoint, fence, status.error() == null)
                            .ifPresent(unavailable -> unavailable(job, fence, unavailable));
                    return;
                }
                Duration interval = schedule.afterReading(job, status.state(), endpoints.webhooksExpected(training.mode()));
                TrainingStatus reported = status.state() == FalStatus.State.IN_QUEUE ? TrainingStatus.QUEUED : TrainingStatus.RUNNING;
                inTransaction(() -> {
                    answered(training, status, logsFrom);
                    // Most readings repeat what the training shows: the release alone is then the whole write, with
                    // no lock on the training's row. A change made meanwhile is newer than this reading anyway.
                    if (!training.alreadyShows(reported, status.queuePosition())) {
                        if (reported == TrainingStatus.QUEUED) {
                            transitions.queued(training.id(), fence, status.queuePosition());
                        }
                        else {
                            transitions.running(training.id(), fence);
                        }
                    }
                    jobs.release(job, schedule.spread(interval), interval, status.state().name());
                });
            }
            // fal accepted this request, so a refusal now is not an answer about the run: keep asking.
            case FalOutcome.Rejected<FalStatus> rejected -> unavailable(job, fence, new FalOutcome.Unavailable<>(rejected.httpStatus(),
                    "HTTP " + rejected.httpStatus() + ": fal does not know the request", null));
            case FalOutcome.Unavailable<FalStatus> unavailable -> unavailable(job, fence, unavailable);
        }
    }

    /** What any status reading brings besides the state: fal answers again, and its new log lines. */
    private void answered(TrackedTraining training, FalStatus status, int logsFrom) {
        if (training.falUnreachable()) {
            timeline.falReachable(training.id());
        }
        if (!status.logs().isEmpty() || status.nextLogIndex() != logsFrom) {
            timeline.logs(training.id(), status.nextLogIndex() - status.logs().size(), FalTranslation.fromFal(status.logs()),
                    status.nextLogIndex());
        }
    }

    /** Shown on the timeline and as the training's fal_unreachable_since; retried after a backoff, for as long as it takes. */
    private void unavailable(ClaimedJob job, Fence fence, FalOutcome.Unavailable<?> unavailable) {
        Instant failingSince = job.failingSince() != null ? job.failingSince() : clock.instant();
        int attempts = job.failedAttempts() + 1;
        Duration wait = schedule.afterFault(attempts, unavailable.retryAfter());
        if (unavailable.keyRefused()) {
            keyAlarm.refused(unavailable.reason());
        }
        String what = unavailable.keyRefused() ? "fal refused the gateway's key (" + unavailable.reason() + "; check FAL_KEY)"
                : "fal unavailable (" + unavailable.reason() + ")";
        inTransaction(() -> {
            timeline.falUnavailable(job.trainingId(), fence, what + "; retrying in " + wait.toMillis() + " ms");
            jobs.releaseAfterFailure(job, wait, failingSince, attempts, unavailable.reason());
        });
    }

    /**
     * The attempt waits for evidence of whether fal holds it. The log line is for whoever the alert on
     * {@code gateway_trainings_unconfirmed} sends to look: which training, and why.
     */
    private void unconfirmed(ClaimedJob job, Fence fence, String id, int attempt, String reason) {
        Optional<String> recorded = transactions.execute(tx -> {
            Optional<String> message = timeline.submitUnconfirmed(id, attempt, fence, reason);
            jobs.release(job, properties.pollMaxInterval(), Duration.ZERO, null);
            return message;
        });
        recorded.ifPresent(message -> log.warn("Submit attempt {} of training {} is unconfirmed: {}", attempt, id, message));
    }

    private void inTransaction(Runnable writes) {
        transactions.executeWithoutResult(tx -> writes.run());
    }

    /**
     * Records the permit when the adapter opens the gate; remembers whether it was asked at all, whether the training
     * waits for its turn and whether asking failed, which tells a submit that never left (fal unreachable) from one the
     * gateway itself held back.
     */
    private static final class Gate implements SubmitGate {

        private final Supplier<SubmitDecision> begin;
        private volatile boolean asked;
        private volatile SubmitPermit permit;
        private volatile boolean waiting;
        private volatile RuntimeException failure;

        Gate(Supplier<SubmitDecision> begin) {
            this.begin = begin;
        }

        @Override
        public boolean open() {
            asked = true;
            try {
                SubmitDecision decision = begin.get();
                permit = decision.permit();
                waiting = decision.waiting() != null;
                return permit != null;
            }
            catch (RuntimeException e) {
                failure = e;
                throw e;
            }
        }
    }
}
