package com.ltxgateway.training;

/** Published inside the creating transaction: the training is pending and waits to be submitted. */
public record TrainingCreated(String trainingId, String mode) {
}
