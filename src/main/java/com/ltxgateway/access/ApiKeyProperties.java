package com.ltxgateway.access;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How API keys are checked.
 *
 * @param cacheTtl how long an instance answers for a key it checked without asking the database again; a revocation
 * empties every instance's cache at once, so this only bounds how long a missed notification could let a revoked key
 * through. Zero asks the database on every request
 */
@ConfigurationProperties("gateway.api-keys")
record ApiKeyProperties(@DefaultValue("30s") Duration cacheTtl) {
}
