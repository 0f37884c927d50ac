package com.ltxgateway.training;

import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;

import com.ltxgateway.fal.FalError;
import com.ltxgateway.fal.FalLogLine;
import com.ltxgateway.fal.FalRequestRef;
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
 * row, applies the change through {@link Training}, records it on the timeline and publishes
 * {@link TrainingStatusChanged}, all in one transaction. Reports that change nothing (repeats, late or
 * out-of-order observations) are accepted silently.
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

    /** What the tracker needs to know to take a training one step further. */
    public record TrackedTraining(String id, TrainingStatus status, String mode, FalRequestRef falRequest,
            boolean cancelRequested) {
    }

    /** Leave to call fal's submit for a training; {@code previousAttempt} is set when an earlier call may have reached fal. */
    public record SubmitPermit(String trainingId, String mode, JsonNode input, Instant previousAttempt) {
    }

    @Transactional(readOnly = true)
    public Optional<TrackedTraining> find(String id) {
        return trainings.findById(id).map(TrainingTransitions::tracked);
    }

    /**
     * Records that a submit call is about to start. A pending training with a cancel request is canceled instead,
     * and anything not pending gets no permit.
     */
    @Transactional
    public Optional<SubmitPermit> beginSubmission(String id) {
        Training training = lock(id);
        if (training.status() != TrainingStatus.PENDING) {
            return Optional.empty();
        }
        Instant now = now();
        if (training.cancelRequestedAt() != null) {
            record(training, training.canceled(now), "canceled before fal accepted it", now);
            return Optional.empty();
        }
        Instant previous = training.beginSubmitAttempt(now);
        if (previous != null) {
            events.append(id, TrainingEvents.SUBMIT_RETRIED, now, null,
                    "submitting again: the attempt of " + previous + " got no answer that was stored");
        }
        return Optional.of(new SubmitPermit(id, training.mode(), json.readTree(training.input()), previous));
    }

    /** What to do with a request fal has just accepted. */
    public enum Acceptance {
        /** The training now follows this request. */
        TRACK,
        /** A cancel arrived while the submit was under way: the training follows the request, which must be canceled. */
        TRACK_AND_CANCEL,
        /** The training ended or follows another request meanwhile: this one is unwanted and must be canceled. */
        CANCEL_UNWANTED
    }

    @Transactional
    public Acceptance accepted(String id, FalSubmission submission) {
        Training training = lock(id);
        Instant now = now();
        FalRequestRef ref = submission.request();
        boolean own = ref.requestId().equals(training.falRequestId());
        if (!own && (training.status().isTerminal() || training.falRequestId() != null)) {
            unwanted(training, ref.requestId(), now);
            return Acceptance.CANCEL_UNWANTED;
        }
        // Already adopted when fal's webhook overtook this answer: the request is the training's own.
        if (!own) {
            record(training, training.acceptedByFal(ref.requestId(), string(ref.statusUrl()), string(ref.responseUrl()),
                    string(ref.cancelUrl()), submission.queuePosition(), now), "accepted by fal as request " + ref.requestId(), now);
        }
        return training.cancelRequestedAt() != null && !training.status().isTerminal() ? Acceptance.TRACK_AND_CANCEL : Acceptance.TRACK;
    }

    /**
     * fal reported by webhook that {@code requestId} completed; recorded on the timeline whatever follows. Returns the
     * training when the request is the one it follows, adopting it first when the training still waits for the
     * answer to its submit (the webhook can overtake that answer, or the answer was lost). Empty when the training
     * does not want the request: a duplicate, to be canceled.
     */
    @Transactional
    public Optional<TrackedTraining> falReported(String id, String requestId, String report) {
        Training training = lock(id);
        Instant now = now();
        events.append(id, TrainingEvents.FAL_WEBHOOK, now, null, "fal request " + requestId + ": " + report);
        if (!requestId.equals(training.falRequestId())) {
            if (!training.awaitsSubmitAnswer()) {
                unwanted(training, requestId, now);
                return Optional.empty();
            }
            record(training, training.acceptedByFal(requestId, null, null, null, null, now),
                    "accepted by fal as request " + requestId + ", as fal's webhook reports", now);
        }
        return Optional.of(tracked(training));
    }

    @Transactional
    public void queued(String id, Integer queuePosition) {
        change(id, (training, now) -> training.queued(queuePosition), "fal reports IN_QUEUE");
    }

    @Transactional
    public void running(String id, List<FalLogLine> logs) {
        change(id, Training::running, "fal reports IN_PROGRESS");
        events.appendLogs(id, now(), logs);
    }

    @Transactional
    public void logs(String id, List<FalLogLine> logs) {
        events.appendLogs(id, now(), logs);
    }

    @Transactional
    public void succeeded(String id, JsonNode output) {
        change(id, (training, now) -> training.succeeded(json.writeValueAsString(output), now), "fal completed the training");
    }

    @Transactional
    public void failed(String id, FalError error, String cause) {
        ObjectNode body = json.createObjectNode();
        body.put("code", error.code());
        body.put("message", error.message());
        body.set("details", error.details());
        change(id, (training, now) -> training.failed(json.writeValueAsString(body), now), cause);
    }

    @Transactional
    public void canceled(String id, String cause) {
        change(id, Training::canceled, cause);
    }

    /** A submit whose answer was lost: the training stays pending, and the timeline says why it waits. */
    @Transactional
    public void submitUnconfirmed(String id, String message) {
        events.append(id, TrainingEvents.SUBMIT_UNCONFIRMED, now(), null, message);
    }

    /** A fal fault that is being retried: shown on the timeline, the training's state is unchanged. */
    @Transactional
    public void falUnavailable(String id, String message) {
        events.append(id, TrainingEvents.FAL_UNAVAILABLE, now(), null, message);
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
     * A cancel from the API. An unsubmitted training is canceled at once and never reaches fal; one fal may have
     * is marked and the tracker forwards the cancel.
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

    private void unwanted(Training training, String requestId, Instant now) {
        events.append(training.id(), TrainingEvents.DUPLICATE_REQUEST, now, null,
                "fal request " + requestId + " is not wanted by this training and is being canceled");
    }

    Training lock(String id) {
        return trainings.findForUpdate(id).orElseThrow(() -> new TrainingNotFound(id));
    }

    private void change(String id, TransitionFunction transition, String cause) {
        Training training = lock(id);
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

    private interface TransitionFunction {
        Transition apply(Training training, Instant now);
    }

    private static TrackedTraining tracked(Training t) {
        return new TrackedTraining(t.id(), t.status(), t.mode(),
                t.falRequestId() == null ? null
                        : new FalRequestRef(t.falRequestId(), uri(t.falStatusUrl()), uri(t.falResponseUrl()), uri(t.falCancelUrl())),
                t.cancelRequestedAt() != null);
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
