package com.ltxgateway.proxy;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import com.ltxgateway.FieldViolation;
import com.ltxgateway.access.Caller;
import com.ltxgateway.dataset.FalStorageUploads;
import com.ltxgateway.fal.FalProperties;
import com.ltxgateway.training.QueueState;
import com.ltxgateway.training.TrainingAlreadyFinished;
import com.ltxgateway.training.TrainingNotFound;
import com.ltxgateway.training.TrainingQueries;
import com.ltxgateway.training.TrainingRequestInvalid;
import com.ltxgateway.training.TrainingService;
import com.ltxgateway.training.TrainingView;

import io.swagger.v3.oas.annotations.Hidden;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * fal's server-proxy protocol at {@code /api/fal/proxy}: the call fal's client would have made is in
 * {@code x-fal-target-url}, the team's key in {@code Authorization} ({@code Key} as fal's clients send it, or
 * {@code Bearer}). Nothing is forwarded to fal: the gateway answers every call itself, in fal's shapes.
 */
@RestController
@Hidden
class FalProxyController {

    static final String PATH = "/api/fal/proxy";
    private static final String TARGET = "x-fal-target-url";
    /** fal's clients take a result's request id from this header. */
    private static final String REQUEST_ID = "x-fal-request-id";
    private static final Duration STREAM_POLL = Duration.ofMillis(500);
    private static final Duration STREAM_KEEP_ALIVE = Duration.ofSeconds(15);
    private static final Duration STREAM_LIMIT = Duration.ofHours(24);

    private final TrainingService trainings;
    private final TrainingQueries queries;
    private final FalStorageUploads uploads;
    private final ProxyTargets targets;
    private final FalShapes shapes;
    private final JsonMapper json;

    FalProxyController(TrainingService trainings, TrainingQueries queries, FalStorageUploads uploads, FalProperties fal, JsonMapper json) {
        this.trainings = trainings;
        this.queries = queries;
        this.uploads = uploads;
        this.json = json;
        this.targets = new ProxyTargets(fal.endpointId());
        this.shapes = new FalShapes(targets.app(), json);
    }

    @RequestMapping(path = PATH, method = { RequestMethod.GET, RequestMethod.PUT })
    @Nullable ResponseEntity<ObjectNode> call(@AuthenticationPrincipal Caller caller, HttpServletRequest request, HttpServletResponse response,
            @RequestHeader(name = TARGET, required = false) @Nullable String target) throws IOException {
        return switch (targets.parse(target, request.getMethod())) {
            case ProxyTarget.Status status -> status(caller, status.requestId(), status.logs());
            case ProxyTarget.StatusStream stream -> {
                stream(caller, stream.requestId(), stream.logs(), response);
                yield null;
            }
            case ProxyTarget.Result result -> result(caller, result.requestId());
            case ProxyTarget.Cancel cancel -> cancel(caller, cancel.requestId());
            case ProxyTarget.Submit submit -> throw new ProxyTargetRefused("a submit is POST, not " + request.getMethod());
            case ProxyTarget.StorageInitiate initiate -> throw new ProxyTargetRefused("an upload's initiate is POST, not " + request.getMethod());
        };
    }

    @RequestMapping(path = PATH, method = RequestMethod.POST)
    ResponseEntity<ObjectNode> submit(@AuthenticationPrincipal Caller caller, @RequestHeader(name = TARGET, required = false) @Nullable String target,
            @RequestHeader(name = "x-fal-queue-priority", required = false) @Nullable String priority,
            @RequestHeader(name = "x-idempotency-key", required = false) @Nullable String idempotencyKey,
            @RequestBody(required = false) @Nullable JsonNode input) {
        ProxyTarget parsed = targets.parse(target, "POST");
        if (parsed instanceof ProxyTarget.StorageInitiate initiate) {
            FalStorageUploads.Initiated upload = uploads.initiate(caller, input == null ? null : input.path("file_name").asString(null),
                    initiate.multipart(), ServletUriComponentsBuilder.fromCurrentContextPath().build().toUri());
            return ResponseEntity.ok(json.createObjectNode().put("upload_url", upload.uploadUrl().toString())
                    .put("file_url", upload.fileUrl().toString()));
        }
        if (!(parsed instanceof ProxyTarget.Submit submit)) {
            throw new ProxyTargetRefused("only a submit or an upload's initiate is POST");
        }
        ObjectNode body = json.createObjectNode();
        body.set("input", input == null ? json.createObjectNode() : input);
        if (submit.falWebhook() != null) {
            body.put("webhook_url", submit.falWebhook());
        }
        if (priority != null) {
            body.put("priority", priority);
        }
        TrainingService.Created created = trainings.create(caller, body, idempotencyKey);
        // A replay carries the first answer's body only: the training as it is now gives fal's shape.
        TrainingView training = created.replayed() ? trainings.get(caller, created.trainingId()) : created.view();
        return ResponseEntity.ok().header(REQUEST_ID, training.id()).body(shapes.submitted(QueueState.of(training)));
    }

    private ResponseEntity<ObjectNode> status(Caller caller, String id, boolean logs) {
        QueueState training = queries.queueState(caller, id);
        ObjectNode status = shapes.status(training, logs ? queries.logLines(training) : List.of(), logs);
        return ResponseEntity.status(FalShapes.status(training).equals("COMPLETED") ? HttpStatus.OK : HttpStatus.ACCEPTED)
                .header(REQUEST_ID, id).body(status);
    }

    /**
     * fal's status stream: an event with the status whenever it changes (and the first at once), a comment every 15 s,
     * the end once the request completed. Read from the gateway's database every 500 ms, written by the request's own
     * (virtual) thread, which the stream holds and nothing else.
     */
    private void stream(Caller caller, String id, boolean logs, HttpServletResponse response) throws IOException {
        // Read before the stream starts, so an unknown request is answered 404 like any other.
        QueueState training = queries.queueState(caller, id);
        response.setContentType(MediaType.TEXT_EVENT_STREAM_VALUE);
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.setHeader(HttpHeaders.CACHE_CONTROL, "no-cache");
        response.setHeader(REQUEST_ID, id);
        Writer out = response.getWriter();
        String sent = null;
        long quietSince = System.nanoTime();
        long until = System.nanoTime() + STREAM_LIMIT.toNanos();
        try {
            while (true) {
                String status = json.writeValueAsString(shapes.status(training, logs ? queries.logLines(training) : List.of(), logs));
                if (!status.equals(sent)) {
                    out.write("data: " + status + "\n\n");
                    sent = status;
                    quietSince = System.nanoTime();
                }
                else if (System.nanoTime() - quietSince > STREAM_KEEP_ALIVE.toNanos()) {
                    out.write(": keep-alive\n\n");
                    quietSince = System.nanoTime();
                }
                out.flush();
                if ((out instanceof PrintWriter writer && writer.checkError()) || FalShapes.status(training).equals("COMPLETED")
                        || System.nanoTime() >= until) {
                    return;
                }
                Thread.sleep(STREAM_POLL);
                training = queries.queueState(caller, id);
            }
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private ResponseEntity<ObjectNode> result(Caller caller, String id) {
        TrainingView training = trainings.get(caller, id);
        return switch (training.status()) {
            case "succeeded" -> ResponseEntity.ok().header(REQUEST_ID, id).body(shapes.output(training));
            case "failed", "canceled" -> {
                QueueState ended = QueueState.of(training);
                yield ResponseEntity.status(training.status().equals("failed") ? HttpStatus.UNPROCESSABLE_CONTENT : HttpStatus.BAD_REQUEST)
                        .header("X-Fal-Error-Type", FalShapes.errorType(ended)).body(detail(FalShapes.errorMessage(ended)));
            }
            default -> ResponseEntity.badRequest().body(detail("Request is still in progress"));
        };
    }

    private ResponseEntity<ObjectNode> cancel(Caller caller, String id) {
        try {
            trainings.cancel(caller, id);
            return ResponseEntity.accepted().body(json.createObjectNode().put("status", "CANCELLATION_REQUESTED"));
        }
        catch (TrainingAlreadyFinished e) {
            return ResponseEntity.badRequest().body(json.createObjectNode().put("status", "ALREADY_COMPLETED"));
        }
        catch (TrainingNotFound e) {
            return ResponseEntity.status(HttpStatus.NOT_FOUND).body(json.createObjectNode().put("status", "NOT_FOUND"));
        }
    }

    /** fal's clients raise their own ValidationError from a 422 with {@code detail: [{loc, msg, type}]}. */
    @ExceptionHandler(TrainingRequestInvalid.class)
    ResponseEntity<ObjectNode> invalid(TrainingRequestInvalid invalid) {
        ObjectNode body = json.createObjectNode();
        ArrayNode detail = body.putArray("detail");
        for (FieldViolation violation : invalid.violations()) {
            ObjectNode item = detail.addObject();
            locate(item.putArray("loc"), violation.field());
            item.put("msg", violation.message()).put("type", "value_error");
        }
        return ResponseEntity.unprocessableContent().body(body);
    }

    /** The gateway's field name as fal's {@code loc}: where in the request fal's client sent it. */
    private static void locate(ArrayNode loc, String field) {
        switch (field) {
            case "webhook_url" -> loc.add("query").add("fal_webhook");
            case "priority" -> loc.add("header").add("x-fal-queue-priority");
            default -> {
                loc.add("body");
                for (String part : field.replaceFirst("^input\\.?", "").split("\\.")) {
                    int index = part.indexOf('[');
                    if (!part.isEmpty()) {
                        loc.add(index < 0 ? part : part.substring(0, index));
                    }
                    if (index >= 0) {
                        loc.add(Integer.parseInt(part.substring(index + 1, part.length() - 1)));
                    }
                }
            }
        }
    }

    @ExceptionHandler(TrainingNotFound.class)
    ResponseEntity<ObjectNode> notFound(TrainingNotFound notFound) {
        return ResponseEntity.status(HttpStatus.NOT_FOUND).body(detail("Request not found"));
    }

    private ObjectNode detail(String message) {
        return json.createObjectNode().put("detail", message);
    }
}
