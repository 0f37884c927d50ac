package com.ltxgateway.budget;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import com.ltxgateway.budget.TeamBudgets.Budget;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Each team's budget and this month's spent and reserved amounts, as gauges tagged with the team's slug
 * ({@code gateway_budget_limit_usd}, {@code gateway_budget_spent_usd}, {@code gateway_budget_reserved_usd}), read
 * every 30 seconds rather than on every scrape. A team whose budget is removed drops out of them.
 */
@Component
class BudgetMetrics {

    private static final Logger log = LoggerFactory.getLogger(BudgetMetrics.class);

    private final TeamBudgets budgets;
    private final MultiGauge limit;
    private final MultiGauge spent;
    private final MultiGauge reserved;

    BudgetMetrics(TeamBudgets budgets, MeterRegistry meters) {
        this.budgets = budgets;
        this.limit = MultiGauge.builder("gateway.budget.limit").baseUnit("usd").description("A team's monthly budget").register(meters);
        this.spent = MultiGauge.builder("gateway.budget.spent").baseUnit("usd")
                .description("What a team's finished live trainings of this month (UTC) cost").register(meters);
        this.reserved = MultiGauge.builder("gateway.budget.reserved").baseUnit("usd")
                .description("The estimates of a team's unfinished live trainings of this month (UTC)").register(meters);
    }

    @Scheduled(initialDelay = 0, fixedDelayString = "PT30S")
    void sample() {
        Map<String, Budget> all;
        try {
            all = budgets.all();
        }
        catch (DataAccessException e) {
            // The last sample stays; readiness reports the database's outage itself.
            log.debug("Could not sample the budgets: {}", e.getMessage());
            return;
        }
        limit.register(rows(all, Budget::monthlyUsd), true);
        spent.register(rows(all, Budget::spentUsd), true);
        reserved.register(rows(all, Budget::reservedUsd), true);
    }

    private static List<MultiGauge.Row<?>> rows(Map<String, Budget> all, Function<Budget, BigDecimal> value) {
        return all.entrySet().stream()
                .<MultiGauge.Row<?>>map(entry -> MultiGauge.Row.of(Tags.of("team", entry.getKey()), value.apply(entry.getValue())))
                .toList();
    }
}
