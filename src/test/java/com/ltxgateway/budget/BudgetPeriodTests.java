package com.ltxgateway.budget;

import java.time.Instant;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class BudgetPeriodTests {

    @Test
    void isTheUtcCalendarMonthOfTheInstant() {
        assertThat(BudgetPeriod.containing(Instant.parse("2026-12-05T20:00:00Z")))
                .isEqualTo(new BudgetPeriod(Instant.parse("2026-12-01T00:00:00Z"), Instant.parse("2027-01-01T00:00:00Z")));
    }

    @Test
    void turnsOverAtUtcMidnight() {
        assertThat(BudgetPeriod.containing(Instant.parse("2026-12-31T23:59:59.999999Z")).end())
                .isEqualTo(Instant.parse("2027-01-01T00:00:00Z"));
        assertThat(BudgetPeriod.containing(Instant.parse("2027-01-01T00:00:00Z")).start())
                .isEqualTo(Instant.parse("2027-01-01T00:00:00Z"));
    }

    @Test
    void knowsLeapYears() {
        assertThat(BudgetPeriod.containing(Instant.parse("2028-02-29T12:00:00Z")).end()).isEqualTo(Instant.parse("2028-03-01T00:00:00Z"));
        assertThat(BudgetPeriod.containing(Instant.parse("2027-02-28T12:00:00Z")).end()).isEqualTo(Instant.parse("2027-03-01T00:00:00Z"));
    }
}
