package com.ltxgateway.sandbox.web;

import com.ltxgateway.sandbox.SandboxEndpoint;
import com.ltxgateway.sandbox.SandboxProperties;
import com.ltxgateway.sandbox.SandboxRequests;
import com.ltxgateway.sandbox.SandboxResults;
import com.ltxgateway.sandbox.SimulatedRequest;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

import com.ltxgateway.sandbox.SimulatedRequest.State;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * fal's queue protocol, simulated: submit, status with logs, result and cancel, answered the way fal answers them,
 * so sandbox trainings take the same adapter path as live ones. A request queues for
 * {@code gateway.sandbox.queue-duration}, runs for {@code gateway.sandbox.run-duration} and then succeeds, or fails
 * when its {@code training_data_url} carries {@code sandbox_outcome=failed} in its query.
 */
@RestController
@ConditionalOnBooleanProperty(name = "gateway.sandbox.enabled", matchIfMissing = true)
@RequestMapping(SandboxEndpoint.QUEUE_PATH)
class SandboxQueueController {

    static final String FAILURE_MARKER = "sandbox_outcome=failed";

    private final SandboxRequests requests;
    private final SandboxResults results;
    private final SandboxEndpoint endpoint;
    private final SandboxProperties properties;
    private final JsonMapper json;
    private final Clock clock;

    SandboxQueueController(SandboxRequests requests, SandboxResults results, SandboxEndpoint endpoint,
            SandboxProperties properties, JsonMapper json, Clock clock) {
        this.requests = requests;
        this.results = results;
        this.endpoint = endpoint;
        this.properties = properties;
        this.json = json;
        this.clock = clock;
    }

    @PostMapping("/{owner}/{app}/{path}")
    ResponseEntity<Object> submit(@RequestHeader(name = HttpHeaders.AUTHORIZATION, required = false) String authorization,
            @PathVariable String owner, @PathVariable String app, @PathVariable String path,
            @RequestParam(name = "fal_webhook", required = false) String webhook, @RequestBody JsonNode input) {
        if (!authorized(authorization)) {
            return unauthorized();
        }
        // Anyone may submit here, so the simulator must not become a way to make the gateway post elsewhere.
        if (webhook != null && !endpoint.isGatewayUrl(webhook)) {
            return ResponseEntity.unprocessableContent().body(Map.of("detail", List.of(Map.of("loc", List.of("query", "fal_webhook"),
                    "msg", "the sandbox calls back this gateway only", "type", "value_error"))));
        }
        Instant now = clock.instant();
        Instant started = now.plus(properties.queueDuration());
        String dataUrl = input.path("training_data_url").asString("");
        var request = new SimulatedRequest(UUID.randomUUID(), json.writeValueAsString(input), webhook,
                dataUrl.contains(FAILURE_MARKER), now, started, started.plus(properties.runDuration()), null);
        requests.insert(request);
        String requestBase = requestBase(owner, app, request.id());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "IN_QUEUE");
        body.put("request_id", request.id().toString());
        body.put("response_url", requestBase);
        body.put("status_url", requestBase + "/status");
        body.put("cancel_url", requestBase + "/cancel");
        body.put("queue_position", 0);
        return ResponseEntity.ok(body);
    }

    @GetMapping("/{owner}/{app}/requests/{id}/status")
    ResponseEntity<Object> status(@RequestHeader(name = HttpHeaders.AUTHORIZATION, required = false) String authorization,
            @PathVariable UUID id, @RequestParam(name = "logs", defaultValue = "0") String logs) {
        return withRequest(authorization, id, request -> {
            Instant now = clock.instant();
            State state = request.stateAt(now);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", state.name());
            body.put("request_id", id.toString());
            if (state == State.IN_QUEUE) {
                body.put("queue_position", 0);
            }
            if (state != State.IN_QUEUE && "1".equals(logs)) {
                body.put("logs", logLines(request, now));
            }
            if (state == State.COMPLETED) {
                body.put("metrics", Map.of("inference_time", request.runDuration().toMillis() / 1000.0));
                if (request.fail() && request.canceledAt() == null) {
                    body.put("error", SandboxResults.FAILURE_MESSAGE);
                    body.put("error_type", "training_failed");
                }
            }
            return ResponseEntity.status(state == State.COMPLETED ? HttpStatus.OK : HttpStatus.ACCEPTED).body(body);
        });
    }

    @GetMapping("/{owner}/{app}/requests/{id}")
    ResponseEntity<Object> result(@RequestHeader(name = HttpHeaders.AUTHORIZATION, required = false) String authorization,
            @PathVariable UUID id) {
        return withRequest(authorization, id, request -> {
            if (request.stateAt(clock.instant()) != State.COMPLETED) {
                return detail(HttpStatus.BAD_REQUEST, "Request is still in progress");
            }
            SandboxResults.Result result = results.of(request);
            return ResponseEntity.status(result.status()).body(result.body());
        });
    }

    @PutMapping("/{owner}/{app}/requests/{id}/cancel")
    ResponseEntity<Object> cancel(@RequestHeader(name = HttpHeaders.AUTHORIZATION, required = false) String authorization,
            @PathVariable UUID id) {
        if (!authorized(authorization)) {
            return unauthorized();
        }
        var found = requests.find(id);
        if (found.isEmpty()) {
            return ResponseEntity.status(HttpStatus.NOT_FOUND).body(Map.of("status", "NOT_FOUND"));
        }
        Instant now = clock.instant();
        return switch (found.get().stateAt(now)) {
            case IN_QUEUE -> {
                requests.cancel(id, now);
                yield ResponseEntity.ok(Map.of("status", "OK"));
            }
            case IN_PROGRESS -> {
                requests.cancel(id, now);
                yield ResponseEntity.accepted().body(Map.of("status", "CANCELLATION_REQUESTED"));
            }
            case COMPLETED -> ResponseEntity.badRequest().body(Map.of("status", "ALREADY_COMPLETED"));
        };
    }

    /** Progress lines spread over the run, as many as have "happened" by now. */
    private List<Map<String, Object>> logLines(SimulatedRequest request, Instant now) {
        int steps = json.readTree(request.input()).path("number_of_steps").asInt(2000);
        Duration run = request.runDuration();
        List<Map<String, Object>> lines = new ArrayList<>();
        lines.add(line("Preparing dataset", request.startedAt()));
        for (int quarter = 1; quarter <= 4; quarter++) {
            Instant at = request.startedAt().plus(run.multipliedBy(quarter).dividedBy(5));
            if (at.isAfter(now) || (request.canceledAt() != null && at.isAfter(request.canceledAt()))) {
                break;
            }
            lines.add(line("Step " + steps * quarter / 4 + "/" + steps, at));
        }
        return lines;
    }

    private static Map<String, Object> line(String message, Instant at) {
        return Map.of("message", message, "level", "INFO", "source", "user", "timestamp", at.toString());
    }

    private String requestBase(String owner, String app, UUID id) {
        String base = properties.queueUrl() != null ? properties.queueUrl().toString()
                : ServletUriComponentsBuilder.fromCurrentContextPath().path(SandboxEndpoint.QUEUE_PATH).toUriString();
        return UriComponentsBuilder.fromUri(URI.create(base)).pathSegment(owner, app, "requests", id.toString()).toUriString();
    }

    /** fal answers an unknown key with 401 and an unknown request with 404, before anything else. */
    private ResponseEntity<Object> withRequest(String authorization, UUID id,
            Function<SimulatedRequest, ResponseEntity<Object>> handler) {
        if (!authorized(authorization)) {
            return unauthorized();
        }
        return requests.find(id).map(handler).orElseGet(() -> detail(HttpStatus.NOT_FOUND, "Request not found"));
    }

    private boolean authorized(String authorization) {
        return endpoint.authorizes(authorization);
    }

    private static ResponseEntity<Object> unauthorized() {
        return detail(HttpStatus.UNAUTHORIZED, "Invalid or missing fal key");
    }

    private static ResponseEntity<Object> detail(HttpStatus status, String detail) {
        return ResponseEntity.status(status).body(Map.of("detail", detail));
    }
}
