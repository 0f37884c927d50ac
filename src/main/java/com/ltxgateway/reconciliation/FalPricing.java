package com.ltxgateway.reconciliation;

import java.time.Clock;

import com.ltxgateway.fal.FalOutcome;
import com.ltxgateway.fal.FalPlatform;
import com.ltxgateway.fal.FalPrice;
import com.ltxgateway.training.StepPrice;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Asks fal's Platform API for the account's price per step when the instance starts and every
 * {@code gateway.pricing.refresh-interval} after, so estimates (and the budgets they are held to) use what fal will
 * bill, discounts included. Every instance asks for itself: one small read an hour each. Without an admin key, or
 * while fal cannot be asked, estimates use the last price fal stated, or the configured rate.
 */
@Component
class FalPricing {

    private static final Logger log = LoggerFactory.getLogger(FalPricing.class);

    private final FalPlatform platform;
    private final StepPrice prices;
    private final Clock clock;

    FalPricing(FalPlatform platform, StepPrice prices, Clock clock) {
        this.platform = platform;
        this.prices = prices;
        this.clock = clock;
    }

    @Scheduled(initialDelay = 0, fixedDelayString = "${gateway.pricing.refresh-interval:1h}")
    void refresh() {
        if (!platform.enabled()) {
            return;
        }
        switch (platform.price()) {
            case FalOutcome.Success<FalPrice>(FalPrice price) -> {
                StepPrice.Price before = prices.current();
                prices.statedByFal(price.unitPrice(), clock.instant());
                if (before.source() != StepPrice.Source.FAL || before.usdPerStep().compareTo(price.unitPrice()) != 0) {
                    log.info("fal's price for the account: {} USD per {}; estimates use it from now on",
                            price.unitPrice().toPlainString(), price.unit() == null ? "step" : price.unit());
                }
            }
            case FalOutcome.Rejected<FalPrice> rejected -> unknown("HTTP " + rejected.httpStatus());
            case FalOutcome.Unavailable<FalPrice> unavailable -> unknown(unavailable.reason());
        }
    }

    private void unknown(String reason) {
        StepPrice.Price current = prices.current();
        log.warn("fal's price could not be read ({}); estimates use {} USD per step ({})", reason,
                current.usdPerStep().toPlainString(), current.source() == StepPrice.Source.FAL
                        ? "fal's price of " + current.readAt() : "gateway.pricing.usd-per-step");
    }
}
