package com.ltxgateway.budget;

import java.math.BigDecimal;
import java.time.Instant;

import com.ltxgateway.ApiProblem;
import com.ltxgateway.ProblemType;
import com.ltxgateway.training.TeamSpend.Figures;

import org.springframework.http.HttpStatus;

/** A create that would take the month's spent and reserved amounts over the team's budget; nothing was stored. */
public class BudgetExceeded extends ApiProblem {

    BudgetExceeded(BigDecimal budgetUsd, Figures month, BigDecimal requestedUsd, Instant resetsAt) {
        super(HttpStatus.PAYMENT_REQUIRED, ProblemType.BUDGET_EXCEEDED, "This training would cost " + usd(requestedUsd)
                + " USD, more than is left of the team's budget of " + usd(budgetUsd) + " USD this month ("
                + usd(month.spentUsd()) + " spent, " + usd(month.reservedUsd()) + " reserved by unfinished trainings); the budget resets at "
                + resetsAt);
        getBody().setProperty("budget_usd", budgetUsd);
        getBody().setProperty("spent_usd", month.spentUsd());
        getBody().setProperty("reserved_usd", month.reservedUsd());
        getBody().setProperty("requested_usd", requestedUsd);
        getBody().setProperty("resets_at", resetsAt.toString());
    }

    private static String usd(BigDecimal amount) {
        return amount.toPlainString();
    }
}
