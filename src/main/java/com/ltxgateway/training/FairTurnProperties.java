package com.ltxgateway.training;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The fal account's limit, next to the fal adapter's own settings.
 *
 * @param maxConcurrent the most live trainings at fal at once for the whole account (submitted and not finished); 0 for
 * no limit
 */
@ConfigurationProperties("gateway.fal")
public record FairTurnProperties(@DefaultValue("0") int maxConcurrent) {

    public FairTurnProperties {
        if (maxConcurrent < 0) {
            throw new IllegalArgumentException("gateway.fal.max-concurrent must be 0 (no limit) or more, not " + maxConcurrent);
        }
    }
}
