package com.ltxgateway.budget.web;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;

import com.ltxgateway.access.Caller;
import com.ltxgateway.budget.NewBudget;
import com.ltxgateway.budget.TeamBudgets;
import com.ltxgateway.budget.TeamBudgets.Budget;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
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
@Tag(name = "Admin: budgets", description = "A monthly spending limit per team, which every create of a live training is held to; admin keys only.")
@RequestMapping("/v1/admin/teams/{slug}/budget")
class BudgetAdminController {

    private final TeamBudgets budgets;

    BudgetAdminController(TeamBudgets budgets) {
        this.budgets = budgets;
    }

    @PutMapping
    @Operation(summary = "Set or replace a team's monthly budget")
    BudgetView set(@AuthenticationPrincipal Caller caller, @PathVariable String slug, @Valid @RequestBody NewBudget body) {
        return BudgetView.of(budgets.set(caller.actor(), slug, Objects.requireNonNull(body.monthlyUsd()), body.alertAt()));
    }

    @GetMapping
    @Operation(summary = "A team's budget with this month's spent, reserved and remaining amounts")
    BudgetView get(@PathVariable String slug) {
        return BudgetView.of(budgets.get(slug));
    }

    @DeleteMapping
    @Operation(summary = "Remove a team's budget: its creates are no longer limited")
    ResponseEntity<Void> remove(@AuthenticationPrincipal Caller caller, @PathVariable String slug) {
        budgets.remove(caller.actor(), slug);
        return ResponseEntity.noContent().build();
    }

    record BudgetView(BigDecimal monthlyUsd, int alertAtPercent,
            @Schema(description = "What this month's finished trainings cost: fal's billed amount where known, else the estimate of a succeeded one") BigDecimal spentUsd,
            @Schema(description = "The estimates of this month's trainings that have not finished") BigDecimal reservedUsd,
            @Schema(description = "What creates may still reserve this month, never below zero") BigDecimal remainingUsd,
            Instant periodStart, Instant resetsAt) {

        static BudgetView of(Budget budget) {
            return new BudgetView(budget.monthlyUsd(), budget.alertAtPercent(), budget.spentUsd(), budget.reservedUsd(),
                    budget.remainingUsd(), budget.periodStart(), budget.resetsAt());
        }
    }
}
