package com.ltxgateway.training;

import static com.ltxgateway.Timestamps.instant;

import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.UUID;

/**
 * A training and its whole state. The methods that change the status are the only way it changes, whoever
 * observed the change (the tracker's poll, a fal webhook, an API cancel): each returns the transition it made,
 * or null when the observation changes nothing (a repeat, a late or out-of-order report, a terminal training).
 * <p>
 * Its row is read by {@link #read} and written by {@link TrainingRows#insert} when it is new and by
 * {@link LockedTrainings} after every change.
 */
class Training {

    private String id;
    private UUID teamId;
    private String mode;
    private TrainingStatus status;
    private String input;
    private int numberOfSteps;
    /** USD per step when the training was created: what its estimate was computed with. */
    private BigDecimal unitPriceUsd;
    private BigDecimal estimatedCostUsd;
    private String metadata;
    private String webhookUrl;
    /** The wire name of its {@link TrainingPriority}. */
    private String priority;
    /** The uploaded dataset it trains on; null when its input names the zip's URL. */
    private String datasetId;
    private String falRequestId;
    private String falStatusUrl;
    private String falResponseUrl;
    private String falCancelUrl;
    private Integer queuePosition;
    private String output;
    private String error;
    private Instant cancelRequestedAt;
    /** When the outstanding submit attempt was permitted; null while none is outstanding. */
    private Instant submitAttemptedAt;
    /** Attempts permitted so far: the number of the current one, which its answer must name to be taken. */
    private int submitAttempts;
    private Instant submitUnconfirmedAt;
    private Instant falUnreachableSince;
    /** How many of fal's log lines are stored: the index the next status reading goes on from. */
    private int logLines;
    private BigDecimal costUsd;
    /** The wire name of the {@link WaitingReason} its last turn was refused for; null once submitted or finished. */
    private String waitingReason;
    private Instant createdAt;
    private Instant submittedAt;
    private Instant startedAt;
    private Instant finishedAt;

    private Training() {
    }

    Training(String id, UUID teamId, String mode, String input, int numberOfSteps, BigDecimal unitPriceUsd,
            String metadata, String webhookUrl, TrainingPriority priority, String datasetId, Instant createdAt) {
        this.id = id;
        this.teamId = teamId;
        this.mode = mode;
        this.status = TrainingStatus.PENDING;
        this.input = input;
        this.numberOfSteps = numberOfSteps;
        this.unitPriceUsd = unitPriceUsd;
        this.estimatedCostUsd = StepPrice.cost(unitPriceUsd, numberOfSteps);
        this.metadata = metadata;
        this.webhookUrl = webhookUrl;
        this.priority = priority.wireName();
        this.datasetId = datasetId;
        this.createdAt = createdAt;
    }

    /** The training as its row reads ({@code select * from training}). */
    static Training read(ResultSet row) throws SQLException {
        Training training = new Training();
        training.id = row.getString("id");
        training.teamId = row.getObject("team_id", UUID.class);
        training.mode = row.getString("mode");
        training.status = TrainingStatus.fromWireName(row.getString("status"));
        training.input = row.getString("input");
        training.numberOfSteps = row.getInt("number_of_steps");
        training.unitPriceUsd = row.getBigDecimal("unit_price_usd");
        training.estimatedCostUsd = row.getBigDecimal("estimated_cost_usd");
        training.metadata = row.getString("metadata");
        training.webhookUrl = row.getString("webhook_url");
        training.priority = row.getString("priority");
        training.datasetId = row.getString("dataset_id");
        training.falRequestId = row.getString("fal_request_id");
        training.falStatusUrl = row.getString("fal_status_url");
        training.falResponseUrl = row.getString("fal_response_url");
        training.falCancelUrl = row.getString("fal_cancel_url");
        training.queuePosition = row.getObject("queue_position", Integer.class);
        training.output = row.getString("output");
        training.error = row.getString("error");
        training.cancelRequestedAt = instant(row, "cancel_requested_at");
        training.submitAttemptedAt = instant(row, "submit_attempted_at");
        training.submitAttempts = row.getInt("submit_attempts");
        training.submitUnconfirmedAt = instant(row, "submit_unconfirmed_at");
        training.falUnreachableSince = instant(row, "fal_unreachable_since");
        training.logLines = row.getInt("log_lines");
        training.costUsd = row.getBigDecimal("cost_usd");
        training.waitingReason = row.getString("waiting_reason");
        training.createdAt = instant(row, "created_at");
        training.submittedAt = instant(row, "submitted_at");
        training.startedAt = instant(row, "started_at");
        training.finishedAt = instant(row, "finished_at");
        return training;
    }

    record Transition(TrainingStatus from, TrainingStatus to) {
    }

    /** What the tracker needs of it, as it stands in this transaction. */
    TrainingTransitions.TrackedTraining tracked() {
        return TrainingTransitions.TrackedTraining.of(id, status, mode, falRequestId, falStatusUrl, falResponseUrl, falCancelUrl,
                cancelRequestedAt, submitAttemptedAt, submitUnconfirmedAt, submitAttempts, logLines, falUnreachableSince,
                queuePosition, priority);
    }

    SubmissionState submission() {
        return SubmissionState.of(status, falRequestId, submitAttemptedAt, submitUnconfirmedAt);
    }

    /** Permits a submit attempt and returns its number; only when nothing that may have reached fal is outstanding. */
    int beginSubmitAttempt(Instant now) {
        if (submission() != SubmissionState.NONE) {
            throw new IllegalStateException("training " + id + " has a submit outstanding");
        }
        submitAttemptedAt = now;
        waitingReason = null;
        return ++submitAttempts;
    }

    /** Its turn at fal was refused for {@code reason}. Returns false when it was waiting for that reason already. */
    boolean waitFor(WaitingReason reason) {
        if (reason.wireName().equals(waitingReason)) {
            return false;
        }
        waitingReason = reason.wireName();
        return true;
    }

    /** Whether {@code attempt} is the attempt whose outcome is still open. */
    boolean isOutstanding(int attempt) {
        return attempt == submitAttempts && (submission() == SubmissionState.IN_FLIGHT || submission() == SubmissionState.UNCONFIRMED);
    }

    /** The attempt may have reached fal but its answer is lost. Returns false when that changes nothing. */
    boolean submitUnconfirmed(int attempt, Instant now) {
        if (attempt != submitAttempts || submission() != SubmissionState.IN_FLIGHT) {
            return false;
        }
        submitUnconfirmedAt = now;
        return true;
    }

    /** fal answered the attempt without taking the request (429, 5xx), or it was never sent: it may be made again. */
    boolean submitNotAccepted(int attempt) {
        if (attempt != submitAttempts || submission() != SubmissionState.IN_FLIGHT) {
            return false;
        }
        submitAttemptedAt = null;
        return true;
    }

    /** An admin decided fal does not hold the unconfirmed attempt. Its late answer, if any, is then a duplicate. */
    boolean resubmitDecided() {
        if (submission() != SubmissionState.UNCONFIRMED) {
            return false;
        }
        submitAttemptedAt = null;
        submitUnconfirmedAt = null;
        return true;
    }

    Transition acceptedByFal(String requestId, String statusUrl, String responseUrl, String cancelUrl,
            Integer position, Instant now) {
        if (falRequestId == null) {
            falRequestId = requestId;
            falStatusUrl = statusUrl;
            falResponseUrl = responseUrl;
            falCancelUrl = cancelUrl;
            submittedAt = now;
            submitUnconfirmedAt = null;
        }
        queuePosition = position;
        return moveTo(TrainingStatus.QUEUED);
    }

    Transition queued(Integer position) {
        if (status == TrainingStatus.QUEUED || status == TrainingStatus.PENDING) {
            queuePosition = position;
        }
        return moveTo(TrainingStatus.QUEUED);
    }

    Transition running(Instant now) {
        Transition transition = moveTo(TrainingStatus.RUNNING);
        if (transition != null) {
            startedAt = now;
            queuePosition = null;
        }
        return transition;
    }

    Transition succeeded(String outputJson, Instant now) {
        Transition transition = finish(TrainingStatus.SUCCEEDED, now);
        if (transition != null) {
            output = outputJson;
        }
        return transition;
    }

    Transition failed(String errorJson, Instant now) {
        Transition transition = finish(TrainingStatus.FAILED, now);
        if (transition != null) {
            error = errorJson;
        }
        return transition;
    }

    Transition canceled(Instant now) {
        return finish(TrainingStatus.CANCELED, now);
    }

    /** Returns false when a cancel was requested already. */
    boolean requestCancel(Instant now) {
        if (cancelRequestedAt != null) {
            return false;
        }
        cancelRequestedAt = now;
        return true;
    }

    /**
     * A submit was made and the training follows no request yet: a request fal reports for it (its answer, its
     * webhook) is its own. That includes an attempt fal answered with an error although it did take it.
     */
    boolean awaitsFalRequest() {
        return status == TrainingStatus.PENDING && falRequestId == null && submitAttempts > 0;
    }

    /** Pending with no submit outstanding: fal cannot hold it, so it can be canceled on the spot. */
    boolean isUnsubmitted() {
        return submission() == SubmissionState.NONE;
    }

    /** From the first of a run of fal's faults on, the training shows since when fal has been unreachable. */
    void falUnreachable(Instant now) {
        if (falUnreachableSince == null) {
            falUnreachableSince = now;
        }
    }

    void falReachable() {
        falUnreachableSince = null;
    }

    /**
     * Stores that fal's log lines up to {@code nextIndex} are on the timeline. A list that shrank (fal started it over)
     * is followed from where it now stands.
     */
    void logsStoredUpTo(int nextIndex) {
        logLines = nextIndex;
    }

    /** What fal billed for the training's request. */
    void billed(BigDecimal amount) {
        costUsd = amount;
    }

    private Transition finish(TrainingStatus terminal, Instant now) {
        Transition transition = moveTo(terminal);
        if (transition != null) {
            finishedAt = now;
            queuePosition = null;
            waitingReason = null;
            submitUnconfirmedAt = null;
            falUnreachableSince = null;
            if (startedAt == null && terminal == TrainingStatus.SUCCEEDED) {
                startedAt = now;
            }
            // fal bills successes only, and the sandbox nothing; a billing event that says otherwise still wins.
            if (costUsd == null && (terminal != TrainingStatus.SUCCEEDED || "sandbox".equals(mode))) {
                costUsd = BigDecimal.ZERO;
            }
        }
        return transition;
    }

    private Transition moveTo(TrainingStatus next) {
        if (!status.canMoveTo(next)) {
            return null;
        }
        var transition = new Transition(status, next);
        status = next;
        return transition;
    }

    String id() { return id; }
    UUID teamId() { return teamId; }
    String mode() { return mode; }
    TrainingStatus status() { return status; }
    String input() { return input; }
    int numberOfSteps() { return numberOfSteps; }
    BigDecimal estimatedCostUsd() { return estimatedCostUsd; }

    BigDecimal unitPriceUsd() { return unitPriceUsd; }

    TrainingPriority priority() { return TrainingPriority.fromWireName(priority); }
    String datasetId() { return datasetId; }
    String metadata() { return metadata; }
    String webhookUrl() { return webhookUrl; }
    String falRequestId() { return falRequestId; }
    String falStatusUrl() { return falStatusUrl; }
    String falResponseUrl() { return falResponseUrl; }
    String falCancelUrl() { return falCancelUrl; }
    Integer queuePosition() { return queuePosition; }
    String output() { return output; }
    String error() { return error; }
    Instant cancelRequestedAt() { return cancelRequestedAt; }
    Instant submitAttemptedAt() { return submitAttemptedAt; }
    int submitAttempts() { return submitAttempts; }
    Instant submitUnconfirmedAt() { return submitUnconfirmedAt; }
    Instant falUnreachableSince() { return falUnreachableSince; }
    int logLines() { return logLines; }
    BigDecimal costUsd() { return costUsd; }
    WaitingReason waitingReason() { return waitingReason == null ? null : WaitingReason.fromWireName(waitingReason); }
    Instant createdAt() { return createdAt; }
    Instant submittedAt() { return submittedAt; }
    Instant startedAt() { return startedAt; }
    Instant finishedAt() { return finishedAt; }
}
