package com.ltxgateway.web;

import java.net.URI;
import java.util.Locale;

import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;

/** The {@code type} of every problem the API returns; documented in the README. */
final class ProblemTypes {

    static final URI VALIDATION = type("validation-error");
    static final URI MALFORMED_REQUEST = type("malformed-request");
    static final URI PAYLOAD_TOO_LARGE = type("payload-too-large");
    static final URI UNAUTHENTICATED = type("unauthenticated");
    static final URI NOT_FOUND = type("not-found");
    static final URI CONFLICT = type("conflict");
    static final URI IDEMPOTENCY_KEY_REUSED = type("idempotency-key-reused");
    static final URI IDEMPOTENT_REQUEST_IN_PROGRESS = type("idempotent-request-in-progress");
    static final URI SERVICE_UNAVAILABLE = type("service-unavailable");
    static final URI FORBIDDEN = type("forbidden");
    static final URI INTERNAL = type("internal-error");

    private ProblemTypes() {
    }

    /** For problems raised by the framework rather than by this API's own handlers. */
    static URI forStatus(HttpStatusCode status) {
        return switch (status.value()) {
            case 400 -> MALFORMED_REQUEST;
            case 401 -> UNAUTHENTICATED;
            case 404 -> NOT_FOUND;
            case 409 -> CONFLICT;
            case 413 -> PAYLOAD_TOO_LARGE;
            case 503 -> SERVICE_UNAVAILABLE;
            default -> {
                HttpStatus known = HttpStatus.resolve(status.value());
                yield known == null ? (status.is5xxServerError() ? INTERNAL : MALFORMED_REQUEST)
                        : type(known.name().toLowerCase(Locale.ROOT).replace('_', '-'));
            }
        };
    }

    private static URI type(String name) {
        return URI.create("https://ltx-gateway.dev/problems/" + name);
    }
}
