package com.ltxgateway.training;

import java.time.Instant;
import java.util.UUID;

/** Published inside the transaction of every status change, whoever caused it. */
public record TrainingStatusChanged(String trainingId, UUID teamId, TrainingStatus from, TrainingStatus to, Instant at) {
}
