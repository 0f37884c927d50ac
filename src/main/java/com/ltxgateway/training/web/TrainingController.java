package com.ltxgateway.training.web;

import com.ltxgateway.training.NewTraining;
import com.ltxgateway.training.TrainingInput;
import com.ltxgateway.training.TrainingPage;
import com.ltxgateway.training.TrainingQueries;
import com.ltxgateway.training.TrainingDatasets;
import com.ltxgateway.training.TrainingService;
import com.ltxgateway.training.TrainingStatus;
import com.ltxgateway.training.TrainingView;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.ltxgateway.InvalidQueryParameter;
import com.ltxgateway.LogFields;
import com.ltxgateway.access.Caller;
import com.ltxgateway.PageCursor;
import com.ltxgateway.training.TrainingQueries.ListQuery;
import com.ltxgateway.training.TrainingService.Created;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import org.slf4j.MDC;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
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
@Tag(name = "Trainings", description = "A team's trainings: create, validate, follow and cancel.")
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
    @Operation(summary = "Create a training; answered 202 with its Location", requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(
            required = true, content = @Content(schema = @Schema(implementation = NewTraining.class))))
    @ApiResponse(responseCode = "202", description = "Accepted; a replay of an Idempotency-Key answers as the first time",
            content = @Content(schema = @Schema(implementation = TrainingView.class)))
    @ApiResponse(responseCode = "402", description = "A live training the team's budget for this month does not cover: a budget-exceeded "
            + "problem with budget_usd, spent_usd, reserved_usd, requested_usd and resets_at. Nothing is stored",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "#/components/schemas/Problem")))
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
    @Operation(summary = "Validate a request and estimate its cost without storing anything",
            description = "The body of a create. With \"preflight\": true next to input, the zip at input.training_data_url is"
                    + " downloaded (through the outbound address policy, up to gateway.datasets.max-size) and inspected as an"
                    + " uploaded dataset is, against the input's number_of_frames; the answer's preflight says what fal would"
                    + " find wrong with it. Nothing is stored.",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(
            required = true, content = @Content(schema = @Schema(implementation = NewTraining.class))))
    Validated validate(@AuthenticationPrincipal Caller caller, @RequestBody JsonNode body) {
        TrainingService.Estimate estimate = trainings.estimate(caller, body);
        return new Validated(estimate.input(), estimate.unitPriceUsd(), estimate.estimatedCostUsd(), estimate.budgetRemainingUsd(),
                estimate.preflight());
    }

    @GetMapping("/{id}")
    @Operation(summary = "A training")
    TrainingView get(@AuthenticationPrincipal Caller caller, @PathVariable String id) {
        try (var ignored = MDC.putCloseable(LogFields.TRAINING_ID, id)) {
            return trainings.get(caller, id);
        }
    }

    @GetMapping
    @Operation(summary = "List trainings, newest first, with keyset pagination", parameters = {
            @Parameter(in = ParameterIn.QUERY, name = "status", schema = @Schema(type = "string"), description = "pending, queued, running, succeeded, failed or canceled"),
            @Parameter(in = ParameterIn.QUERY, name = "limit", schema = @Schema(type = "integer"), description = "1 to 100, default 20"),
            @Parameter(in = ParameterIn.QUERY, name = "cursor", schema = @Schema(type = "string"), description = "next_cursor of the previous page"),
            @Parameter(in = ParameterIn.QUERY, name = "team", schema = @Schema(type = "string"), description = "A team slug; admin keys only"),
            @Parameter(in = ParameterIn.QUERY, name = "metadata.KEY", schema = @Schema(type = "string"), description = "Only trainings whose metadata has KEY with this value")})
    TrainingPage list(@AuthenticationPrincipal Caller caller, @Parameter(hidden = true) @RequestParam Map<String, String> parameters) {
        return queries.list(caller, listQuery(parameters));
    }

    @PostMapping("/{id}/cancel")
    @Operation(summary = "Cancel a training; answered 202")
    @ApiResponse(responseCode = "202", description = "Canceled, or the cancel was requested at fal",
            content = @Content(schema = @Schema(implementation = TrainingView.class)))
    ResponseEntity<TrainingView> cancel(@AuthenticationPrincipal Caller caller, @PathVariable String id) {
        try (var ignored = MDC.putCloseable(LogFields.TRAINING_ID, id)) {
            return ResponseEntity.accepted().body(trainings.cancel(caller, id));
        }
    }

    @GetMapping("/{id}/events")
    @Operation(summary = "A training's timeline: state changes, fal's log lines, webhook deliveries")
    Events events(@AuthenticationPrincipal Caller caller, @PathVariable String id) {
        try (var ignored = MDC.putCloseable(LogFields.TRAINING_ID, id)) {
            return new Events(trainings.timeline(caller, id).stream()
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
                throw new InvalidQueryParameter(name, "query parameter '" + name + "' must not contain U+0000");
            }
            if (name.startsWith(METADATA_PREFIX) && name.length() > METADATA_PREFIX.length()) {
                metadata.put(name.substring(METADATA_PREFIX.length()), parameter.getValue());
            }
            else if (!LIST_PARAMETERS.contains(name)) {
                throw new InvalidQueryParameter(name, "unknown query parameter '" + name
                        + "'; use status, limit, cursor, team or metadata.KEY");
            }
        }
        String status = parameters.get("status");
        if (status != null && !TrainingStatus.WIRE_NAMES.contains(status)) {
            throw new InvalidQueryParameter("status", "status must be one of pending, queued, running, succeeded, failed, canceled");
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
                throw new InvalidQueryParameter("limit", "limit must be an integer from 1 to " + TrainingQueries.MAX_LIMIT);
            }
        }
        String cursor = parameters.get("cursor");
        String team = parameters.get("team");
        return new ListQuery(status == null ? null : TrainingStatus.fromWireName(status), limit,
                cursor == null || cursor.isEmpty() ? null : PageCursor.decode(cursor), team == null || team.isEmpty() ? null : team, metadata,
                null);
    }

    /**
     * @param input as it would be forwarded, every default included; a JsonNode, as swagger fails on ObjectNode's
     * overloaded setters even where the schema is given
     */
    /** {@code budget_remaining_usd}: what the caller's team may still spend this month; null without a budget. */
    record Validated(@Schema(implementation = TrainingInput.class) JsonNode input,
            @Schema(description = "USD per step: fal's own price for the account when known, else the configured rate") BigDecimal unitPriceUsd,
            BigDecimal estimatedCostUsd,
            @Schema(nullable = true, description = "What the caller's team may still spend this month (UTC); null without a budget")
            @Nullable BigDecimal budgetRemainingUsd,
            @Schema(nullable = true, description = "What the inspection of the zip at input.training_data_url found; null unless"
                    + " the body asked for a preflight")
            TrainingDatasets.@Nullable Preflight preflight) {
    }

    record Events(List<Event> data) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Event(String type, Instant at, String status, String message) {
    }
}
