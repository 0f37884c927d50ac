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
 * @param key the key the simulator expects in {@code Authorization: Key}; unset means a random one per instance,
 * which is all an instance calling its own simulator needs (required with {@code queueUrl})
 * @param retention how long the simulator keeps a request after it completed; its sandbox training's output files
 * are gone with it
 */
@ConfigurationProperties("gateway.sandbox")
public record SandboxProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("10s") Duration queueDuration,
        @DefaultValue("30s") Duration runDuration,
        URI queueUrl,
        String key,
        @DefaultValue("7d") Duration retention) {
}
