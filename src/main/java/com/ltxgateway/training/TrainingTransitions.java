package com.ltxgateway.training;

import java.math.BigDecimal;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;

import com.ltxgateway.fal.FalError;
import com.ltxgateway.fal.FalLogLine;
import com.ltxgateway.fal.FalRequestRecord;
import com.ltxgateway.fal.FalRequestRef;
import com.ltxgateway.fal.FalResult;
import com.ltxgateway.fal.FalSubmission;
import com.ltxgateway.training.Training.Transition;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Every change of a training's state after creation, for whoever observed it. Each method locks the training's
 * row, checks the caller's {@link Fence}, applies the change through {@link Training}, records it on the timeline
 * and publishes {@link TrainingStatusChanged}, all in one transaction. Reports that change nothing (repeats, late or
 * out-of-order observations) are accepted silently.
 * <p>
 * Submits follow one rule: fal's submit is not idempotent and fal bills every request that succeeds, so a submit
 * that may have reached fal is never sent again until evidence settles it (a fal webhook, fal's request listing, the
 * submit's own late answer) or an admin decides it did not reach fal.
 */
@Service
public class TrainingTransitions {

    private final TrainingRepository trainings;
    private final TrainingEvents events;
    private final ApplicationEventPublisher publisher;
    private final JsonMapper json;
    private final Clock clock;

    TrainingTransitions(TrainingRepository trainings, TrainingEvents events, ApplicationEventPublisher publisher,
            JsonMapper json, Clock clock) {
        this.trainings = trainings;
        this.events = events;
        this.publisher = publisher;
        this.json = json;
        this.clock = clock;
    }

    /**
     * What the tracker needs to know to take a training one step further.
     *
     * @param attempt the number of the latest submit attempt (0 before the first)
     * @param logLines how many of fal's log lines are on the timeline already
     */
    public record TrackedTraining(String id, TrainingStatus status, String mode, FalRequestRef falRequest,
            boolean cancelRequested, SubmissionState submission, int attempt, int logLines, boolean falUnreachable) {
    }

    /** Leave to send submit attempt {@code attempt} of a training. */
    public record SubmitPermit(String trainingId, int attempt) {
    }

    @Transactional(readOnly = true)
    public Optional<TrackedTraining> find(String id) {
        return trainings.findById(id).map(TrainingTransitions::tracked);
    }

    /** The input as it is forwarded to fal. */
    @Transactional(readOnly = true)
    public JsonNode input(String id) {
        return json.readTree(trainings.findById(id).orElseThrow(() -> new TrainingNotFound(id)).input());
    }

    /**
     * Records, before anything is sent, that a submit may now reach fal. A pending training with a cancel request is
     * canceled instead, and a training with a submit outstanding, or not pending, gets no permit.
     */
    @Transactional
    public Optional<SubmitPermit> beginSubmission(String id, Fence fence) {
        Training training = lock(id, fence);
        if (training.submission() != SubmissionState.NONE) {
            return Optional.empty();
        }
        Instant now = now();
        if (training.cancelRequestedAt() != null) {
            record(training, training.canceled(now), "canceled before it was submitted to fal", now);
            return Optional.empty();
        }
        return Optional.of(new SubmitPermit(id, training.beginSubmitAttempt(now)));
    }

    /** What to do with a request fal has just accepted. */
    public enum Acceptance {
        /** The training now follows this request. */
        TRACK,
        /** A cancel arrived while the submit was under way: the training follows the request, which must be canceled. */
        TRACK_AND_CANCEL,
        /** The training ended or follows another request meanwhile: this one is unwanted and is being canceled. */
        CANCEL_UNWANTED
    }

    /**
     * fal's answer to submit attempt {@code attempt}. The answer is evidence and is taken whenever it arrives, also
     * after the claim that made the attempt was lost: the request is the training's own while that attempt is still
     * open (in flight, or unconfirmed because its answer seemed lost).
     */
    @Transactional
    public Acceptance accepted(String id, int attempt, FalSubmission submission) {
        Training training = lock(id, Fence.NONE);
        Instant now = now();
        FalRequestRef ref = submission.request();
        boolean own = ref.requestId().equals(training.falRequestId());
        if (!own && !training.isOutstanding(attempt)) {
            unwanted(training, ref.requestId(), UnwantedFalRequest.SUBMIT_ANSWER, now);
            return Acceptance.CANCEL_UNWANTED;
        }
        // Already adopted when fal's webhook overtook this answer: the request is the training's own.
        if (!own) {
            boolean wasUnconfirmed = training.submission() == SubmissionState.UNCONFIRMED;
            record(training, training.acceptedByFal(ref.requestId(), string(ref.statusUrl()), string(ref.responseUrl()),
                    string(ref.cancelUrl()), submission.queuePosition(), now), "accepted by fal as request " + ref.requestId(), now);
            if (wasUnconfirmed) {
                publisher.publishEvent(new SubmissionSettled(id));
            }
        }
        return training.cancelRequestedAt() != null && !training.status().isTerminal() ? Acceptance.TRACK_AND_CANCEL : Acceptance.TRACK;
    }

    /**
     * Submit attempt {@code attempt} may have reached fal, but its answer is lost: the training stays pending, shows
     * why, and is never submitted again until evidence settles it.
     */
    @Transactional
    public void submitUnconfirmed(String id, int attempt, Fence fence, String reason) {
        Training training = lock(id, fence);
        if (training.submitUnconfirmed(attempt, now())) {
            events.append(id, TrainingEvents.SUBMIT_UNCONFIRMED, now(), null, reason + "; fal may hold the request, so the"
                    + " training is not submitted again until a fal webhook or fal's request listing names it, or an admin"
                    + " decides to resubmit it");
        }
    }

    /** fal did not take submit attempt {@code attempt} (it answered 429 or 5xx, or the attempt was never sent). */
    @Transactional
    public void submitNotAccepted(String id, int attempt, Fence fence) {
        lock(id, fence).submitNotAccepted(attempt);
    }

    /** fal refused the input of submit attempt {@code attempt} for good: the training fails, nothing was billed. */
    @Transactional
    public void submitRejected(String id, int attempt, Fence fence, FalError error, String cause) {
        Training training = lock(id, fence);
        if (training.submitNotAccepted(attempt)) {
            Instant now = now();
            record(training, training.failed(errorJson(error), now), cause, now);
        }
    }

    /**
     * An admin decided that fal does not hold a training's unconfirmed submit: it is submitted again (or, with a
     * cancel requested, canceled without reaching fal). Should the earlier request turn up after all, it is a
     * duplicate and is canceled.
     *
     * @throws TrainingResubmitRefused when the training has no unconfirmed submit
     */
    @Transactional
    void resubmit(Training training, String actor) {
        if (!training.resubmitDecided()) {
            throw new TrainingResubmitRefused(training.id(), training.status(), training.submission());
        }
        events.append(training.id(), TrainingEvents.SUBMIT_RETRIED, now(), null,
                actor + " decided that fal does not hold the unconfirmed submit; submitting again");
        publisher.publishEvent(new SubmissionSettled(training.id()));
    }

    /**
     * fal reported by webhook that {@code requestId} completed; recorded on the timeline whatever follows. Returns the
     * training when the request is the one it follows, adopting it first when the training still waits for a request
     * (the webhook can overtake the submit's answer, or the answer was lost). Empty when the training does not want
     * the request: a duplicate, which is being canceled.
     */
    @Transactional
    public Optional<TrackedTraining> falReported(String id, String requestId, String report) {
        Training training = lock(id, Fence.NONE);
        Instant now = now();
        events.append(id, TrainingEvents.FAL_WEBHOOK, now, null, "fal request " + requestId + ": " + report);
        if (!requestId.equals(training.falRequestId())) {
            if (!training.awaitsFalRequest()) {
                unwanted(training, requestId, UnwantedFalRequest.FAL_WEBHOOK, now);
                return Optional.empty();
            }
            adopt(training, requestId, "as fal's webhook reports", now);
        }
        return Optional.of(tracked(training));
    }

    /**
     * A request in fal's listing whose input and submit time match this training's unconfirmed submit. Returns
     * whether the training adopted it (it may have been settled meanwhile).
     */
    @Transactional
    public boolean adoptListed(String id, FalRequestRecord request) {
        Training training = lock(id, Fence.NONE);
        if (training.submission() != SubmissionState.UNCONFIRMED) {
            return false;
        }
        adopt(training, request.requestId(), "found in fal's request listing (sent at " + request.sentAt() + ")", now());
        return true;
    }

    @Transactional
    public void queued(String id, Fence fence, Integer queuePosition) {
        change(id, fence, (training, now) -> training.queued(queuePosition), "fal reports IN_QUEUE");
    }

    @Transactional
    public void running(String id, Fence fence) {
        change(id, fence, Training::running, "fal reports IN_PROGRESS");
    }

    /**
     * fal's log lines from index {@code from}, stored in one batch (lines already stored are not stored again), and
     * that the next reading goes on from {@code nextIndex}.
     */
    @Transactional
    public void logs(String id, int from, List<FalLogLine> lines, int nextIndex) {
        Training training = lock(id, Fence.NONE);
        if (!lines.isEmpty()) {
            events.appendLogs(id, now(), from, lines);
        }
        training.logsStoredUpTo(nextIndex);
    }

    /**
     * How a completed fal request ends its training, whoever found it completed (a poll, a fal webhook, fal's request
     * listing): the same outcome means the same state, output and error on every path. A success needs a LoRA and a
     * config file; an error cancels a training whose cancel was requested and fails any other.
     */
    @Transactional
    public void completed(String id, Fence fence, FalResult result) {
        switch (result) {
            case FalResult.Output output when output.output().path("lora_file").hasNonNull("url")
                    && output.output().path("config_file").hasNonNull("url") ->
                change(id, fence, (training, now) -> training.succeeded(json.writeValueAsString(output.output()), now),
                        "fal completed the training");
            case FalResult.Output output -> failed(id, fence, new FalError("fal_incomplete_output",
                    "fal completed without a LoRA or config file", output.output()), "fal's output is incomplete");
            case FalResult.Error error -> {
                Training training = lock(id, fence);
                Instant now = now();
                if (training.cancelRequestedAt() != null) {
                    record(training, training.canceled(now), "canceled at fal: " + error.error().message(), now);
                }
                else {
                    record(training, training.failed(errorJson(error.error()), now), "the training failed at fal", now);
                }
            }
        }
    }

    @Transactional
    public void failed(String id, Fence fence, FalError error, String cause) {
        change(id, fence, (training, now) -> training.failed(errorJson(error), now), cause);
    }

    @Transactional
    public void canceled(String id, Fence fence, String cause) {
        change(id, fence, Training::canceled, cause);
    }

    /**
     * A fal fault that is being retried: shown on the timeline, and from its first occurrence as the training's
     * {@code fal_unreachable_since}; the training's state is unchanged.
     */
    @Transactional
    public void falUnavailable(String id, Fence fence, String message) {
        Training training = lock(id, fence);
        training.falUnreachable(now());
        events.append(id, TrainingEvents.FAL_UNAVAILABLE, now(), null, message);
    }

    /** fal answered again after faults. */
    @Transactional
    public void falReachable(String id) {
        lock(id, Fence.NONE).falReachable();
    }

    /**
     * What fal billed for {@code requestId}. Returns false when no training follows that request.
     */
    @Transactional
    public boolean billed(String requestId, BigDecimal amount) {
        return trainings.findByFalRequestIdForUpdate(requestId).map(training -> {
            training.billed(amount);
            return true;
        }).orElse(false);
    }

    /** The training following {@code requestId}, if any. */
    @Transactional(readOnly = true)
    public Optional<TrackedTraining> following(String requestId) {
        return trainings.findByFalRequestId(requestId).map(TrainingTransitions::tracked);
    }

    /**
     * A pending training's open submit attempt, for matching against fal's request listing.
     *
     * @param unconfirmedAt null while the attempt is in flight
     */
    public record OpenSubmit(String trainingId, JsonNode input, Instant attemptedAt, Instant unconfirmedAt) {
    }

    /** Every pending training whose submit attempt is still open, oldest first. */
    @Transactional(readOnly = true)
    public List<OpenSubmit> openSubmits() {
        return trainings.findOpenSubmits().stream()
                .map(t -> new OpenSubmit(t.id(), json.readTree(t.input()), t.submitAttemptedAt(), t.submitUnconfirmedAt()))
                .toList();
    }

    /**
     * An attempt to tell a team's receiver about this training: shown on the timeline with the delivery's status
     * ({@code delivered}, {@code pending} while retried, {@code failed}); the training's state is unchanged.
     */
    @Transactional
    public void webhookDelivery(String id, String deliveryStatus, String message) {
        events.appendWebhookDelivery(id, now(), deliveryStatus, message);
    }

    /**
     * A cancel from the API. A training fal cannot hold is canceled at once and never reaches fal; one fal may hold
     * is marked and the tracker forwards the cancel once it knows the request (an unconfirmed submit waits for that).
     */
    @Transactional
    void requestCancel(Training training, String actor) {
        Instant now = now();
        if (training.status().isTerminal()) {
            throw new TrainingAlreadyFinished(training.id(), training.status());
        }
        if (training.isUnsubmitted()) {
            record(training, training.canceled(now), "canceled by " + actor + " before submission", now);
            return;
        }
        if (training.requestCancel(now)) {
            events.append(training.id(), TrainingEvents.CANCEL_REQUESTED, now, training.status(), "cancel requested by " + actor);
            publisher.publishEvent(new TrainingCancelRequested(training.id()));
        }
    }

    private void adopt(Training training, String requestId, String how, Instant now) {
        boolean waited = training.submission() == SubmissionState.UNCONFIRMED;
        record(training, training.acceptedByFal(requestId, null, null, null, null, now),
                "accepted by fal as request " + requestId + ", " + how, now);
        if (waited) {
            publisher.publishEvent(new SubmissionSettled(training.id()));
        }
    }

    private void unwanted(Training training, String requestId, String foundBy, Instant now) {
        String source = foundBy.equals(UnwantedFalRequest.SUBMIT_ANSWER) ? "the answer to a submit" : "a fal webhook";
        events.append(training.id(), TrainingEvents.DUPLICATE_REQUEST, now, null,
                "fal request " + requestId + " (named by " + source + ") is not wanted by this training and is being canceled");
        publisher.publishEvent(new UnwantedFalRequest(training.id(), training.mode(), requestId, foundBy));
    }

    Training lock(String id, Fence fence) {
        Training training = trainings.findForUpdate(id).orElseThrow(() -> new TrainingNotFound(id));
        fence.check();
        return training;
    }

    private void change(String id, Fence fence, TransitionFunction transition, String cause) {
        Training training = lock(id, fence);
        Instant now = now();
        record(training, transition.apply(training, now), cause, now);
    }

    private void record(Training training, Transition transition, String cause, Instant now) {
        if (transition == null) {
            return;
        }
        trainings.flush();
        events.append(training.id(), TrainingEvents.STATE_CHANGED, now, transition.to(), cause);
        publisher.publishEvent(new TrainingStatusChanged(training.id(), training.teamId(), transition.from(), transition.to(), now));
    }

    private String errorJson(FalError error) {
        ObjectNode body = json.createObjectNode();
        body.put("code", error.code());
        body.put("message", error.message());
        body.set("details", error.details());
        return json.writeValueAsString(body);
    }

    private interface TransitionFunction {
        Transition apply(Training training, Instant now);
    }

    private static TrackedTraining tracked(Training t) {
        return new TrackedTraining(t.id(), t.status(), t.mode(),
                t.falRequestId() == null ? null
                        : new FalRequestRef(t.falRequestId(), uri(t.falStatusUrl()), uri(t.falResponseUrl()), uri(t.falCancelUrl())),
                t.cancelRequestedAt() != null, t.submission(), t.submitAttempts(), t.logLines(), t.falUnreachableSince() != null);
    }

    /** PostgreSQL keeps microseconds: what a change returns or publishes must equal what is read back later. */
    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    private static URI uri(String value) {
        return value == null ? null : URI.create(value);
    }

    private static String string(URI uri) {
        return uri == null ? null : uri.toString();
    }
}
