package com.ltxgateway.training;

import java.util.List;

/**
 * Published inside a transaction that may have given waiting trainings their turn at fal (a training at fal finished,
 * a limit changed, a submit found others ahead of it): these may be submitted now and should be stepped at once.
 */
public record SubmitTurnsDue(List<String> trainingIds) {
}
