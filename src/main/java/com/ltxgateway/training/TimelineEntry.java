package com.ltxgateway.training;

import java.time.Instant;

/**
 * One entry of a training's timeline (the API's {@code /events}); {@code status} is set on state changes and webhook
 * deliveries, {@code message} on most others.
 */
public record TimelineEntry(String type, Instant at, String status, String message) {
}
