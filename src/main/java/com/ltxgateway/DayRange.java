package com.ltxgateway;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

import org.jspecify.annotations.Nullable;

/**
 * A period of whole UTC days, both included, as reports take it from {@code from} and {@code to} query parameters
 * ({@code YYYY-MM-DD}): each defaults when absent, and a malformed date, a period that ends before it starts or one
 * longer than a year and a day is refused, naming the parameter.
 */
public record DayRange(LocalDate first, LocalDate last) {

    /** A year and a day: a report of a whole year, whatever its first day. */
    public static final long LONGEST_DAYS = 366;

    public static DayRange parse(@Nullable String from, @Nullable String to, LocalDate defaultFirst, LocalDate defaultLast) {
        LocalDate first = from == null ? defaultFirst : day("from", from);
        LocalDate last = to == null ? defaultLast : day("to", to);
        if (last.isBefore(first)) {
            throw new InvalidQueryParameter("to", "must not be before from");
        }
        if (ChronoUnit.DAYS.between(first, last) >= LONGEST_DAYS) {
            throw new InvalidQueryParameter("to", "the period can be at most " + LONGEST_DAYS + " days long");
        }
        return new DayRange(first, last);
    }

    private static LocalDate day(String parameter, String value) {
        try {
            return LocalDate.parse(value);
        }
        catch (DateTimeParseException e) {
            throw new InvalidQueryParameter(parameter, "must be a date as YYYY-MM-DD");
        }
    }
}
