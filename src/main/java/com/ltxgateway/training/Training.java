package com.ltxgateway.training;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

/**
 * A training and its whole state. The methods that change the status are the only way it changes, whoever
 * observed the change (the tracker's poll, a fal webhook, an API cancel): each returns the transition it made,
 * or null when the observation changes nothing (a repeat, a late or out-of-order report, a terminal training).
 */
@Entity
@Table(name = "training")
class Training {

    @Id
    private String id;
    private UUID teamId;
    private String mode;
    private TrainingStatus status;
    @JdbcTypeCode(SqlTypes.JSON)
    private String input;
    private int numberOfSteps;
    private BigDecimal estimatedCostUsd;
    @JdbcTypeCode(SqlTypes.JSON)
    private String metadata;
    private String webhookUrl;
    private String falRequestId;
    private String falStatusUrl;
    private String falResponseUrl;
    private String falCancelUrl;
    private Integer queuePosition;
    @JdbcTypeCode(SqlTypes.JSON)
    private String output;
    @JdbcTypeCode(SqlTypes.JSON)
    private String error;
    private Instant cancelRequestedAt;
    private Instant submitAttemptedAt;
    private Instant createdAt;
    private Instant submittedAt;
    private Instant startedAt;
    private Instant finishedAt;
    /** Null until first stored, which tells Spring Data to insert without looking the id up first. */
    @Version
    private Long version;

    protected Training() {
    }

    Training(String id, UUID teamId, String mode, String input, int numberOfSteps, BigDecimal estimatedCostUsd,
            String metadata, String webhookUrl, Instant createdAt) {
        this.id = id;
        this.teamId = teamId;
        this.mode = mode;
        this.status = TrainingStatus.PENDING;
        this.input = input;
        this.numberOfSteps = numberOfSteps;
        this.estimatedCostUsd = estimatedCostUsd;
        this.metadata = metadata;
        this.webhookUrl = webhookUrl;
        this.createdAt = createdAt;
    }

    record Transition(TrainingStatus from, TrainingStatus to) {
    }

    /**
     * Marks that a submit call is about to be made. Returns the previous attempt's time when there was one: that
     * attempt may have reached fal even though its answer was never stored.
     */
    Instant beginSubmitAttempt(Instant now) {
        Instant previous = submitAttemptedAt;
        submitAttemptedAt = now;
        return previous;
    }

    Transition acceptedByFal(String requestId, String statusUrl, String responseUrl, String cancelUrl,
            Integer position, Instant now) {
        if (falRequestId == null) {
            falRequestId = requestId;
            falStatusUrl = statusUrl;
            falResponseUrl = responseUrl;
            falCancelUrl = cancelUrl;
            submittedAt = now;
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

    /** A submit call was made, but fal's answer naming the request is not stored (yet, or it was lost). */
    boolean awaitsSubmitAnswer() {
        return status == TrainingStatus.PENDING && falRequestId == null && submitAttemptedAt != null;
    }

    /** Pending and never handed to fal: it can be canceled on the spot. */
    boolean isUnsubmitted() {
        return status == TrainingStatus.PENDING && submitAttemptedAt == null;
    }

    private Transition finish(TrainingStatus terminal, Instant now) {
        Transition transition = moveTo(terminal);
        if (transition != null) {
            finishedAt = now;
            queuePosition = null;
            if (startedAt == null && terminal == TrainingStatus.SUCCEEDED) {
                startedAt = now;
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
    Instant createdAt() { return createdAt; }
    Instant submittedAt() { return submittedAt; }
    Instant startedAt() { return startedAt; }
    Instant finishedAt() { return finishedAt; }
}
