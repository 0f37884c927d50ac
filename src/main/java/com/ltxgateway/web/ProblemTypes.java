package com.ltxgateway.web;

import java.net.URI;

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

    private static URI type(String name) {
        return URI.create("https://ltx-gateway.dev/problems/" + name);
    }
}
