package com.ltxgateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

/** One reading of Retry-After for fal's answers and the teams' receivers. */
class RetryAfterTests {

    private static final Instant NOW = Instant.parse("2026-12-03T10:00:00Z");

    @Test
    void readsDelaySecondsAndHttpDatesNeverNegativeAndCapped() {
        assertThat(RetryAfter.parse("30", NOW)).isEqualTo(Duration.ofSeconds(30));
        assertThat(RetryAfter.parse(" 0 ", NOW)).isEqualTo(Duration.ZERO);
        assertThat(RetryAfter.parse("Thu, 03 Dec 2026 10:02:00 GMT", NOW)).isEqualTo(Duration.ofMinutes(2));
        assertThat(RetryAfter.parse("Thu, 03 Dec 2026 09:58:00 GMT", NOW)).isEqualTo(Duration.ZERO);
        assertThat(RetryAfter.parse("86401", NOW)).isEqualTo(Duration.ofHours(24));
        assertThat(RetryAfter.parse("99999999999999999999", NOW)).isEqualTo(Duration.ofHours(24));
        assertThat(RetryAfter.parse("Sat, 03 Dec 2050 10:00:00 GMT", NOW)).isEqualTo(Duration.ofHours(24));
    }

    @Test
    void ignoresWhatIsNotARetryAfter() {
        assertThat(RetryAfter.parse("soon", NOW)).isNull();
        assertThat(RetryAfter.parse("-5", NOW)).isNull();
        assertThat(RetryAfter.parse("", NOW)).isNull();
        assertThat(RetryAfter.parse(null, NOW)).isNull();
    }
}
