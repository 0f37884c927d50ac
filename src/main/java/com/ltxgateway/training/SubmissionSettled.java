package com.ltxgateway.training;

/**
 * A training's submit that waited for evidence was settled: fal's webhook, listing or late answer named its request,
 * or an admin decided to submit it again. The tracker picks it up at once.
 */
public record SubmissionSettled(String trainingId) {
}
