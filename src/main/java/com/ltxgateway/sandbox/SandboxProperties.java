package com.ltxgateway.sandbox;

import java.net.URI;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The built-in fal simulator that sandbox keys train against.
 *
 * @param enabled whether sandbox keys can create trainings
 * @param queueDuration how long a simulated request stays IN_QUEUE
 * @param runDuration how long it then stays IN_PROGRESS
 * @param queueUrl where the gateway reaches the simulator; unset means this instance itself, on loopback
 * @param key the key the simulator expects in {@code Authorization: Key}; it guards nothing of value
 */
@ConfigurationProperties("gateway.sandbox")
public record SandboxProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("10s") Duration queueDuration,
        @DefaultValue("30s") Duration runDuration,
        URI queueUrl,
        @DefaultValue("sandbox") String key) {
}
