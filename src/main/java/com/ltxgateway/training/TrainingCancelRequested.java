package com.ltxgateway.training;

/** Published inside the transaction that records a cancel request for a training fal may already have. */
public record TrainingCancelRequested(String trainingId) {
}
