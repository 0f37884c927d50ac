package com.ltxgateway.training;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.jspecify.annotations.Nullable;

/** A team's limits to set, as the admin API and the dashboard's form take them; the rules are checked by Bean Validation. */
public record NewTeamLimits(
        @NotNull(message = "is required") @Min(value = 1, message = "must be between 1 and 1000") @Max(value = 1000, message = "must be between 1 and 1000")
        @Schema(description = "The most live trainings of the team at fal at once (submitted and not finished)", example = "4")
        @Nullable Integer maxConcurrent) {
}
