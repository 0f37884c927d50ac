package com.ltxgateway.training;

/** A log line of fal's run; {@code timestamp} is fal's own string, kept as is, or null when fal gave none. */
public record LogLine(String message, String timestamp) {
}
