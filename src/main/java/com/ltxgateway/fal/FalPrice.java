package com.ltxgateway.fal;

import java.math.BigDecimal;

import org.jspecify.annotations.Nullable;

/**
 * The account's own price for the configured endpoint, as fal's Platform API states it (discounts applied).
 *
 * @param unitPrice USD per unit
 * @param unit what fal counts, as fal names it, if it does; this endpoint bills the training steps
 */
public record FalPrice(BigDecimal unitPrice, @Nullable String unit) {
}
