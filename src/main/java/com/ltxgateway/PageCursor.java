package com.ltxgateway;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;

/**
 * Where a page of a list ordered newest first ({@code created_at desc, id desc}) ends: the next page starts after it.
 * Opaque to clients, who only pass back the {@code next_cursor} they were given.
 */
public record PageCursor(Instant createdAt, String id) {

    /** 9999-12-31T23:59:59.999999Z. */
    private static final long MAX_MICROS = 253_402_300_799_999_999L;

    public String encode() {
        long micros = ChronoUnit.MICROS.between(Instant.EPOCH, createdAt);
        return Base64.getUrlEncoder().withoutPadding().encodeToString((micros + ":" + id).getBytes(StandardCharsets.UTF_8));
    }

    /** Checked down to what the query binds: PostgreSQL refuses out-of-range timestamps and U+0000 with an error. */
    public static PageCursor decode(String value) {
        try {
            String[] parts = new String(Base64.getUrlDecoder().decode(value), StandardCharsets.UTF_8).split(":", 2);
            long micros = Long.parseLong(parts[0]);
            if (micros < 0 || micros > MAX_MICROS || !parts[1].matches("[\\x21-\\x7e]{1,40}")) {
                throw new IllegalArgumentException("cursor out of range");
            }
            return new PageCursor(Instant.EPOCH.plus(micros, ChronoUnit.MICROS), parts[1]);
        }
        catch (RuntimeException e) {
            throw new InvalidQueryParameter("cursor", "cursor is not one this API returned");
        }
    }
}
