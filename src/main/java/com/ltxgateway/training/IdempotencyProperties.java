package com.ltxgateway.training;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/** @param retention how long an Idempotency-Key is remembered; the API promises at least 24 hours */
@ConfigurationProperties("gateway.idempotency")
record IdempotencyProperties(@DefaultValue("24h") Duration retention) {
}
