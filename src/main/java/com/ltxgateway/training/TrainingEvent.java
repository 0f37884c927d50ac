package com.ltxgateway.training;

import java.time.Instant;

/** One entry of a training's timeline; {@code status} is set on state changes, {@code message} on most others. */
public record TrainingEvent(String type, Instant at, String status, String message) {
}
