package com.ltxgateway.budget;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

/** A budget's period: the UTC calendar month, from its first instant (inclusive) to the next month's (exclusive). */
record BudgetPeriod(Instant start, Instant end) {

    static BudgetPeriod containing(Instant instant) {
        LocalDate first = LocalDate.ofInstant(instant, ZoneOffset.UTC).withDayOfMonth(1);
        return new BudgetPeriod(first.atStartOfDay(ZoneOffset.UTC).toInstant(),
                first.plusMonths(1).atStartOfDay(ZoneOffset.UTC).toInstant());
    }

    /** The month's first day, as the budget's columns name a month. */
    LocalDate month() {
        return LocalDate.ofInstant(start, ZoneOffset.UTC);
    }
}
