package com.ltxgateway.fal;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import com.ltxgateway.fal.FalHttp.Reply;

import tools.jackson.databind.JsonNode;

/**
 * What fal's answers mean when they are not the one the protocol promises: the outcome a status code and an error
 * body amount to, fal's {@code detail} as a readable line, and the few typed reads the adapters take from JSON.
 */
final class FalAnswers {

    // fal's error types are snake_case identifiers; anything else is not put into a loggable reason.
    private static final Pattern SAFE_ERROR_TYPE = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final int MAX_MESSAGE_LENGTH = 2000;

    private FalAnswers() {
    }

    /** The outcome of an answer that is not the one the protocol promises for the call, from its code and error body. */
    static <T> FalOutcome<T> classify(Reply<?> reply, JsonNode body) {
        int code = reply.status();
        if (code == 401 || code == 403) {
            return new FalOutcome.Unavailable<>(code, "HTTP " + code + " fal refused the key", reply.retryAfter(), false, true);
        }
        if (code == 429 || code >= 500 || code < 400) {
            String type = errorType(reply, body, null);
            String reason = "HTTP " + code + (type != null ? " " + type : "");
            return new FalOutcome.Unavailable<>(code, reason, reply.retryAfter());
        }
        JsonNode detail = detail(body);
        if (code == 422) {
            String message = detail != null ? summarize(detail) : "validation failed";
            return new FalOutcome.Rejected<>(code, new FalError("fal_validation_error", message, detail));
        }
        String message = detail != null ? summarize(detail) : "fal answered HTTP " + code;
        return new FalOutcome.Rejected<>(code, new FalError("fal_http_" + code, message, detail));
    }

    /** A 2xx whose body is not what the protocol promises: fal may have acted on the request. */
    static <T> FalOutcome<T> unparseable(Reply<?> reply) {
        return new FalOutcome.Unavailable<>(reply.status(), "HTTP " + reply.status() + " unparseable body", null, reply.is2xx());
    }

    /** fal's {@code detail}, when the body is a JSON object that has one. */
    static JsonNode detail(JsonNode body) {
        JsonNode detail = body != null && body.isObject() ? body.get("detail") : null;
        return detail == null || detail.isNull() ? null : detail;
    }

    /** {@code X-Fal-Error-Type}, else the body's {@code error_type}, restricted to identifier characters. */
    static String errorType(Reply<?> reply, JsonNode body, String fallback) {
        String type = reply.errorType();
        if (type == null) {
            type = body != null && body.isObject() ? text(body.get("error_type")) : null;
        }
        return isSafeType(type) ? type : fallback;
    }

    /**
     * A readable line for fal's {@code detail}: a plain string as is; FastAPI-style validation items as
     * {@code loc.path: msg}, joined by {@code "; "}.
     */
    static String summarize(JsonNode detail) {
        if (detail == null || detail.isNull() || detail.isMissingNode()) {
            return null;
        }
        if (!detail.isArray()) {
            return truncate(message(detail));
        }
        List<String> parts = new ArrayList<>();
        for (JsonNode item : detail.values()) {
            String msg = message(item.isObject() ? item.get("msg") : item);
            List<String> path = new ArrayList<>();
            JsonNode loc = item.isObject() ? item.get("loc") : null;
            if (loc != null && loc.isArray()) {
                loc.values().forEach(segment -> path.add(message(segment)));
            }
            parts.add(path.isEmpty() ? msg : String.join(".", path) + ": " + msg);
        }
        return truncate(String.join("; ", parts));
    }

    static String truncate(String text) {
        return text == null || text.length() <= MAX_MESSAGE_LENGTH ? text : text.substring(0, MAX_MESSAGE_LENGTH - 1) + "…";
    }

    /**
     * How a run ended in an error, from the model's status code and its error body's {@code detail}: the same
     * whether the result call or a webhook relayed it.
     */
    static FalError modelError(int httpStatus, String errorType, JsonNode detail) {
        return new FalError(modelErrorCode(httpStatus, errorType), summarize(detail), detail);
    }

    /** fal's error type when it named a usable one, else what the status code says. */
    static String modelErrorCode(int httpStatus, String errorType) {
        if (isSafeType(errorType)) {
            return errorType;
        }
        return httpStatus == 422 ? "fal_validation_error" : "fal_error";
    }

    /** An error type as it may go into a log line: fal's identifier, or {@code ?} for anything else. */
    static String safeType(String type) {
        return isSafeType(type) ? type : "?";
    }

    private static boolean isSafeType(String type) {
        return type != null && SAFE_ERROR_TYPE.matcher(type).matches();
    }

    // --- JSON values -------------------------------------------------------------------------------------------


    /** A string field, or null when absent or not a string. */
    static String text(JsonNode node) {
        return node != null && node.isString() ? node.stringValue() : null;
    }

    /** Any node as text: strings as they are, numbers and booleans printed, objects and arrays as JSON. */
    static String message(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (node.isString()) {
            return node.stringValue();
        }
        return node.isValueNode() ? node.asString() : node.toString();
    }

    static Integer integer(JsonNode node) {
        return node != null && node.isIntegralNumber() && node.canConvertToInt() ? node.intValue() : null;
    }
}
