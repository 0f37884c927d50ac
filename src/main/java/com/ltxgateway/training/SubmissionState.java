package com.ltxgateway.training;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * Where a pending training's submit to fal stands. fal's submit is not idempotent and fal bills every request that
 * succeeds, so a submit that may have reached fal is never sent again until evidence settles it.
 */
public enum SubmissionState {
    /** Nothing that may have reached fal is outstanding: the training may be submitted. */
    NONE,
    /** A submit was permitted and its answer is not stored yet; the instance holding the claim is making it. */
    IN_FLIGHT,
    /**
     * A submit may have reached fal but its answer was lost (a timeout, a dropped connection, an instance that died
     * or stopped during the call): it waits for a fal webhook, fal's request listing or an admin to settle it.
     */
    UNCONFIRMED,
    /** fal accepted the training as a request (or it finished). */
    ACCEPTED;

    /** Where a training with these columns stands: the one reading of them, for the training and for projections. */
    static SubmissionState of(TrainingStatus status, @Nullable String falRequestId, @Nullable Instant submitAttemptedAt,
            @Nullable Instant submitUnconfirmedAt) {
        if (falRequestId != null || status != TrainingStatus.PENDING) {
            return ACCEPTED;
        }
        if (submitAttemptedAt == null) {
            return NONE;
        }
        return submitUnconfirmedAt == null ? IN_FLIGHT : UNCONFIRMED;
    }
}
