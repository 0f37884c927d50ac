package com.ltxgateway.dashboard.web;

import java.math.BigDecimal;
import java.math.RoundingMode;

import com.ltxgateway.budget.TeamBudgets.Budget;

/**
 * The shares of a month's budget that are spent and reserved, in percent, for a bar drawn as SVG (the dashboard's
 * Content-Security-Policy allows no inline styles). Together never more than the whole bar.
 */
record BudgetBar(double spent, double reserved, String label) {

    static BudgetBar of(Budget budget, DashboardFormat format) {
        String label = format.usd(budget.spentUsd()) + " spent, " + format.usd(budget.reservedUsd()) + " reserved, "
                + format.usd(budget.remainingUsd()) + " left of " + format.usd(budget.monthlyUsd());
        if (budget.monthlyUsd().signum() == 0) {
            return new BudgetBar(budget.spentUsd().signum() > 0 ? 100 : 0, 0, label);
        }
        double spent = Math.min(100, percent(budget.spentUsd(), budget.monthlyUsd()));
        return new BudgetBar(spent, Math.min(100 - spent, percent(budget.reservedUsd(), budget.monthlyUsd())), label);
    }

    private static double percent(BigDecimal part, BigDecimal whole) {
        return part.multiply(BigDecimal.valueOf(100)).divide(whole, 1, RoundingMode.HALF_UP).doubleValue();
    }
}
