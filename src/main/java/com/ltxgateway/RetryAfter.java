package com.ltxgateway;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;

import org.jspecify.annotations.Nullable;

/**
 * The {@code Retry-After} header (RFC 9110 §10.2.3) of whoever the gateway calls, fal and teams' receivers alike:
 * delta-seconds or an HTTP-date, never negative, and capped, so that one odd answer cannot park work for years.
 */
public final class RetryAfter {

    public static final Duration MAX = Duration.ofHours(24);
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withLocale(Locale.US);

    private RetryAfter() {
    }

    /** Null when absent or unreadable; a date in the past is zero. */
    public static @Nullable Duration parse(@Nullable String value, Instant now) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String text = value.strip();
        Duration wait;
        if (text.chars().allMatch(Character::isDigit)) {
            wait = text.length() > 9 ? MAX : Duration.ofSeconds(Long.parseLong(text));
        }
        else {
            try {
                wait = Duration.between(now, ZonedDateTime.parse(text, HTTP_DATE).toInstant());
            }
            catch (DateTimeParseException e) {
                return null;
            }
        }
        return wait.isNegative() ? Duration.ZERO : wait.compareTo(MAX) > 0 ? MAX : wait;
    }
}
