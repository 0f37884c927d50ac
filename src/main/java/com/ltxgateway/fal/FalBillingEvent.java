package com.ltxgateway.fal;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * One billed request, from fal's billing events.
 *
 * @param costUsd {@code cost_estimate_nano_usd} / 1e9
 */
public record FalBillingEvent(String requestId, String endpointId, Instant timestamp, BigDecimal costUsd) {
}
