package com.ltxgateway.training;

import java.math.BigDecimal;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param usdPerStep what fal charges per training step, used for estimates until fal's Platform API has stated the
 * account's own price, and whenever it cannot be asked
 * @param refreshInterval how often fal's price is asked again (with {@code gateway.fal.admin-key} set)
 */
@ConfigurationProperties("gateway.pricing")
record PricingProperties(@DefaultValue("0.0024") BigDecimal usdPerStep, @DefaultValue("1h") Duration refreshInterval) {
}
