package com.ltxgateway.fal;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What fal posts to {@code fal_webhook} when a request completes:
 * {@code {request_id, gateway_request_id, status: OK|ERROR, payload, error?, payload_error?}}.
 *
 * @param result the outcome, read the way the result call reads it; null when fal could not include the payload
 * ({@code payload_error}) and the result has to be fetched from the queue
 * @param payloadError fal's reason for leaving the payload out, or null
 */
public record FalWebhook(String requestId, String status, FalResult result, String payloadError) {

    private static final JsonMapper JSON = JsonMapper.shared();
    /** fal's {@code error} for a failed run, e.g. "Invalid status code: 422": the model's status code. */
    private static final Pattern STATUS_CODE = Pattern.compile("status code:?\\s*(\\d{3})", Pattern.CASE_INSENSITIVE);

    /** Reads a (verified) webhook body; {@link IllegalArgumentException} when it is not one. */
    public static FalWebhook parse(byte[] body) {
        JsonNode node;
        try {
            node = JSON.readTree(body);
        }
        catch (JacksonException e) {
            throw new IllegalArgumentException("the body is not JSON");
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("the body is not a JSON object");
        }
        String requestId = node.path("request_id").isString() ? node.get("request_id").stringValue() : null;
        if (requestId == null || requestId.isBlank()) {
            throw new IllegalArgumentException("request_id is missing");
        }
        String status = node.path("status").isString() ? node.get("status").stringValue() : null;
        JsonNode payload = node.get("payload");
        String error = text(node.get("error"));
        String payloadError = text(node.get("payload_error"));
        return switch (status) {
            case "OK" -> new FalWebhook(requestId, status,
                    payload != null && payload.isObject() ? new FalResult.Output(payload) : null, payloadError);
            case "ERROR" -> new FalWebhook(requestId, status, new FalResult.Error(error(error, payload)), payloadError);
            case null, default -> throw new IllegalArgumentException("status must be OK or ERROR");
        };
    }

    /** For the timeline: the status, and what fal said about an error or a missing payload. */
    public String summary() {
        if (result instanceof FalResult.Error(FalError error)) {
            return status + ": " + error.message();
        }
        return result == null ? status + " without payload" + (payloadError == null ? "" : " (" + payloadError + ")") : status;
    }

    /** On error the payload is the model's error body, as the result call would have returned it. */
    private static FalError error(String error, JsonNode payload) {
        JsonNode detail = payload != null && payload.isObject() ? payload.get("detail") : null;
        String errorType = payload != null && payload.isObject() ? text(payload.get("error_type")) : null;
        if (detail != null && !detail.isNull()) {
            Matcher code = STATUS_CODE.matcher(error == null ? "" : error);
            return FalAnswers.modelError(code.find() ? Integer.parseInt(code.group(1)) : 0, errorType, detail);
        }
        return new FalError(FalAnswers.modelErrorCode(0, errorType), error != null ? error : "fal reported an error",
                payload == null || payload.isNull() ? null : payload);
    }

    private static String text(JsonNode node) {
        return node != null && node.isString() ? node.stringValue() : null;
    }
}
