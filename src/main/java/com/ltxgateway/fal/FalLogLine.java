package com.ltxgateway.fal;

/** A log line as fal reports it; {@code timestamp} is fal's own string, kept as is. */
public record FalLogLine(String message, String level, String source, String timestamp) {
}
