package com.ltxgateway.fal;

import tools.jackson.databind.JsonNode;

/** The outcome of a completed request: either the model's output or the error it ended with. */
public sealed interface FalResult {

    record Output(JsonNode output) implements FalResult {
    }

    record Error(FalError error) implements FalResult {
    }
}
