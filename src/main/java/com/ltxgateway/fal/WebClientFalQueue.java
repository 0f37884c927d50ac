package com.ltxgateway.fal;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import javax.net.ssl.SSLException;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.timeout.ReadTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.PrematureCloseException;
import reactor.netty.resources.ConnectionProvider;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.stereotype.Component;
import org.springframework.util.StringUtils;
import org.springframework.util.unit.DataSize;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.util.UriComponentsBuilder;
import org.springframework.web.util.UriUtils;

/**
 * {@link FalQueue} over HTTP. Calls block; callers run them on virtual threads.
 * <p>
 * The key in {@link FalEndpoint#key()} is only ever sent to the endpoint's own queue host, and never ends up in a
 * log line, an exception or an outcome: reasons are built from status codes and exception types, not from
 * messages, and response bodies that echo the key have it masked before they are parsed.
 * <p>
 * Faults are outcomes, with two exceptions that are programming errors, not fal's: an endpoint without a key
 * ({@link IllegalArgumentException}) and a call from a non-blocking Reactor thread ({@link IllegalStateException}).
 */
@Component
class WebClientFalQueue implements FalQueue, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WebClientFalQueue.class);

    private static final byte[] NO_BODY = new byte[0];
    private static final String ERROR_TYPE_HEADER = "X-Fal-Error-Type";
    private static final String REDACTED = "[redacted]";
    // Long enough that masking cannot hit ordinary words in a body; real fal keys are far longer.
    private static final int MIN_REDACTABLE_KEY_LENGTH = 8;
    private static final int MAX_MESSAGE_LENGTH = 2000;
    private static final Duration[] LATENCY_BUCKETS = Stream.of(25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000)
            .map(Duration::ofMillis).toArray(Duration[]::new);
    // fal's error types are snake_case identifiers; anything else is not put into a loggable reason.
    private static final Pattern SAFE_ERROR_TYPE = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    private final WebClient webClient;
    private final ConnectionProvider connections;
    private final JsonMapper json = JsonMapper.shared();
    private final Duration readTimeout;
    private final Duration callTimeout;
    private final URI falQueueUrl;
    private final MeterRegistry meters;

    WebClientFalQueue(WebClient.Builder builder, FalProperties properties, MeterRegistry meters) {
        this.falQueueUrl = properties.queueUrl();
        this.meters = meters;
        Duration connectTimeout = Objects.requireNonNullElse(properties.connectTimeout(), Duration.ofSeconds(5));
        this.readTimeout = Objects.requireNonNullElse(properties.readTimeout(), Duration.ofSeconds(30));
        int maxResponseBytes = (int) Math.min(Integer.MAX_VALUE,
                Objects.requireNonNullElse(properties.maxResponseSize(), DataSize.ofMegabytes(4)).toBytes());
        // responseTimeout only bounds the gaps between reads, so a body trickling in could hold a caller's
        // thread forever; this caps the whole call (connect, headers, then a body of at most maxResponseBytes).
        this.callTimeout = connectTimeout.plus(readTimeout).plus(readTimeout);
        // Load balancers drop idle keep-alive connections silently; retiring them early avoids the
        // "connection closed before response" failure on the next call that picks one up.
        this.connections = ConnectionProvider.builder("fal-queue")
                .maxIdleTime(Duration.ofSeconds(20))
                .maxLifeTime(Duration.ofMinutes(5))
                .evictInBackground(Duration.ofSeconds(30))
                .build();
        HttpClient httpClient = HttpClient.create(connections)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()))
                .responseTimeout(readTimeout)
                // A redirect would carry the Authorization header to wherever it points.
                .followRedirect(false);
        this.webClient = builder.clone()
                .clientConnector(new ReactorClientHttpConnector(httpClient))
                .codecs(codecs -> {
                    codecs.defaultCodecs().maxInMemorySize(maxResponseBytes);
                    // Request details include the Authorization header.
                    codecs.defaultCodecs().enableLoggingRequestDetails(false);
                })
                .build();
    }

    @Override
    public void close() {
        connections.dispose();
    }

    @Override
    public FalOutcome<FalSubmission> submit(FalEndpoint endpoint, JsonNode input, URI webhookUrl, SubmitGate gate) {
        Objects.requireNonNull(input, "input");
        if (!gate.open()) {
            return new FalOutcome.Unavailable<>(0, "not sent: the submit was not permitted", null);
        }
        String url = base(endpoint) + "/" + encodePath(endpoint.endpointId());
        if (webhookUrl != null) {
            url += "?fal_webhook=" + UriUtils.encode(webhookUrl.toString(), StandardCharsets.UTF_8);
        }
        byte[] body = json.writeValueAsBytes(input);
        return call("submit", null, HttpMethod.POST, URI.create(url), endpoint, body, reply -> {
            if (!reply.is2xx()) {
                return classify(reply);
            }
            JsonNode node = reply.json();
            String requestId = node == null ? null : text(node.get("request_id"));
            if (!StringUtils.hasText(requestId)) {
                return unparseable(reply);
            }
            FalRequestRef ref = new FalRequestRef(requestId, uri(node.get("status_url")), uri(node.get("response_url")),
                    uri(node.get("cancel_url")));
            return new FalOutcome.Success<>(new FalSubmission(ref, integer(node.get("queue_position"))));
        });
    }

    @Override
    public FalOutcome<FalStatus> status(FalEndpoint endpoint, FalRequestRef request, int logsFrom) {
        URI url = statusUrl(endpoint, request);
        return call("status", request.requestId(), HttpMethod.GET, url, endpoint, null, reply -> {
            // 202 while queued or running, 200 once completed: the body says which, the code adds nothing.
            if (!reply.is2xx()) {
                return classify(reply);
            }
            JsonNode node = reply.json();
            if (node == null || !node.isObject()) {
                return unparseable(reply);
            }
            FalStatus.State state = state(text(node.get("status")));
            if (state == null) {
                return new FalOutcome.Unavailable<>(reply.status(), "HTTP " + reply.status() + " unknown status", reply.retryAfter());
            }
            FalError error = null;
            String errorText = message(node.get("error"));
            if (state == FalStatus.State.COMPLETED && StringUtils.hasText(errorText)) {
                String type = text(node.get("error_type"));
                error = new FalError(StringUtils.hasText(type) ? type : "fal_error", errorText, null);
            }
            List<FalLogLine> all = logs(node.get("logs"));
            int from = logsFrom < 0 ? all.size() : logsFrom > all.size() ? 0 : logsFrom;
            List<FalLogLine> fresh = all.subList(from, Math.min(all.size(), from + FalStatus.MAX_NEW_LOG_LINES));
            return new FalOutcome.Success<>(new FalStatus(state, integer(node.get("queue_position")), fresh, from + fresh.size(), error));
        });
    }

    @Override
    public FalOutcome<FalResult> result(FalEndpoint endpoint, FalRequestRef request) {
        URI url = sameOrigin(endpoint, request.responseUrl(), requestUrl(endpoint, request, ""));
        return call("result", request.requestId(), HttpMethod.GET, url, endpoint, null, reply -> {
            if (reply.is2xx()) {
                JsonNode node = reply.json();
                return node == null || !node.isObject() ? unparseable(reply) : new FalOutcome.Success<>(new FalResult.Output(node));
            }
            int code = reply.status();
            // The result endpoint relays the model's own status and body, so an error body here is how the run
            // ended, not a fault of the call. Rate limits, auth failures and bare gateway errors are the exceptions.
            boolean modelError = code >= 400 && code != 429 && code != 401 && code != 403 && reply.detail() != null;
            if (!modelError) {
                return classify(reply);
            }
            return new FalOutcome.Success<>(new FalResult.Error(modelError(code, reply.errorType(null), reply.detail())));
        });
    }

    @Override
    public FalOutcome<FalCancellation> cancel(FalEndpoint endpoint, FalRequestRef request) {
        URI url = sameOrigin(endpoint, request.cancelUrl(), requestUrl(endpoint, request, "/cancel"));
        return call("cancel", request.requestId(), HttpMethod.PUT, url, endpoint, null, reply -> {
            // fal does not document which HTTP code goes with which answer, and some come with a 4xx, so a
            // recognisable body wins over the code.
            JsonNode node = reply.json();
            FalCancellation answer = node == null ? null : cancellation(text(node.get("status")));
            if (answer != null) {
                return new FalOutcome.Success<>(answer);
            }
            return reply.is2xx() ? unparseable(reply) : classify(reply);
        });
    }

    // --- transport ---------------------------------------------------------------------------------------------

    private <T> FalOutcome<T> call(String operation, String requestId, HttpMethod method, URI url, FalEndpoint endpoint,
            byte[] body, Function<Reply, FalOutcome<T>> interpret) {
        String key = endpoint.key();
        if (!StringUtils.hasText(key)) {
            throw new IllegalArgumentException("no fal key for " + endpoint);
        }
        // block() would fail there anyway; failing here keeps it from being reported as fal being unavailable.
        if (Schedulers.isInNonBlockingThread()) {
            throw new IllegalStateException("fal calls block; call them from a virtual thread, not " + Thread.currentThread().getName());
        }
        long started = System.nanoTime();
        FalOutcome<T> outcome;
        try {
            Reply reply = exchange(method, url, key, body);
            outcome = interpret.apply(reply);
        }
        catch (RuntimeException ex) {
            outcome = new FalOutcome.Unavailable<>(0, reason(ex), null, answerLost(ex));
        }
        long latency = System.nanoTime() - started;
        Timer.builder("gateway.fal.calls")
                .description("Calls to fal's queue API (and the sandbox simulator), by how they ended")
                .tag("operation", operation)
                .tag("outcome", switch (outcome) {
                    case FalOutcome.Success<T> s -> "success";
                    case FalOutcome.Rejected<T> r -> "rejected";
                    case FalOutcome.Unavailable<T> u -> "unavailable";
                })
                // Sandbox trainings use this adapter too; their calls must not blur fal's own numbers.
                .tag("target", endpoint.queueUrl().equals(falQueueUrl) ? "fal" : "sandbox")
                // Fixed buckets keep the series few, and still place a p95 between fal's usual answers and a timeout.
                .serviceLevelObjectives(LATENCY_BUCKETS)
                .register(meters)
                .record(latency, TimeUnit.NANOSECONDS);
        if (log.isDebugEnabled()) {
            String id = requestId != null ? requestId
                    : outcome instanceof FalOutcome.Success<T>(FalSubmission s) ? s.request().requestId() : "-";
            log.debug("fal {} request={} outcome={} latency={}ms", operation, id, describe(outcome),
                    Duration.ofNanos(latency).toMillis());
        }
        return outcome;
    }

    private Reply exchange(HttpMethod method, URI url, String key, byte[] body) {
        WebClient.RequestBodySpec request = webClient.method(method)
                .uri(url)
                .headers(headers -> {
                    headers.set(HttpHeaders.AUTHORIZATION, "Key " + key);
                    headers.setAccept(List.of(MediaType.APPLICATION_JSON));
                });
        WebClient.RequestHeadersSpec<?> ready = body == null ? request
                : request.contentType(MediaType.APPLICATION_JSON).bodyValue(body);
        Raw raw = ready
                .exchangeToMono(response -> response.bodyToMono(byte[].class)
                        .defaultIfEmpty(NO_BODY)
                        .map(bytes -> new Raw(response.statusCode().value(), response.headers().asHttpHeaders(), bytes)))
                .timeout(callTimeout)
                .block();
        if (raw == null) {
            throw new IllegalStateException("no response");
        }
        // Parsed here rather than on the event loop: bodies can be megabytes.
        return new Reply(raw.status(), raw.headers(), parse(mask(raw.body(), key)));
    }

    private record Raw(int status, HttpHeaders headers, byte[] body) {
    }

    /** The body as JSON, or null when there is none or it does not parse (HTML error pages, truncation). */
    private JsonNode parse(byte[] body) {
        if (body.length == 0) {
            return null;
        }
        try {
            JsonNode node = json.readTree(body);
            return node == null || node.isMissingNode() ? null : node;
        }
        catch (JacksonException ex) {
            return null;
        }
    }

    /** Whether the failure came after the request may have reached fal, as opposed to never leaving this host. */
    private static boolean answerLost(Throwable failure) {
        for (Throwable t = failure; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof ReadTimeoutException || t instanceof TimeoutException || t instanceof PrematureCloseException
                    || t instanceof DataBufferLimitException || t instanceof JacksonException) {
                return true;
            }
        }
        return false;
    }

    /** Turns a transport failure into a short reason that is safe to log (no messages, they may carry URLs). */
    private String reason(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ReadTimeoutException) {
                return "timeout after " + format(readTimeout);
            }
            if (t instanceof TimeoutException) {
                return "timeout after " + format(callTimeout);
            }
            if (t instanceof ConnectTimeoutException) {
                return "connect timeout";
            }
            if (t instanceof ConnectException) {
                return "connection refused";
            }
            if (t instanceof UnknownHostException) {
                return "unknown host";
            }
            if (t instanceof NoRouteToHostException) {
                return "no route to host";
            }
            if (t instanceof PrematureCloseException) {
                return "connection closed prematurely";
            }
            if (t instanceof DataBufferLimitException) {
                return "response too large";
            }
            if (t instanceof SSLException) {
                return "TLS failure";
            }
            if (t instanceof JacksonException) {
                return "unparseable response";
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return "I/O failure (" + failure.getClass().getSimpleName() + ")";
    }

    private static byte[] mask(byte[] body, String key) {
        if (key.length() < MIN_REDACTABLE_KEY_LENGTH || body.length < key.length()) {
            return body;
        }
        String text = new String(body, StandardCharsets.UTF_8);
        return text.contains(key) ? text.replace(key, REDACTED).getBytes(StandardCharsets.UTF_8) : body;
    }

    // --- classification ----------------------------------------------------------------------------------------

    /** The outcome of a response that is not the answer the protocol promises for the call. */
    private <T> FalOutcome<T> classify(Reply reply) {
        int code = reply.status();
        if (code == 429 || code >= 500 || code < 400) {
            String type = reply.errorType(null);
            String reason = "HTTP " + code + (type != null ? " " + type : "");
            return new FalOutcome.Unavailable<>(code, reason, reply.retryAfter());
        }
        JsonNode detail = reply.detail();
        if (code == 422) {
            String message = detail != null ? summarize(detail) : "validation failed";
            return new FalOutcome.Rejected<>(code, new FalError("fal_validation_error", message, detail));
        }
        String message = detail != null ? summarize(detail) : "fal answered HTTP " + code;
        return new FalOutcome.Rejected<>(code, new FalError("fal_http_" + code, message, detail));
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
        if (errorType != null && SAFE_ERROR_TYPE.matcher(errorType).matches()) {
            return errorType;
        }
        return httpStatus == 422 ? "fal_validation_error" : "fal_error";
    }

    private static <T> FalOutcome<T> unparseable(Reply reply) {
        return new FalOutcome.Unavailable<>(reply.status(), "HTTP " + reply.status() + " unparseable body", null, reply.is2xx());
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

    private static String truncate(String text) {
        return text == null || text.length() <= MAX_MESSAGE_LENGTH ? text : text.substring(0, MAX_MESSAGE_LENGTH - 1) + "…";
    }

    // --- URLs ----------------------------------------------------------------------------------------------------

    private static String base(FalEndpoint endpoint) {
        String base = endpoint.queueUrl().toString();
        return base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }

    /** {@code {queueUrl}/{owner}/{app}/requests/{id}{suffix}}: fal drops the endpoint's sub-path here. */
    private static URI requestUrl(FalEndpoint endpoint, FalRequestRef request, String suffix) {
        String[] segments = endpoint.endpointId().split("/");
        String app = segments.length >= 2 ? segments[0] + "/" + segments[1] : endpoint.endpointId();
        return URI.create(base(endpoint) + "/" + encodePath(app) + "/requests/"
                + UriUtils.encodePathSegment(request.requestId(), StandardCharsets.UTF_8) + suffix);
    }

    private static String encodePath(String path) {
        List<String> encoded = new ArrayList<>();
        for (String segment : path.split("/")) {
            if (!segment.isEmpty()) {
                encoded.add(UriUtils.encodePathSegment(segment, StandardCharsets.UTF_8));
            }
        }
        return String.join("/", encoded);
    }

    /** fal's own URL when it points at the endpoint's queue host, so the key cannot be sent anywhere else. */
    static URI sameOrigin(FalEndpoint endpoint, URI candidate, URI fallback) {
        if (candidate == null || !candidate.isAbsolute() || candidate.getRawUserInfo() != null || candidate.getHost() == null) {
            return fallback;
        }
        URI queue = endpoint.queueUrl();
        boolean same = candidate.getScheme().equalsIgnoreCase(queue.getScheme())
                && candidate.getHost().equalsIgnoreCase(queue.getHost())
                && port(candidate) == port(queue);
        return same ? candidate : fallback;
    }

    private static int port(URI uri) {
        if (uri.getPort() != -1) {
            return uri.getPort();
        }
        return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : "http".equalsIgnoreCase(uri.getScheme()) ? 80 : -1;
    }

    /** fal's status URL (same host only) with {@code logs=1} forced into its query, else one built from the id. */
    private static URI statusUrl(FalEndpoint endpoint, FalRequestRef request) {
        URI built = requestUrl(endpoint, request, "/status?logs=1");
        URI candidate = sameOrigin(endpoint, request.statusUrl(), built);
        if (candidate == built) {
            return built;
        }
        try {
            return UriComponentsBuilder.fromUri(candidate).replaceQueryParam("logs", "1").build(true).toUri();
        }
        catch (IllegalArgumentException ex) {
            return built;
        }
    }

    // --- parsing -------------------------------------------------------------------------------------------------

    private static FalStatus.State state(String status) {
        if (status == null) {
            return null;
        }
        return switch (status) {
            case "IN_QUEUE" -> FalStatus.State.IN_QUEUE;
            case "IN_PROGRESS" -> FalStatus.State.IN_PROGRESS;
            case "COMPLETED" -> FalStatus.State.COMPLETED;
            default -> null;
        };
    }

    private static FalCancellation cancellation(String status) {
        if (status == null) {
            return null;
        }
        return switch (status) {
            case "OK" -> FalCancellation.OK;
            case "CANCELLATION_REQUESTED" -> FalCancellation.CANCELLATION_REQUESTED;
            case "ALREADY_COMPLETED" -> FalCancellation.ALREADY_COMPLETED;
            case "NOT_FOUND" -> FalCancellation.NOT_FOUND;
            default -> null;
        };
    }

    private static List<FalLogLine> logs(JsonNode logs) {
        if (logs == null || !logs.isArray()) {
            return List.of();
        }
        List<FalLogLine> lines = new ArrayList<>();
        for (JsonNode line : logs.values()) {
            if (line.isObject()) {
                lines.add(new FalLogLine(message(line.get("message")), text(line.get("level")), text(line.get("source")),
                        message(line.get("timestamp"))));
            }
        }
        return lines;
    }

    /** A string field, or null when absent or not a string. */
    private static String text(JsonNode node) {
        return node != null && node.isString() ? node.stringValue() : null;
    }

    /** Any node as text: strings as they are, numbers and booleans printed, objects and arrays as JSON. */
    private static String message(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (node.isString()) {
            return node.stringValue();
        }
        return node.isValueNode() ? node.asString() : node.toString();
    }

    private static Integer integer(JsonNode node) {
        return node != null && node.isIntegralNumber() && node.canConvertToInt() ? node.intValue() : null;
    }

    private static URI uri(JsonNode node) {
        String text = text(node);
        if (!StringUtils.hasText(text)) {
            return null;
        }
        try {
            return URI.create(text);
        }
        catch (IllegalArgumentException ex) {
            return null;
        }
    }

    private static String format(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + "s" : duration.toMillis() + "ms";
    }

    private static String describe(FalOutcome<?> outcome) {
        return switch (outcome) {
            case FalOutcome.Success<?>(FalStatus s) -> "ok " + s.state();
            case FalOutcome.Success<?>(FalResult.Error e) -> "ok model error " + safeType(e.error().code());
            case FalOutcome.Success<?>(FalResult.Output o) -> "ok output";
            case FalOutcome.Success<?>(FalCancellation c) -> "ok " + c;
            case FalOutcome.Success<?> s -> "ok";
            case FalOutcome.Rejected<?> r -> "rejected " + r.httpStatus() + " " + safeType(r.error().code());
            case FalOutcome.Unavailable<?> u -> "unavailable " + u.reason();
        };
    }

    private static String safeType(String type) {
        return type != null && SAFE_ERROR_TYPE.matcher(type).matches() ? type : "?";
    }

    /**
     * One response, read in full (up to the size limit) before it is interpreted.
     *
     * @param json the body; null when empty or not JSON
     */
    private record Reply(int status, HttpHeaders headers, JsonNode json) {

        private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withLocale(Locale.US);

        boolean is2xx() {
            return status >= 200 && status < 300;
        }

        /** fal's {@code detail}, when the body is a JSON object that has one. */
        JsonNode detail() {
            JsonNode node = json;
            JsonNode detail = node != null && node.isObject() ? node.get("detail") : null;
            return detail == null || detail.isNull() ? null : detail;
        }

        /** {@code X-Fal-Error-Type}, else the body's {@code error_type}, restricted to identifier characters. */
        String errorType(String fallback) {
            String type = headers.getFirst(ERROR_TYPE_HEADER);
            if (type == null) {
                JsonNode node = json;
                type = node != null && node.isObject() ? text(node.get("error_type")) : null;
            }
            return type != null && SAFE_ERROR_TYPE.matcher(type).matches() ? type : fallback;
        }

        /** {@code Retry-After} as delta-seconds or HTTP-date; null when absent or unreadable. */
        Duration retryAfter() {
            String value = headers.getFirst(HttpHeaders.RETRY_AFTER);
            if (value == null || value.isBlank()) {
                return null;
            }
            value = value.trim();
            if (value.chars().allMatch(Character::isDigit)) {
                try {
                    return Duration.ofSeconds(Long.parseLong(value));
                }
                catch (NumberFormatException ex) {
                    return null;
                }
            }
            try {
                Duration wait = Duration.between(Instant.now(), ZonedDateTime.parse(value, HTTP_DATE).toInstant());
                return wait.isNegative() ? Duration.ZERO : wait;
            }
            catch (DateTimeParseException ex) {
                return null;
            }
        }
    }
}
