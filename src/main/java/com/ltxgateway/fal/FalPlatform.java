package com.ltxgateway.fal;

import java.time.Instant;

/**
 * fal's Platform API ({@code gateway.fal.api-url}) for the configured endpoint, with the ADMIN-scoped key
 * ({@code gateway.fal.admin-key}): what fal itself knows about the account's requests and what it billed. Every call
 * returns an outcome instead of throwing; the admin key never appears in a log line, an exception or an outcome.
 */
public interface FalPlatform {

    /** Whether an admin key is configured; without one every call is {@link FalOutcome.Unavailable}. */
    boolean enabled();

    /**
     * One page of {@code GET /models/requests/by-endpoint?expand=payloads} for the configured endpoint between
     * {@code start} (inclusive) and {@code end} (exclusive); {@code cursor} null for the first page.
     */
    FalOutcome<FalPage<FalRequestRecord>> requests(Instant start, Instant end, String cursor);

    /** One page of {@code GET /models/billing-events} for the configured endpoint, like {@link #requests}. */
    FalOutcome<FalPage<FalBillingEvent>> billingEvents(Instant start, Instant end, String cursor);

    /**
     * {@code GET /models/pricing} for the configured endpoint. A success carries a positive price in USD; an answer
     * without one, or in another currency, is unavailable: the gateway cannot use it for its estimates.
     */
    FalOutcome<FalPrice> price();
}
