package com.ltxgateway.training;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;

import com.ltxgateway.Amounts;

import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;

/**
 * What one training step costs now, for estimates: the account's own price as fal last stated it, or, until fal has
 * been asked successfully, {@code gateway.pricing.usd-per-step}. A price once read from fal is kept when a later
 * question fails, since fal's last word is closer to what it bills than a configured rate.
 */
@Service
public class StepPrice {

    private final PricingProperties configured;
    private final AtomicReference<@Nullable Price> fromFal = new AtomicReference<>();

    StepPrice(PricingProperties configured) {
        this.configured = configured;
    }

    /** @param readAt when fal stated it; null for the configured rate */
    public record Price(BigDecimal usdPerStep, Source source, @Nullable Instant readAt) {
    }

    public enum Source {
        FAL, CONFIGURED
    }

    public Price current() {
        Price fal = fromFal.get();
        return fal != null ? fal : new Price(configured.usdPerStep(), Source.CONFIGURED, null);
    }

    /** fal's answer to a price question; from now on the estimates' unit price. */
    public void statedByFal(BigDecimal usdPerStep, Instant at) {
        fromFal.set(new Price(usdPerStep, Source.FAL, at));
    }

    static BigDecimal cost(BigDecimal usdPerStep, int steps) {
        return Amounts.plain(usdPerStep.multiply(BigDecimal.valueOf(steps)));
    }
}
