package com.ltxgateway.fal;

import java.time.Instant;

import tools.jackson.databind.JsonNode;

/**
 * A request as fal's request listing shows it.
 *
 * @param sentAt when fal received it
 * @param endedAt null while it has not ended (the listing may not show such requests at all)
 * @param statusCode the model's HTTP status once ended, else null
 * @param input the input it was submitted with ({@code json_input}); null when fal did not include it
 * @param output its output or error body ({@code json_output}); null when fal did not include it
 */
public record FalRequestRecord(String requestId, String endpointId, Instant sentAt, Instant startedAt, Instant endedAt,
        Integer statusCode, JsonNode input, JsonNode output) {

    public boolean ended() {
        return endedAt != null && statusCode != null;
    }

    /**
     * How the request ended, read the way the result call reads it: the output for a 2xx, the model's error for
     * anything else. Null while it has not ended, or when fal left the payload out.
     */
    public FalResult result() {
        if (!ended() || output == null || output.isNull()) {
            return null;
        }
        if (statusCode >= 200 && statusCode < 300) {
            return output.isObject() ? new FalResult.Output(output) : null;
        }
        JsonNode detail = output.isObject() && output.hasNonNull("detail") ? output.get("detail") : output;
        String errorType = output.isObject() && output.path("error_type").isString() ? output.get("error_type").stringValue() : null;
        return new FalResult.Error(FalAnswers.modelError(statusCode, errorType, detail));
    }
}
