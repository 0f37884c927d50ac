package com.ltxgateway.budget;

import java.math.BigDecimal;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Digits;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.jspecify.annotations.Nullable;

/**
 * A budget to set, as the admin API and the dashboard's form take it; the rules are checked by Bean Validation. Whole
 * cents, at most a million USD a month, which no team reaches by accident.
 */
public record NewBudget(
        @NotNull(message = "is required") @DecimalMin(value = "0", message = "must not be negative")
        @DecimalMax(value = "1000000", message = "must be at most 1,000,000") @Digits(integer = 7, fraction = 2, message = "must be in whole cents")
        @Schema(description = "The limit for each UTC calendar month, in USD", example = "250.00") @Nullable BigDecimal monthlyUsd,
        @Min(value = 1, message = "must be between 1 and 100") @Max(value = 100, message = "must be between 1 and 100")
        @Schema(description = "The alert threshold, in percent of the budget; default 80", example = "80") @Nullable Integer alertAtPercent) {

    public static final int DEFAULT_ALERT_AT_PERCENT = 80;

    /** The alert threshold given, or the default. */
    public int alertAt() {
        return alertAtPercent == null ? DEFAULT_ALERT_AT_PERCENT : alertAtPercent;
    }
}
