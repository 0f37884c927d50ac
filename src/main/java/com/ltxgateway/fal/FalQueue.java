package com.ltxgateway.fal;

import java.net.URI;

import tools.jackson.databind.JsonNode;

/**
 * fal's queue protocol, as the rest of the gateway sees it. Every call returns an outcome instead of throwing,
 * so callers decide what a transient fault means for the training at hand.
 */
public interface FalQueue {

    /**
     * Submits the model input; {@code webhookUrl} (may be null) becomes the {@code fal_webhook} query parameter.
     * {@code gate} is asked once, after the connection to fal is open and right before the request is written to it,
     * on a thread that may block: the caller records there that the submit may now reach fal. When the gate stays
     * shut (returns false or throws), nothing is written and the outcome is {@link FalOutcome.Unavailable} with
     * {@code answerLost} false. A failure before the gate was asked is never {@code answerLost}.
     */
    FalOutcome<FalSubmission> submit(FalEndpoint endpoint, JsonNode input, FalQueuePriority priority, URI webhookUrl, SubmitGate gate);

    /**
     * The request's status. With {@code logsFrom} >= 0 fal is asked for its log lines ({@code ?logs=1}) and the
     * outcome carries those from index {@code logsFrom} on (at most {@link FalStatus#MAX_NEW_LOG_LINES}); the lines
     * before it are skipped while the answer is read, never held in memory. When fal's list is shorter than
     * {@code logsFrom} it is read from its start. With {@code logsFrom} < 0 no logs are asked for ({@code ?logs=0}).
     * The answer's size never makes the call fail.
     */
    FalOutcome<FalStatus> status(FalEndpoint endpoint, FalRequestRef request, int logsFrom);

    /** The model's result: outputs on success, the model's error for a failed run. Inline {@code file_data} is dropped. */
    FalOutcome<FalResult> result(FalEndpoint endpoint, FalRequestRef request);

    FalOutcome<FalCancellation> cancel(FalEndpoint endpoint, FalRequestRef request);
}
