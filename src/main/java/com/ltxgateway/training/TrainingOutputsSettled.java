package com.ltxgateway.training;

import java.time.Instant;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/**
 * Published, inside a transaction, once a succeeded training's output files are all copied (or lost, or refused), or
 * once the copies have taken too long to wait for: the moment to tell the team it succeeded, so that a receiver can
 * download the files at once. Published exactly once per training.
 *
 * @param webhookUrl the training's own {@code webhook_url}, null when it has none
 * @param at when the training succeeded
 */
public record TrainingOutputsSettled(String trainingId, UUID teamId, @Nullable String webhookUrl, Instant at) {
}
