package com.ltxgateway.training;

import static com.ltxgateway.Timestamps.instant;

import java.math.BigDecimal;
import java.net.URI;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Predicate;

import com.github.f4b6a3.ulid.UlidCreator;
import com.ltxgateway.training.Training.Transition;

import org.jspecify.annotations.Nullable;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Every change of a training's state, creation included, for whoever observed it. Each method locks the training's
 * row, checks the caller's {@link Fence}, applies the change through {@link Training}, records it on the timeline and
 * publishes it ({@link TrainingCreated}, {@link TrainingStatusChanged}), all in one transaction. Reports that change
 * nothing (repeats, late or out-of-order observations) are accepted silently. What is only noted on the timeline is
 * {@link TrainingTimeline}'s.
 * <p>
 * Submits follow one rule: fal's submit is not idempotent and fal bills every request that succeeds, so a submit
 * that may have reached fal is never sent again until evidence settles it (a fal webhook, fal's request listing, the
 * submit's own late answer) or an admin decides it did not reach fal.
 */
@Service
public class TrainingTransitions {

    private final LockedTrainings trainings;
    private final TrainingRows rows;
    private final TimelineEntries entries;
    private final ApplicationEventPublisher publisher;
    private final JsonMapper json;
    private final JdbcClient jdbc;
    private final FairTurns turns;
    private final Clock clock;

    TrainingTransitions(LockedTrainings trainings, TrainingRows rows, TimelineEntries entries, ApplicationEventPublisher publisher,
            JsonMapper json, JdbcClient jdbc, FairTurns turns, Clock clock) {
        this.trainings = trainings;
        this.rows = rows;
        this.entries = entries;
        this.publisher = publisher;
        this.json = json;
        this.jdbc = jdbc;
        this.turns = turns;
        this.clock = clock;
    }

    /**
     * The columns of a {@link TrackedTraining}: read on every tracker step and every fal webhook, so as one plain query
     * without the input and output a whole training carries.
     */
    private static final String TRACKED = """
            select id, status, mode, fal_request_id, fal_status_url, fal_response_url, fal_cancel_url, cancel_requested_at,
                   submit_attempted_at, submit_unconfirmed_at, submit_attempts, log_lines, fal_unreachable_since, queue_position,
                   priority
            from training""";

    /**
     * What the tracker needs to know to take a training one step further.
     *
     * @param falRequest null until fal accepted the training
     * @param attempt the number of the latest submit attempt (0 before the first)
     * @param logLines how many of fal's log lines are on the timeline already
     * @param queuePosition fal's last reported queue position while queued, else null
     */
    public record TrackedTraining(String id, TrainingStatus status, String mode, FalRequest falRequest,
            boolean cancelRequested, SubmissionState submission, int attempt, int logLines, boolean falUnreachable,
            Integer queuePosition, TrainingPriority priority) {

        /** Whether fal's reading says nothing the training does not know already: no change to lock and write. */
        public boolean alreadyShows(TrainingStatus reported, Integer reportedQueuePosition) {
            return status == reported && (reported != TrainingStatus.QUEUED || Objects.equals(queuePosition, reportedQueuePosition));
        }

        /** From the columns {@link #TRACKED} reads, whether from the row or from a locked {@link Training}. */
        static TrackedTraining of(String id, TrainingStatus status, String mode, String falRequestId, String falStatusUrl,
                String falResponseUrl, String falCancelUrl, Instant cancelRequestedAt, Instant submitAttemptedAt,
                Instant submitUnconfirmedAt, int submitAttempts, int logLines, Instant falUnreachableSince,
                Integer queuePosition, String priority) {
            return new TrackedTraining(id, status, mode,
                    falRequestId == null ? null : new FalRequest(falRequestId, uri(falStatusUrl), uri(falResponseUrl), uri(falCancelUrl)),
                    cancelRequestedAt != null, SubmissionState.of(status, falRequestId, submitAttemptedAt, submitUnconfirmedAt),
                    submitAttempts, logLines, falUnreachableSince != null, queuePosition, TrainingPriority.fromWireName(priority));
        }
    }

    /** Leave to send submit attempt {@code attempt} of a training. */
    public record SubmitPermit(String trainingId, int attempt) {
    }

    /**
     * A new training of a team's, pending and waiting to be submitted: stored, on the timeline, and
     * {@link TrainingCreated} published, in the caller's transaction.
     *
     * @param mode {@code live} or {@code sandbox}
     */
    @Transactional
    Training create(UUID teamId, String mode, TrainingRequest request, BigDecimal unitPriceUsd, String actor) {
        Instant now = now();
        String id = "trn_" + UlidCreator.getMonotonicUlid().toLowerCase();
        Training training = new Training(id, teamId, mode, json.writeValueAsString(request.input()), request.numberOfSteps(),
                unitPriceUsd, json.writeValueAsString(request.metadata()), request.webhookUrl(), request.priority(), request.datasetId(), now);
        rows.insert(training);
        record(training, TrainingStatus.PENDING, "created by " + actor, now, new TrainingCreated(id, mode));
        return training;
    }

    public Optional<TrackedTraining> find(String id) {
        return tracked(TRACKED + " where id = ?", id);
    }

    /** The training's key mode (live or sandbox), which decides the fal account that may report on it. */
    public Optional<String> mode(String id) {
        return jdbc.sql("select mode from training where id = ?").param(id).query(String.class).optional();
    }

    /** The input as it is forwarded to fal. */
    public JsonNode input(String id) {
        return jdbc.sql("select input from training where id = ?").param(id).query(String.class).optional()
                .map(json::readTree)
                .orElseThrow(() -> new TrainingNotFound(id));
    }

    /**
     * Records, before anything is sent, that a submit may now reach fal. A pending training with a cancel request is
     * canceled instead, a training with a submit outstanding, or not pending, gets no permit, and one whose turn at fal
     * has not come under the teams' and the account's limits waits, with the reason on the training.
     */
    @Transactional
    public SubmitDecision beginSubmission(String id, Fence fence) {
        Training training = trainings.lock(id, fence);
        if (training.submission() != SubmissionState.NONE) {
            return SubmitDecision.WITHHELD;
        }
        Instant now = now();
        if (training.cancelRequestedAt() != null) {
            record(training, training.canceled(now), "canceled before it was submitted to fal", now);
            return SubmitDecision.WITHHELD;
        }
        Optional<WaitingReason> waiting = turns.decide(training);
        if (waiting.isPresent()) {
            if (training.waitFor(waiting.get())) {
                entries.append(id, TimelineEntries.WAITING_FOR_TURN, now, waiting.get().wireName(),
                        waiting.get() == WaitingReason.TEAM_LIMIT
                                ? "waiting for a turn at fal: the team has as many trainings at fal as its limit allows"
                                : "waiting for a turn at fal: the account's limit is reached or other teams' turns come first");
            }
            return new SubmitDecision(null, waiting.get());
        }
        return new SubmitDecision(new SubmitPermit(id, training.beginSubmitAttempt(now)), null);
    }

    /**
     * What {@link #beginSubmission} decided: leave to submit, a wait for a turn at fal, or neither (canceled, or a
     * submit outstanding, which the next step sees).
     */
    public record SubmitDecision(@Nullable SubmitPermit permit, @Nullable WaitingReason waiting) {

        static final SubmitDecision WITHHELD = new SubmitDecision(null, null);

        public Optional<SubmitPermit> permitted() {
            return Optional.ofNullable(permit);
        }
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
     * fal's answer to submit attempt {@code attempt}: it accepted {@code request}, at {@code queuePosition}. The answer
     * is evidence and is taken whenever it arrives, also after the claim that made the attempt was lost: the request
     * is the training's own while that attempt is still open (in flight, or unconfirmed because its answer seemed
     * lost).
     */
    @Transactional
    public Acceptance accepted(String id, int attempt, FalRequest request, Integer queuePosition) {
        Training training = trainings.lock(id, Fence.NONE);
        Instant now = now();
        boolean own = request.requestId().equals(training.falRequestId());
        if (!own && !training.isOutstanding(attempt)) {
            unwanted(training, request.requestId(), UnwantedFalRequest.SUBMIT_ANSWER, now);
            return Acceptance.CANCEL_UNWANTED;
        }
        // Already adopted when fal's webhook overtook this answer: the request is the training's own.
        if (!own) {
            adopt(training, request, queuePosition, "accepted by fal as request " + request.requestId(), now);
        }
        return training.cancelRequestedAt() != null && !training.status().isTerminal() ? Acceptance.TRACK_AND_CANCEL : Acceptance.TRACK;
    }

    /** fal did not take submit attempt {@code attempt} (it answered 429 or 5xx, or the attempt was never sent). */
    @Transactional
    public void submitNotAccepted(String id, int attempt, Fence fence) {
        trainings.lock(id, fence).submitNotAccepted(attempt);
    }

    /** fal refused the input of submit attempt {@code attempt} for good: the training fails, nothing was billed. */
    @Transactional
    public void submitRejected(String id, int attempt, Fence fence, TrainingError error, String cause) {
        Training training = trainings.lock(id, fence);
        if (training.submitNotAccepted(attempt)) {
            Instant now = now();
            record(training, training.failed(errorJson(error), now), cause, now);
        }
    }

    /**
     * An admin decided that fal does not hold a training's unconfirmed submit: it is submitted again (or, with a
     * cancel requested, canceled without reaching fal). Should the earlier request turn up after all, it is a
     * duplicate and is canceled. Returns the training as it is now.
     *
     * @throws TrainingResubmitRefused when the training has no unconfirmed submit
     */
    @Transactional
    Training resubmit(String id, String actor) {
        Training training = trainings.lock(id, Fence.NONE);
        if (!training.resubmitDecided()) {
            throw new TrainingResubmitRefused(training.id(), training.status(), training.submission());
        }
        entries.append(id, TimelineEntries.SUBMIT_RETRIED, now(), null,
                actor + " decided that fal does not hold the unconfirmed submit; submitting again");
        publisher.publishEvent(new SubmissionSettled(id));
        return training;
    }

    /**
     * fal reported by webhook that {@code requestId} completed; recorded on the timeline whatever follows. Returns the
     * training when the request is the one it follows, adopting it first when the training still waits for a request
     * (the webhook can overtake the submit's answer, or the answer was lost). Empty when the training does not want
     * the request: a duplicate, which is being canceled.
     */
    @Transactional
    public Optional<TrackedTraining> falReported(String id, String requestId, String report) {
        Training training = trainings.lock(id, Fence.NONE);
        Instant now = now();
        entries.append(id, TimelineEntries.FAL_WEBHOOK, now, null, "fal request " + requestId + ": " + report);
        if (!requestId.equals(training.falRequestId())) {
            if (!training.awaitsFalRequest()) {
                unwanted(training, requestId, UnwantedFalRequest.FAL_WEBHOOK, now);
                return Optional.empty();
            }
            adopt(training, new FalRequest(requestId, null, null, null), null,
                    "accepted by fal as request " + requestId + ", as fal's webhook reports", now);
        }
        return Optional.of(training.tracked());
    }

    /**
     * A request in fal's listing, sent at {@code sentAt}, whose input and submit time match this training's
     * unconfirmed submit. Returns whether the training adopted it (it may have been settled meanwhile).
     */
    @Transactional
    public boolean adoptListed(String id, String requestId, Instant sentAt) {
        Training training = trainings.lock(id, Fence.NONE);
        if (training.submission() != SubmissionState.UNCONFIRMED) {
            return false;
        }
        adopt(training, new FalRequest(requestId, null, null, null), null,
                "accepted by fal as request " + requestId + ", found in fal's request listing (sent at " + sentAt + ")", now());
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
     * fal's run completed with {@code output}, whoever found it (a poll, a fal webhook, fal's request listing): the
     * same outcome means the same state on every path. A success needs a LoRA and a config file; without them the
     * training fails.
     */
    @Transactional
    public void completedWithOutput(String id, Fence fence, JsonNode output) {
        if (output.path("lora_file").hasNonNull("url") && output.path("config_file").hasNonNull("url")) {
            change(id, fence, (training, now) -> training.succeeded(json.writeValueAsString(output), now),
                    "fal completed the training");
        }
        else {
            TrainingError incomplete = new TrainingError("fal_incomplete_output", "fal completed without a LoRA or config file", output);
            change(id, fence, (training, now) -> training.failed(errorJson(incomplete), now), "fal's output is incomplete");
        }
    }

    /**
     * fal's run ended with {@code error}, whoever found it: a training whose cancel was requested is canceled, any
     * other fails.
     */
    @Transactional
    public void completedWithError(String id, Fence fence, TrainingError error) {
        Training training = trainings.lock(id, fence);
        Instant now = now();
        if (training.cancelRequestedAt() != null) {
            record(training, training.canceled(now), "canceled at fal: " + error.message(), now);
        }
        else {
            record(training, training.failed(errorJson(error), now), "the training failed at fal", now);
        }
    }

    @Transactional
    public void canceled(String id, Fence fence, String cause) {
        change(id, fence, Training::canceled, cause);
    }

    /**
     * A cancel from the API, by {@code actor}, of a training {@code canSee} lets them see. A training fal cannot hold
     * is canceled at once and never reaches fal; one fal may hold is marked and the tracker forwards the cancel once
     * it knows the request (an unconfirmed submit waits for that). Returns the training as it is now.
     *
     * @throws TrainingNotFound when there is no such training or the actor may not see it
     * @throws TrainingAlreadyFinished when it is finished
     */
    @Transactional
    Training requestCancel(String id, Predicate<UUID> canSee, String actor) {
        Training training = trainings.lock(id, Fence.NONE);
        if (!canSee.test(training.teamId())) {
            throw new TrainingNotFound(id);
        }
        if (training.status().isTerminal()) {
            throw new TrainingAlreadyFinished(id, training.status());
        }
        Instant now = now();
        if (training.isUnsubmitted()) {
            record(training, training.canceled(now), "canceled by " + actor + " before submission", now);
        }
        else if (training.requestCancel(now)) {
            entries.append(id, TimelineEntries.CANCEL_REQUESTED, now, training.status().wireName(), "cancel requested by " + actor);
            publisher.publishEvent(new TrainingCancelRequested(id));
        }
        return training;
    }

    /**
     * What fal billed for {@code requestId}. Returns false when no training follows that request.
     */
    @Transactional
    public boolean billed(String requestId, BigDecimal amount) {
        return trainings.lockFollowing(requestId).map(training -> {
            training.billed(amount);
            return true;
        }).orElse(false);
    }

    /** The training following {@code requestId}, if any. */
    public Optional<TrackedTraining> following(String requestId) {
        return tracked(TRACKED + " where fal_request_id = ?", requestId);
    }

    /**
     * A pending training's open submit attempt, for matching against fal's request listing.
     *
     * @param unconfirmedAt null while the attempt is in flight
     */
    public record OpenSubmit(String trainingId, JsonNode input, Instant attemptedAt, Instant unconfirmedAt) {
    }

    /** Every pending training whose submit attempt is still open, oldest first. */
    public List<OpenSubmit> openSubmits() {
        return rows.openSubmits().stream()
                .map(t -> new OpenSubmit(t.id(), json.readTree(t.input()), t.submitAttemptedAt(), t.submitUnconfirmedAt()))
                .toList();
    }

    /** The training follows {@code request} from now on; a submit that waited for evidence is settled by it. */
    private void adopt(Training training, FalRequest request, Integer queuePosition, String cause, Instant now) {
        boolean waited = training.submission() == SubmissionState.UNCONFIRMED;
        record(training, training.acceptedByFal(request.requestId(), string(request.statusUrl()), string(request.responseUrl()),
                string(request.cancelUrl()), queuePosition, now), cause, now);
        if (waited) {
            publisher.publishEvent(new SubmissionSettled(training.id()));
        }
    }

    private void unwanted(Training training, String requestId, String foundBy, Instant now) {
        String source = foundBy.equals(UnwantedFalRequest.SUBMIT_ANSWER) ? "the answer to a submit" : "a fal webhook";
        entries.append(training.id(), TimelineEntries.DUPLICATE_REQUEST, now, null,
                "fal request " + requestId + " (named by " + source + ") is not wanted by this training and is being canceled");
        publisher.publishEvent(new UnwantedFalRequest(training.id(), training.mode(), requestId, foundBy));
    }

    private void change(String id, Fence fence, TransitionFunction transition, String cause) {
        Training training = trainings.lock(id, fence);
        Instant now = now();
        record(training, transition.apply(training, now), cause, now);
    }

    private void record(Training training, Transition transition, String cause, Instant now) {
        if (transition != null) {
            // The change is written before its timeline row and before the event's listeners query the row.
            trainings.flush();
            record(training, transition.to(), cause, now,
                    new TrainingStatusChanged(training.id(), training.teamId(), transition.from(), transition.to(), now,
                            training.webhookUrl()));
            if (transition.to().isTerminal()) {
                turns.offerSlots(training);
            }
        }
    }

    /** The one way a status is recorded, the first one included: on the timeline, and published. */
    private void record(Training training, TrainingStatus status, String cause, Instant now, Object event) {
        entries.append(training.id(), TimelineEntries.STATE_CHANGED, now, status.wireName(), cause);
        publisher.publishEvent(event);
    }

    private String errorJson(TrainingError error) {
        ObjectNode body = json.createObjectNode();
        body.put("code", error.code());
        body.put("message", error.message());
        body.set("details", error.details());
        return json.writeValueAsString(body);
    }

    private interface TransitionFunction {
        Transition apply(Training training, Instant now);
    }

    private Optional<TrackedTraining> tracked(String query, String key) {
        // What a caller's transaction changed so far is written first, so that the query reads it.
        trainings.flush();
        return jdbc.sql(query).param(key).query(TrainingTransitions::tracked).optional();
    }

    private static TrackedTraining tracked(ResultSet row, int number) throws SQLException {
        return TrackedTraining.of(row.getString("id"), TrainingStatus.fromWireName(row.getString("status")), row.getString("mode"),
                row.getString("fal_request_id"), row.getString("fal_status_url"), row.getString("fal_response_url"),
                row.getString("fal_cancel_url"), instant(row, "cancel_requested_at"), instant(row, "submit_attempted_at"),
                instant(row, "submit_unconfirmed_at"), row.getInt("submit_attempts"), row.getInt("log_lines"),
                instant(row, "fal_unreachable_since"), row.getObject("queue_position", Integer.class), row.getString("priority"));
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
