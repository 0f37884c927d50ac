package com.ltxgateway;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;

import org.jspecify.annotations.Nullable;

/** Instants to and from the JDBC values of {@code timestamptz} columns, which may be null. */
public final class Timestamps {

    private Timestamps() {
    }

    public static @Nullable Instant instant(@Nullable Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }

    public static @Nullable Instant instant(ResultSet row, String column) throws SQLException {
        return instant(row.getTimestamp(column));
    }

    public static @Nullable Timestamp timestamp(@Nullable Instant instant) {
        return instant == null ? null : Timestamp.from(instant);
    }
}
