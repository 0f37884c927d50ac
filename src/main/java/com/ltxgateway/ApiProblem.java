package com.ltxgateway;

import java.util.List;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * A fact a feature reports that has a meaning over HTTP. The feature names the fact; the kind it extends (not found,
 * conflict, invalid request, ...) decides the status and the problem type, so the API answers it as its RFC 9457
 * problem and the dashboard as a page, without either knowing the feature's exceptions. The message is the detail
 * the caller sees, so it must never hold a secret.
 */
public abstract class ApiProblem extends ErrorResponseException {

    protected ApiProblem(HttpStatus status, ProblemType type, String detail) {
        this(status, type, type.title(), detail);
    }

    protected ApiProblem(HttpStatus status, ProblemType type, String title, String detail) {
        super(status, body(status, type, title, detail), null);
    }

    private static ProblemDetail body(HttpStatus status, ProblemType type, String title, String detail) {
        ProblemDetail body = ProblemDetail.forStatusAndDetail(status, detail);
        body.setType(type.uri());
        body.setTitle(title);
        return body;
    }

    /** The detail, so logs and pages read as the caller's answer does rather than as Spring's summary of it. */
    @Override
    public String getMessage() {
        return getBody().getDetail();
    }

    /** Unknown, or not the caller's: the two are answered alike on purpose. */
    public abstract static class NotFound extends ApiProblem {

        protected NotFound(String detail) {
            super(HttpStatus.NOT_FOUND, ProblemType.NOT_FOUND, detail);
        }
    }

    /** The resource is in a state that does not allow the request now. */
    public abstract static class Conflict extends ApiProblem {

        protected Conflict(String detail) {
            super(HttpStatus.CONFLICT, ProblemType.CONFLICT, detail);
        }
    }

    /** The caller has asked too often; {@code Retry-After} says when it may ask again. */
    public abstract static class TooManyRequests extends ApiProblem {

        protected TooManyRequests(String detail, long retryAfterSeconds) {
            super(HttpStatus.TOO_MANY_REQUESTS, ProblemType.TOO_MANY_REQUESTS, detail);
            retryAfterSeconds(Math.toIntExact(Math.min(retryAfterSeconds, Integer.MAX_VALUE)));
        }
    }

    /** The gateway cannot serve the request as configured; retrying will not help until an operator acts. */
    public abstract static class Unavailable extends ApiProblem {

        protected Unavailable(String detail) {
            super(HttpStatus.SERVICE_UNAVAILABLE, ProblemType.SERVICE_UNAVAILABLE, detail);
        }
    }

    /**
     * Input that broke a rule, with every broken rule named in {@code errors}, so a caller can fix them all in one
     * go.
     */
    public abstract static class InvalidRequest extends ApiProblem {

        private final List<FieldViolation> violations;

        /** Several fields of a body: the detail counts them. */
        protected InvalidRequest(List<FieldViolation> violations) {
            this("The request has " + (violations.size() == 1 ? "1 invalid field" : violations.size() + " invalid fields"),
                    violations);
        }

        /** One parameter or header: the detail is its message. */
        protected InvalidRequest(String field, String message) {
            this(message, List.of(new FieldViolation(field, message)));
        }

        private InvalidRequest(String detail, List<FieldViolation> violations) {
            super(HttpStatus.BAD_REQUEST, ProblemType.VALIDATION, detail);
            this.violations = List.copyOf(violations);
            getBody().setProperty("errors", this.violations);
        }

        public List<FieldViolation> violations() {
            return violations;
        }
    }

    /** Tells the caller when to ask again. */
    protected final void retryAfterSeconds(int seconds) {
        getHeaders().set(HttpHeaders.RETRY_AFTER, Integer.toString(seconds));
    }
}
