package com.ltxgateway.training.web;

import java.util.Objects;

import com.ltxgateway.access.Caller;
import com.ltxgateway.training.NewTeamLimits;
import com.ltxgateway.training.TeamLimits;
import com.ltxgateway.training.TeamLimits.Limits;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import org.jspecify.annotations.Nullable;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@Tag(name = "Admin: limits", description = "How many of a team's live trainings may be at fal at once; admin keys only.")
@RequestMapping("/v1/admin/teams/{slug}/limits")
class TeamLimitsController {

    private final TeamLimits limits;

    TeamLimitsController(TeamLimits limits) {
        this.limits = limits;
    }

    @PutMapping
    @Operation(summary = "Set or replace a team's limit on trainings at fal at once",
            description = "Trainings over the limit stay pending with waiting_reason team_limit and are submitted in turn as"
                    + " slots free up; trainings already at fal are never canceled. Audited as team.limits_set.")
    LimitsView set(@AuthenticationPrincipal Caller caller, @PathVariable String slug, @Valid @RequestBody NewTeamLimits body) {
        return LimitsView.of(limits.set(caller.actor(), slug, Objects.requireNonNull(body.maxConcurrent())));
    }

    @GetMapping
    @Operation(summary = "A team's limit, the account's, and how many of its trainings are at fal and waiting")
    LimitsView get(@PathVariable String slug) {
        return LimitsView.of(limits.get(slug));
    }

    @DeleteMapping
    @Operation(summary = "Remove a team's limit: its trainings are limited by the account's limit only. Audited as team.limits_removed.")
    ResponseEntity<Void> remove(@AuthenticationPrincipal Caller caller, @PathVariable String slug) {
        limits.remove(caller.actor(), slug);
        return ResponseEntity.noContent().build();
    }

    record LimitsView(
            @Schema(description = "The team's limit; null when it has none") @Nullable Integer maxConcurrent,
            @Schema(description = "The whole account's limit (GATEWAY_FAL_MAX_CONCURRENT); null when it has none") @Nullable Integer accountMaxConcurrent,
            @Schema(description = "The team's live trainings submitted to fal and not finished") int atFal,
            @Schema(description = "The team's trainings waiting for a turn at fal") int waiting) {

        static LimitsView of(Limits limits) {
            return new LimitsView(limits.maxConcurrent(), limits.accountMaxConcurrent(), limits.atFal(), limits.waiting());
        }
    }
}
