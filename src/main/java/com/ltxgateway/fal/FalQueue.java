package com.ltxgateway.fal;

import java.net.URI;

import tools.jackson.databind.JsonNode;

/**
 * fal's queue protocol, as the rest of the gateway sees it. Every call returns an outcome instead of throwing,
 * so callers decide what a transient fault means for the training at hand (retry later, or fail it once the
 * retry deadline has passed).
 */
public interface FalQueue {

    /** Submits the model input; {@code webhookUrl} becomes the {@code fal_webhook} query parameter. */
    FalOutcome<FalSubmission> submit(FalEndpoint endpoint, JsonNode input, URI webhookUrl);

    /** Status with logs ({@code ?logs=1}). */
    FalOutcome<FalStatus> status(FalEndpoint endpoint, FalRequestRef request);

    /** The model's result: outputs on success, the model's error for a failed run. */
    FalOutcome<FalResult> result(FalEndpoint endpoint, FalRequestRef request);

    FalOutcome<FalCancellation> cancel(FalEndpoint endpoint, FalRequestRef request);
}
