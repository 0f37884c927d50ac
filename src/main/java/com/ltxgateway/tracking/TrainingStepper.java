package com.ltxgateway.tracking;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import com.ltxgateway.LogFields;
import com.ltxgateway.fal.FalCancellation;
import com.ltxgateway.fal.FalEndpoint;
import com.ltxgateway.fal.FalError;
import com.ltxgateway.fal.FalOutcome;
import com.ltxgateway.fal.FalQueue;
import com.ltxgateway.fal.FalRequestRef;
import com.ltxgateway.fal.FalStatus;
import com.ltxgateway.fal.FalSubmission;
import com.ltxgateway.fal.SubmitGate;
import com.ltxgateway.tracking.TrackingJobs.ClaimedJob;
import com.ltxgateway.training.TrainingStatus;
import com.ltxgateway.training.TrainingTransitions;
import com.ltxgateway.training.TrainingTransitions.Acceptance;
import com.ltxgateway.training.TrainingTransitions.SubmitPermit;
import com.ltxgateway.training.TrainingTransitions.TrackedTraining;

import io.github.resilience4j.core.IntervalFunction;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.core.retry.RetryPolicy;
import org.springframework.core.retry.RetryTemplate;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;
import org.springframework.transaction.TransactionException;

/**
 * Takes one claimed training one step further: submit it, forward its cancel, or read its status (and result).
 * What fal answers is applied through {@link TrainingTransitions}; when fal is unavailable the step is retried
 * with exponential backoff and jitter, never sooner than fal's Retry-After, until the retry deadline fails the
 * training.
 */
@Component
class TrainingStepper {

    private static final Logger log = LoggerFactory.getLogger(TrainingStepper.class);

    private final TrainingTransitions transitions;
    private final TrackingJobs jobs;
    private final FalQueue fal;
    private final FalEndpoints endpoints;
    private final FalCompletions completions;
    private final TrackerProperties properties;
    private final IntervalFunction retryBackoff;
    private final RetryTemplate storeRetries;
    private final Clock clock;

    TrainingStepper(TrainingTransitions transitions, TrackingJobs jobs, FalQueue fal, FalEndpoints endpoints,
            FalCompletions completions, TrackerProperties properties, Clock clock) {
        this.transitions = transitions;
        this.jobs = jobs;
        this.fal = fal;
        this.endpoints = endpoints;
        this.completions = completions;
        this.properties = properties;
        this.clock = clock;
        this.retryBackoff = IntervalFunction.ofExponentialRandomBackoff(properties.retryInitialInterval(), 2.0, 0.5,
                properties.retryMaxInterval());
        this.storeRetries = new RetryTemplate(RetryPolicy.builder()
                .includes(DataAccessException.class, TransactionException.class)
                .delay(Duration.ofMillis(250)).multiplier(2).maxDelay(Duration.ofSeconds(5))
                .timeout(properties.lease().dividedBy(2))
                .maxRetries(Long.MAX_VALUE)
                .build());
    }

    void step(ClaimedJob job, String owner) {
        Optional<TrackedTraining> found = transitions.find(job.trainingId());
        if (found.isEmpty() || found.get().status().isTerminal()) {
            jobs.remove(job.trainingId());
            return;
        }
        TrackedTraining training = found.get();
        if (training.falRequest() != null) {
            MDC.put(LogFields.FAL_REQUEST_ID, training.falRequest().requestId());
        }
        Optional<FalEndpoint> endpoint = endpoints.forMode(training.mode());
        if (endpoint.isEmpty()) {
            unavailable(job, owner, training, new FalOutcome.Unavailable<>(0, "no fal key is configured", null));
            return;
        }
        if (training.status() == TrainingStatus.PENDING) {
            submit(job, owner, endpoint.get());
        }
        else if (training.cancelRequested() && job.cancelSentAt() == null) {
            cancel(job, owner, training, endpoint.get());
        }
        else {
            poll(job, owner, training, endpoint.get());
        }
    }

    private void submit(ClaimedJob job, String owner, FalEndpoint endpoint) {
        Optional<SubmitPermit> permit = transitions.beginSubmission(job.trainingId());
        if (permit.isEmpty()) {
            jobs.release(job.trainingId(), owner, Duration.ZERO, Duration.ZERO, null);
            return;
        }
        URI webhook = endpoints.webhookUrl(permit.get().mode(), job.trainingId());
        switch (fal.submit(endpoint, permit.get().input(), webhook, SubmitGate.ALWAYS_OPEN)) {
            case FalOutcome.Success<FalSubmission> success -> {
                MDC.put(LogFields.FAL_REQUEST_ID, success.value().request().requestId());
                Acceptance acceptance = storeAcceptance(job.trainingId(), endpoint, success.value());
                if (acceptance != Acceptance.TRACK) {
                    sendCancel(job.trainingId(), endpoint, success.value().request());
                }
                if (acceptance == Acceptance.TRACK_AND_CANCEL) {
                    jobs.cancelSent(job.trainingId(), owner);
                }
                jobs.release(job.trainingId(), owner, properties.pollMinInterval(), properties.pollMinInterval(), "IN_QUEUE");
            }
            case FalOutcome.Rejected<FalSubmission> rejected ->
                transitions.failed(job.trainingId(), rejected.error(), "fal rejected the request (HTTP " + rejected.httpStatus() + ")");
            case FalOutcome.Unavailable<FalSubmission> unavailable when unavailable.answerLost() -> {
                // fal has no idempotent submit: submitting again now could start a second, billed run. fal's
                // webhook names the request if it has it; only after the wait is the training submitted again.
                transitions.submitUnconfirmed(job.trainingId(), "fal's answer to the submit was lost (" + unavailable.reason()
                        + "); fal may hold the request, so the gateway waits " + properties.unconfirmedSubmitWait()
                        + " for fal to report it before submitting again");
                jobs.release(job.trainingId(), owner, properties.unconfirmedSubmitWait(), Duration.ZERO, null);
            }
            case FalOutcome.Unavailable<FalSubmission> unavailable -> unavailable(job, owner, null, unavailable);
        }
    }

    /**
     * fal holds the request from now on, so its id must not be lost to a database hiccup: storing it is retried
     * for a while. If it still cannot be stored, the request is canceled so that it never runs unseen; the
     * training stays pending and is submitted again once its lease runs out.
     */
    private Acceptance storeAcceptance(String trainingId, FalEndpoint endpoint, FalSubmission submission) {
        try {
            return storeRetries.invoke(() -> transitions.accepted(trainingId, submission));
        }
        catch (RuntimeException e) {
            log.error("Could not store fal request {} of training {}; canceling it at fal", submission.request().requestId(), trainingId, e);
            sendCancel(trainingId, endpoint, submission.request());
            throw e;
        }
    }

    private void cancel(ClaimedJob job, String owner, TrackedTraining training, FalEndpoint endpoint) {
        switch (fal.cancel(endpoint, training.falRequest())) {
            case FalOutcome.Success<FalCancellation> success -> {
                switch (success.value()) {
                    case OK -> transitions.canceled(training.id(), "canceled at fal");
                    case NOT_FOUND -> transitions.canceled(training.id(), "canceled; fal no longer knows the request");
                    case CANCELLATION_REQUESTED, ALREADY_COMPLETED -> {
                        // fal stops the run (or it ended already): the status tells how it ended.
                        jobs.cancelSent(training.id(), owner);
                        jobs.release(training.id(), owner, Duration.ZERO, properties.pollMinInterval(), job.lastFalState());
                    }
                }
            }
            case FalOutcome.Rejected<FalCancellation> rejected -> {
                log.warn("fal refused to cancel training {}: {}", training.id(), rejected.error().message());
                transitions.falUnavailable(training.id(), "fal refused the cancel: " + rejected.error().message());
                jobs.cancelSent(training.id(), owner);
                jobs.release(training.id(), owner, properties.pollMinInterval(), properties.pollMinInterval(), job.lastFalState());
            }
            case FalOutcome.Unavailable<FalCancellation> unavailable -> unavailable(job, owner, training, unavailable);
        }
    }

    private void poll(ClaimedJob job, String owner, TrackedTraining training, FalEndpoint endpoint) {
        switch (fal.status(endpoint, training.falRequest(), 0)) {
            case FalOutcome.Success<FalStatus> success -> {
                FalStatus status = success.value();
                switch (status.state()) {
                    case IN_QUEUE -> transitions.queued(training.id(), status.queuePosition());
                    case IN_PROGRESS -> transitions.running(training.id(), status.logs());
                    case COMPLETED -> {
                        transitions.logs(training.id(), status.logs());
                        complete(job, owner, training, endpoint);
                        return;
                    }
                }
                // Only a poll sees a run start; once it has, the webhook reports the end and polls are just a backstop.
                Duration interval = status.state() == FalStatus.State.IN_PROGRESS && endpoints.webhooksExpected(training.mode())
                        ? properties.pollBackstopInterval() : nextPollInterval(job, status.state().name());
                jobs.release(training.id(), owner, interval, interval, status.state().name());
            }
            case FalOutcome.Rejected<FalStatus> rejected ->
                transitions.failed(training.id(), rejected.error(), "fal does not know the request any more (HTTP " + rejected.httpStatus() + ")");
            case FalOutcome.Unavailable<FalStatus> unavailable -> unavailable(job, owner, training, unavailable);
        }
    }

    private void complete(ClaimedJob job, String owner, TrackedTraining training, FalEndpoint endpoint) {
        completions.fetch(training, endpoint).ifPresent(unavailable -> unavailable(job, owner, training, unavailable));
    }

    private void unavailable(ClaimedJob job, String owner, TrackedTraining training, FalOutcome.Unavailable<?> unavailable) {
        Instant now = clock.instant();
        Instant failingSince = job.failingSince() != null ? job.failingSince() : now;
        String id = job.trainingId();
        if (Duration.between(failingSince, now).compareTo(properties.retryDeadline()) >= 0) {
            String message = "fal was unavailable for " + properties.retryDeadline() + ": " + unavailable.reason();
            if (training != null && training.cancelRequested()) {
                transitions.canceled(id, "cancel requested, and " + message);
            }
            else {
                transitions.failed(id, new FalError("fal_unavailable", message, null), message);
            }
            return;
        }
        int attempts = job.failedAttempts() + 1;
        Duration delay = Duration.ofMillis(retryBackoff.apply(attempts));
        if (unavailable.retryAfter() != null && unavailable.retryAfter().compareTo(delay) > 0) {
            delay = unavailable.retryAfter();
        }
        transitions.falUnavailable(id, "fal unavailable (" + unavailable.reason() + "); retrying in " + delay.toMillis() + " ms");
        jobs.releaseAfterFailure(id, owner, delay, failingSince, attempts, unavailable.reason());
    }

    private void sendCancel(String trainingId, FalEndpoint endpoint, FalRequestRef request) {
        var outcome = fal.cancel(endpoint, request);
        if (!(outcome instanceof FalOutcome.Success<?>)) {
            log.warn("Could not cancel fal request {} of training {}: {}", request.requestId(), trainingId, outcome);
        }
    }

    /** Quick after a change, slower while nothing happens, never slower than the configured maximum. */
    private Duration nextPollInterval(ClaimedJob job, String state) {
        if (!state.equals(job.lastFalState()) || job.pollInterval().isZero()) {
            return properties.pollMinInterval();
        }
        long grown = (long) (job.pollInterval().toMillis() * properties.pollBackoffMultiplier());
        return Duration.ofMillis(Math.min(grown, properties.pollMaxInterval().toMillis()));
    }
}
