package com.ltxgateway.training;

import java.math.BigDecimal;
import java.net.URI;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.ltxgateway.LogFields;
import com.ltxgateway.access.Caller;
import com.ltxgateway.training.TrainingQueries.Cursor;
import com.ltxgateway.training.TrainingQueries.ListQuery;
import com.ltxgateway.training.TrainingService.Created;

import com.fasterxml.jackson.annotation.JsonInclude;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import org.slf4j.MDC;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/v1/trainings")
class TrainingController {

    static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    static final String IDEMPOTENT_REPLAYED = "Idempotent-Replayed";
    private static final Set<String> LIST_PARAMETERS = Set.of("status", "limit", "cursor", "team");
    private static final String METADATA_PREFIX = "metadata.";

    private final TrainingService trainings;
    private final TrainingQueries queries;

    TrainingController(TrainingService trainings, TrainingQueries queries) {
        this.trainings = trainings;
        this.queries = queries;
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<?> create(@AuthenticationPrincipal Caller caller, @RequestBody JsonNode body,
            @RequestHeader(name = IDEMPOTENCY_KEY, required = false) String idempotencyKey) {
        Created created = trainings.create(caller, body, idempotencyKey);
        if (created.replayed()) {
            return ResponseEntity.status(created.replayedStatus())
                    .location(URI.create("/v1/trainings/" + created.trainingId()))
                    .header(IDEMPOTENT_REPLAYED, "true")
                    .contentType(MediaType.APPLICATION_JSON)
                    .body(created.replayedBody());
        }
        return ResponseEntity.accepted().location(URI.create("/v1/trainings/" + created.trainingId())).body(created.view());
    }

    @PostMapping(path = "/validate", consumes = MediaType.APPLICATION_JSON_VALUE)
    Validated validate(@RequestBody JsonNode body) {
        TrainingService.Estimate estimate = trainings.estimate(body);
        return new Validated(estimate.input(), estimate.estimatedCostUsd());
    }

    @GetMapping("/{id}")
    TrainingView get(@AuthenticationPrincipal Caller caller, @PathVariable String id) {
        try (var ignored = MDC.putCloseable(LogFields.TRAINING_ID, id)) {
            return trainings.get(caller, id);
        }
    }

    @GetMapping
    TrainingPage list(@AuthenticationPrincipal Caller caller, @RequestParam Map<String, String> parameters) {
        return queries.list(caller, listQuery(parameters));
    }

    @PostMapping("/{id}/cancel")
    ResponseEntity<TrainingView> cancel(@AuthenticationPrincipal Caller caller, @PathVariable String id) {
        try (var ignored = MDC.putCloseable(LogFields.TRAINING_ID, id)) {
            return ResponseEntity.accepted().body(trainings.cancel(caller, id));
        }
    }

    @GetMapping("/{id}/events")
    Events events(@AuthenticationPrincipal Caller caller, @PathVariable String id) {
        try (var ignored = MDC.putCloseable(LogFields.TRAINING_ID, id)) {
            return new Events(trainings.events(caller, id).stream()
                    .map(e -> new Event(e.type(), e.at(), e.status(), e.message()))
                    .toList());
        }
    }

    private static ListQuery listQuery(Map<String, String> parameters) {
        Map<String, String> metadata = new LinkedHashMap<>();
        for (var parameter : parameters.entrySet()) {
            String name = parameter.getKey();
            // PostgreSQL cannot compare with text holding U+0000 (the query fails), and no stored value has one.
            if (name.indexOf('\u0000') >= 0 || parameter.getValue().indexOf('\u0000') >= 0) {
                throw new InvalidListQuery(name, "query parameter '" + name + "' must not contain U+0000");
            }
            if (name.startsWith(METADATA_PREFIX) && name.length() > METADATA_PREFIX.length()) {
                metadata.put(name.substring(METADATA_PREFIX.length()), parameter.getValue());
            }
            else if (!LIST_PARAMETERS.contains(name)) {
                throw new InvalidListQuery(name, "unknown query parameter '" + name
                        + "'; use status, limit, cursor, team or metadata.KEY");
            }
        }
        String status = parameters.get("status");
        if (status != null && !TrainingStatus.WIRE_NAMES.contains(status)) {
            throw new InvalidListQuery("status", "status must be one of pending, queued, running, succeeded, failed, canceled");
        }
        int limit = TrainingQueries.DEFAULT_LIMIT;
        if (parameters.containsKey("limit")) {
            try {
                limit = Integer.parseInt(parameters.get("limit"));
            }
            catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > TrainingQueries.MAX_LIMIT) {
                throw new InvalidListQuery("limit", "limit must be an integer from 1 to " + TrainingQueries.MAX_LIMIT);
            }
        }
        String cursor = parameters.get("cursor");
        String team = parameters.get("team");
        return new ListQuery(status == null ? null : TrainingStatus.fromWireName(status), limit,
                cursor == null || cursor.isEmpty() ? null : Cursor.decode(cursor), team == null || team.isEmpty() ? null : team, metadata,
                null);
    }

    record Validated(ObjectNode input, BigDecimal estimatedCostUsd) {
    }

    record Events(List<Event> data) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Event(String type, Instant at, String status, String message) {
    }
}
