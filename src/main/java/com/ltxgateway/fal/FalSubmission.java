package com.ltxgateway.fal;

/** fal's answer to a submit: the request is in its queue. */
public record FalSubmission(FalRequestRef request, Integer queuePosition) {
}
