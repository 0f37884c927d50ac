package com.ltxgateway.training;

import java.math.BigDecimal;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/** @param usdPerStep what fal charges per training step; estimates are this times number_of_steps */
@ConfigurationProperties("gateway.pricing")
record PricingProperties(@DefaultValue("0.0024") BigDecimal usdPerStep) {

    BigDecimal estimate(int steps) {
        BigDecimal cost = usdPerStep.multiply(BigDecimal.valueOf(steps)).stripTrailingZeros();
        return cost.scale() < 0 ? cost.setScale(0) : cost;
    }
}
