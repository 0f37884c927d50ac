package com.ltxgateway.training;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param retention how long an Idempotency-Key is remembered; the API promises at least 24 hours
 * @param purgeInterval how often expired keys are deleted
 */
@ConfigurationProperties("gateway.idempotency")
record IdempotencyProperties(@DefaultValue("24h") Duration retention, @DefaultValue("1h") Duration purgeInterval) {
}
