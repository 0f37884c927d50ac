package com.ltxgateway.web;

import java.net.URI;
import java.util.List;
import java.util.stream.Collectors;

import com.ltxgateway.Causes;
import com.ltxgateway.FieldViolation;
import com.ltxgateway.ProblemType;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.DatabindException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.firewall.RequestRejectedException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * The one place where exceptions become RFC 9457 problems. Domain exceptions are named as facts by the features
 * that raise them; this class decides what each means over HTTP. Client mistakes are 4xx with a detail that says
 * what to fix; anything unexpected is a 500 that reveals nothing.
 */
@RestControllerAdvice
class ProblemHandling extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemHandling.class);

    /** A team key on an admin endpoint: answered like an unknown resource, so nothing about it leaks. */
    @ExceptionHandler(AccessDeniedException.class)
    ResponseEntity<ProblemDetail> accessDenied(AccessDeniedException e) {
        return problem(HttpStatus.NOT_FOUND, ProblemType.NOT_FOUND.uri(), "Not found", "No such resource");
    }

    @ExceptionHandler(AuthenticationException.class)
    ResponseEntity<ProblemDetail> unauthenticated(AuthenticationException e) {
        ProblemDetail body = body(HttpStatus.UNAUTHORIZED, ProblemType.UNAUTHENTICATED.uri(), "Unauthenticated",
                "Send a valid API key as 'Authorization: Bearer <key>'");
        return ResponseEntity.status(HttpStatus.UNAUTHORIZED).header(HttpHeaders.WWW_AUTHENTICATE, "Bearer").body(body);
    }

    /** Spring Security's firewall checks parameter names only when they are first read, inside the controller. */
    @ExceptionHandler(RequestRejectedException.class)
    ResponseEntity<ProblemDetail> requestRejected(RequestRejectedException e) {
        return problem(HttpStatus.BAD_REQUEST, ProblemType.MALFORMED_REQUEST.uri(), "Malformed request",
                "The request has a URL or parameter that is not allowed");
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> unexpected(Exception e) {
        log.error("Unexpected error", e);
        return problem(HttpStatus.INTERNAL_SERVER_ERROR, ProblemType.INTERNAL.uri(), "Internal error",
                "Something went wrong on our side; the request can be retried");
    }

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException e, HttpHeaders headers,
            HttpStatusCode status, WebRequest request) {
        if (Causes.find(e, BodyTooLarge.class) != null) {
            return cast(problem(HttpStatus.CONTENT_TOO_LARGE, ProblemType.PAYLOAD_TOO_LARGE.uri(), "Request body too large",
                    Causes.find(e, BodyTooLarge.class).getMessage()));
        }
        if (Causes.find(e, UnrecognizedPropertyException.class) instanceof UnrecognizedPropertyException unknown) {
            return cast(validation("The request has an unknown field",
                    List.of(new FieldViolation(path(unknown), "unknown field"))));
        }
        if (Causes.find(e, MismatchedInputException.class) instanceof MismatchedInputException mismatch
                && !mismatch.getPath().isEmpty()) {
            String expected = mismatch.getTargetType() == null ? "value" : mismatch.getTargetType().getSimpleName().toLowerCase();
            return cast(validation("The request has a field of the wrong type",
                    List.of(new FieldViolation(path(mismatch), "must be a " + expected))));
        }
        String detail = "The request body is not valid JSON";
        if (Causes.find(e, JacksonException.class) instanceof JacksonException json && json.getLocation() != null
                && json.getLocation().getLineNr() > 0) {
            detail += " (line " + json.getLocation().getLineNr() + ", column " + json.getLocation().getColumnNr() + ")";
        }
        else if (e.getMessage() != null && e.getMessage().startsWith("Required request body is missing")) {
            detail = "The request needs a JSON body";
        }
        return cast(problem(HttpStatus.BAD_REQUEST, ProblemType.MALFORMED_REQUEST.uri(), "Malformed request", detail));
    }

    @Override
    protected ResponseEntity<Object> handleMethodArgumentNotValid(MethodArgumentNotValidException e, HttpHeaders headers,
            HttpStatusCode status, WebRequest request) {
        List<FieldViolation> violations = e.getBindingResult().getFieldErrors().stream()
                .map(error -> new FieldViolation(snakeCase(error.getField()), error.getDefaultMessage()))
                .toList();
        return cast(validation("The request has " + describe(violations.size()), violations));
    }

    /** Every problem carries a documented type; those Spring MVC raises itself (415, 405, unknown paths) come as about:blank. */
    @Override
    protected ResponseEntity<Object> handleExceptionInternal(Exception e, Object body, HttpHeaders headers,
            HttpStatusCode status, WebRequest request) {
        ResponseEntity<Object> response = super.handleExceptionInternal(e, body, headers, status, request);
        if (response != null && response.getBody() instanceof ProblemDetail problem
                && (problem.getType() == null || "about:blank".equals(problem.getType().toString()))) {
            problem.setType(ProblemType.forStatus(response.getStatusCode()));
        }
        return response;
    }

    private static ResponseEntity<ProblemDetail> validation(String detail, List<FieldViolation> violations) {
        ProblemDetail body = body(HttpStatus.BAD_REQUEST, ProblemType.VALIDATION.uri(), "Invalid request", detail);
        body.setProperty("errors", violations);
        return ResponseEntity.badRequest().body(body);
    }

    private static ResponseEntity<ProblemDetail> problem(HttpStatus status, URI type, String title, String detail) {
        return ResponseEntity.status(status).body(body(status, type, title, detail));
    }

    private static ProblemDetail body(HttpStatus status, URI type, String title, String detail) {
        ProblemDetail body = ProblemDetail.forStatusAndDetail(status, detail);
        body.setType(type);
        body.setTitle(title);
        return body;
    }

    private static String describe(int violations) {
        return violations == 1 ? "1 invalid field" : violations + " invalid fields";
    }

    private static String path(DatabindException e) {
        return e.getPath().stream()
                .map(reference -> reference.getPropertyName() != null ? reference.getPropertyName() : "[" + reference.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
    }

    private static String snakeCase(String field) {
        return field.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase();
    }

    @SuppressWarnings({ "unchecked", "rawtypes" })
    private static ResponseEntity<Object> cast(ResponseEntity<ProblemDetail> response) {
        return (ResponseEntity) response;
    }
}
