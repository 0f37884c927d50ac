package com.ltxgateway.budget;

import java.time.Instant;
import java.util.UUID;

import com.ltxgateway.budget.TeamBudgets.Budget;

/**
 * Published inside the transaction that records it, once per team and month for each {@link Kind}: for the team's
 * webhook receivers.
 *
 * @param budget the budget and the month's figures when it happened
 */
public record BudgetAlert(UUID teamId, String team, Kind kind, Budget budget, Instant at) {

    public enum Kind {
        /** A create took the month's spent and reserved amounts to the budget's alert percentage or beyond. */
        ALERT,
        /** A create was refused: what is left of the month's budget does not cover it. */
        EXHAUSTED
    }
}
