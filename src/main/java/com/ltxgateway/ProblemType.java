package com.ltxgateway;

import java.net.URI;
import java.util.Locale;

import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;

/** The {@code type} of every problem the API returns, with the title it is shown under; listed in docs/api.md. */
public enum ProblemType {

    VALIDATION("validation-error", "Invalid request"),
    MALFORMED_REQUEST("malformed-request", "Malformed request"),
    PAYLOAD_TOO_LARGE("payload-too-large", "Request body too large"),
    UNAUTHENTICATED("unauthenticated", "Unauthenticated"),
    FORBIDDEN("forbidden", "Forbidden"),
    NOT_FOUND("not-found", "Not found"),
    CONFLICT("conflict", "Conflict"),
    BUDGET_EXCEEDED("budget-exceeded", "Budget exceeded"),
    IDEMPOTENCY_KEY_REUSED("idempotency-key-reused", "Idempotency-Key reused"),
    IDEMPOTENT_REQUEST_IN_PROGRESS("idempotent-request-in-progress", "Request in progress"),
    TOO_MANY_REQUESTS("too-many-requests", "Too many requests"),
    SERVICE_UNAVAILABLE("service-unavailable", "Unavailable"),
    INTERNAL("internal-error", "Internal error");

    private static final String BASE = "https://ltx-gateway.dev/problems/";

    private final URI uri;
    private final String title;

    ProblemType(String name, String title) {
        this.uri = URI.create(BASE + name);
        this.title = title;
    }

    public URI uri() {
        return uri;
    }

    public String title() {
        return title;
    }

    /** For problems raised by the framework rather than by the gateway's own exceptions. */
    public static URI forStatus(HttpStatusCode status) {
        return switch (status.value()) {
            case 400 -> MALFORMED_REQUEST.uri;
            case 401 -> UNAUTHENTICATED.uri;
            case 404 -> NOT_FOUND.uri;
            case 409 -> CONFLICT.uri;
            case 413 -> PAYLOAD_TOO_LARGE.uri;
            case 503 -> SERVICE_UNAVAILABLE.uri;
            default -> {
                HttpStatus known = HttpStatus.resolve(status.value());
                yield known == null ? (status.is5xxServerError() ? INTERNAL.uri : MALFORMED_REQUEST.uri)
                        : URI.create(BASE + known.name().toLowerCase(Locale.ROOT).replace('_', '-'));
            }
        };
    }
}
