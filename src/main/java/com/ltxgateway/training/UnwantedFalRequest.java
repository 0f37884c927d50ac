package com.ltxgateway.training;

/**
 * fal holds a request made for a training that does not follow it (a second submission, or the late answer of a
 * submit an admin decided to make again). Published inside the transaction that found it, so that the request is
 * recorded, and its cancel sent until fal confirms it, whatever happens to this instance.
 *
 * @param mode {@code live} or {@code sandbox}: where the request is held
 * @param foundBy {@link #SUBMIT_ANSWER} or {@link #FAL_WEBHOOK}
 */
public record UnwantedFalRequest(String trainingId, String mode, String requestId, String foundBy) {

    public static final String SUBMIT_ANSWER = "submit_answer";
    public static final String FAL_WEBHOOK = "fal_webhook";
}
