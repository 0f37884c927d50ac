package com.ltxgateway.fal;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Stream;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpMethod;
import org.springframework.stereotype.Component;
import org.springframework.util.StringUtils;
import org.springframework.util.unit.DataSize;
import org.springframework.web.reactive.function.client.WebClient;

import com.ltxgateway.fal.FalHttp.Reply;
import com.ltxgateway.fal.FalHttp.Request;

/**
 * {@link FalQueue} over HTTP. Calls block; callers run them on virtual threads.
 * <p>
 * The key in {@link FalEndpoint#key()} is only ever sent to the endpoint's own queue host, and never ends up in a
 * log line, an exception or an outcome (see {@link FalHttp}).
 * <p>
 * A submit's gate is asked once the connection to fal is open, right before the request is written; see
 * {@link FalHttp} for why nothing leaves before. Submit and cancel answers are read whole, up to
 * {@code gateway.fal.max-response-size}; status and result answers are read as they stream in, of any size: a status
 * keeps only the log lines asked for ({@link FalStatusReader}), a result drops inline {@code file_data}.
 * <p>
 * Faults are outcomes, with two exceptions that are programming errors, not fal's: an endpoint without a key
 * ({@link IllegalArgumentException}) and a call from a non-blocking Reactor thread ({@link IllegalStateException}).
 */
@Component
class WebClientFalQueue implements FalQueue, AutoCloseable {

    /** fal queues a {@code low} request behind the account's {@code normal} ones. */
    private static final String QUEUE_PRIORITY_HEADER = "X-Fal-Queue-Priority";
    private static final String LIFECYCLE_HEADER = "X-Fal-Object-Lifecycle-Preference";

    private static final Logger log = LoggerFactory.getLogger(WebClientFalQueue.class);

    private static final Duration[] LATENCY_BUCKETS = Stream.of(25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000)
            .map(Duration::ofMillis).toArray(Duration[]::new);

    private final @Nullable Duration outputExpiration;
    private final FalHttp http;
    private final JsonMapper json = JsonMapper.shared();
    private final int maxResponseBytes;
    private final URI falQueueUrl;
    private final FalCallMetrics metrics;

    WebClientFalQueue(WebClient.Builder builder, FalProperties properties, MeterRegistry meters) {
        this.falQueueUrl = properties.queueUrl();
        this.outputExpiration = properties.outputExpiration();
        // Fixed buckets keep the series few, and still place a p95 between fal's usual answers and a timeout.
        this.metrics = new FalCallMetrics("gateway.fal.calls", "Calls to fal's queue API (and the sandbox simulator), by how they ended",
                LATENCY_BUCKETS, meters, log);
        this.maxResponseBytes = (int) Math.min(Integer.MAX_VALUE,
                Objects.requireNonNullElse(properties.maxResponseSize(), DataSize.ofMegabytes(4)).toBytes());
        this.http = new FalHttp("fal-queue", builder, properties);
    }

    @Override
    public void close() {
        http.close();
    }

    @Override
    public FalOutcome<FalSubmission> submit(FalEndpoint endpoint, JsonNode input, FalQueuePriority priority, URI webhookUrl,
            SubmitGate gate) {
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(gate, "gate");
        String key = key(endpoint);
        Request<JsonNode> request = Request.gated(HttpMethod.POST, FalQueueUrls.submitUrl(endpoint, webhookUrl), key, json.writeValueAsBytes(input), gate,
                FalBodies.capped(maxResponseBytes, key)).withHeader(QUEUE_PRIORITY_HEADER, priority.headerValue());
        if (outputExpiration != null) {
            request = request.withHeader(LIFECYCLE_HEADER, "{\"expiration_duration_seconds\": " + outputExpiration.toSeconds() + "}");
        }
        return call("submit", null, endpoint, request, reply -> {
            if (!reply.is2xx()) {
                return FalAnswers.classify(reply, reply.body());
            }
            JsonNode node = reply.body();
            String requestId = node == null ? null : FalAnswers.text(node.get("request_id"));
            if (!StringUtils.hasText(requestId)) {
                return FalAnswers.unparseable(reply);
            }
            FalRequestRef ref = new FalRequestRef(requestId, uri(node.get("status_url")), uri(node.get("response_url")),
                    uri(node.get("cancel_url")));
            return new FalOutcome.Success<>(new FalSubmission(ref, FalAnswers.integer(node.get("queue_position"))));
        });
    }

    /** A status answer: what a 2xx said (null when unreadable), or the error fields of any other. */
    private record StatusAnswer(FalStatusReader.Reading reading, JsonNode error) {
    }

    @Override
    public FalOutcome<FalStatus> status(FalEndpoint endpoint, FalRequestRef request, int logsFrom) {
        URI url = FalQueueUrls.statusUrl(endpoint, request, logsFrom >= 0);
        String key = key(endpoint);
        Request<StatusAnswer> call = Request.of(HttpMethod.GET, url, key, (code, body) -> {
            if (code < 200 || code >= 300) {
                return new StatusAnswer(null, FalBodies.errorFields(body, key));
            }
            // Streamed 2xx bodies are not masked as a whole: every string taken from them is, as it is read.
            try (JsonParser parser = json.createParser(body)) {
                return new StatusAnswer(FalStatusReader.read(parser, logsFrom, key), null);
            }
            catch (JacksonException ex) {
                return new StatusAnswer(null, null);
            }
        });
        return call("status", request.requestId(), endpoint, call, reply -> {
            // 202 while queued or running, 200 once completed: the body says which, the code adds nothing.
            if (!reply.is2xx()) {
                return FalAnswers.classify(reply, reply.body().error());
            }
            FalStatusReader.Reading reading = reply.body().reading();
            if (reading == null) {
                return FalAnswers.unparseable(reply);
            }
            FalStatus.State state = state(reading.status());
            if (state == null) {
                return new FalOutcome.Unavailable<>(reply.status(), "HTTP " + reply.status() + " unknown status", reply.retryAfter());
            }
            FalError error = null;
            if (state == FalStatus.State.COMPLETED && StringUtils.hasText(reading.error())) {
                String type = reading.errorType();
                error = new FalError(StringUtils.hasText(type) ? type : "fal_error", reading.error(), null);
            }
            return new FalOutcome.Success<>(new FalStatus(state, reading.queuePosition(), reading.logs(), reading.nextLogIndex(), error));
        });
    }

    @Override
    public FalOutcome<FalResult> result(FalEndpoint endpoint, FalRequestRef request) {
        URI url = FalQueueUrls.sameOrigin(endpoint, request.responseUrl(), FalQueueUrls.requestUrl(endpoint, request, ""));
        String key = key(endpoint);
        return call("result", request.requestId(), endpoint, Request.of(HttpMethod.GET, url, key, FalBodies.tree(Long.MAX_VALUE, key)), reply -> {
            JsonNode node = reply.body();
            if (reply.is2xx()) {
                return node == null || !node.isObject() ? FalAnswers.unparseable(reply) : new FalOutcome.Success<>(new FalResult.Output(node));
            }
            int code = reply.status();
            // The result endpoint relays the model's own status and body, so an error body here is how the run
            // ended, not a fault of the call. Rate limits, auth failures and bare gateway errors are the exceptions.
            JsonNode detail = FalAnswers.detail(node);
            boolean modelError = code >= 400 && code != 429 && code != 401 && code != 403 && detail != null;
            if (!modelError) {
                return FalAnswers.classify(reply, node);
            }
            return new FalOutcome.Success<>(new FalResult.Error(FalAnswers.modelError(code, FalAnswers.errorType(reply, node, null), detail)));
        });
    }

    @Override
    public FalOutcome<FalCancellation> cancel(FalEndpoint endpoint, FalRequestRef request) {
        URI url = FalQueueUrls.sameOrigin(endpoint, request.cancelUrl(), FalQueueUrls.requestUrl(endpoint, request, "/cancel"));
        String key = key(endpoint);
        return call("cancel", request.requestId(), endpoint, Request.of(HttpMethod.PUT, url, key, FalBodies.capped(maxResponseBytes, key)), reply -> {
            if (reply.status() == 401 || reply.status() == 403) {
                return FalAnswers.classify(reply, reply.body());
            }
            // fal does not document which HTTP code goes with which answer, and some come with a 4xx, so a
            // recognisable body wins over the code.
            JsonNode node = reply.body();
            FalCancellation answer = node == null ? null : cancellation(FalAnswers.text(node.get("status")));
            if (answer != null) {
                return new FalOutcome.Success<>(answer);
            }
            return reply.is2xx() ? FalAnswers.unparseable(reply) : FalAnswers.classify(reply, node);
        });
    }

    // --- calls ---------------------------------------------------------------------------------------------------

    private static String key(FalEndpoint endpoint) {
        String key = endpoint.key();
        if (!StringUtils.hasText(key)) {
            throw new IllegalArgumentException("no fal key for " + endpoint);
        }
        return key;
    }

    private <B, T> FalOutcome<T> call(String operation, String requestId, FalEndpoint endpoint, Request<B> request,
            Function<Reply<B>, FalOutcome<T>> interpret) {
        // Sandbox trainings use this adapter too; their calls must not blur fal's own numbers.
        Tags target = Tags.of("target", endpoint.queueUrl().equals(falQueueUrl) ? "fal" : "sandbox");
        return metrics.record(operation, target, () -> http.execute(request, interpret), outcome -> "request="
                + (requestId != null ? requestId : outcome instanceof FalOutcome.Success<T>(FalSubmission s) ? s.request().requestId() : "-")
                + " outcome=" + describe(outcome));
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

    private static URI uri(JsonNode node) {
        String text = FalAnswers.text(node);
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

    private static String describe(FalOutcome<?> outcome) {
        return switch (outcome) {
            case FalOutcome.Success<?>(FalStatus s) -> "ok " + s.state();
            case FalOutcome.Success<?>(FalResult.Error e) -> "ok model error " + FalAnswers.safeType(e.error().code());
            case FalOutcome.Success<?>(FalResult.Output o) -> "ok output";
            case FalOutcome.Success<?>(FalCancellation c) -> "ok " + c;
            case FalOutcome.Success<?> s -> "ok";
            case FalOutcome.Rejected<?> r -> "rejected " + r.httpStatus() + " " + FalAnswers.safeType(r.error().code());
            case FalOutcome.Unavailable<?> u -> "unavailable " + u.reason();
        };
    }
}
