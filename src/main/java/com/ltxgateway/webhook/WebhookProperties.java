package com.ltxgateway.webhook;

import java.time.Duration;
import java.util.List;

import com.ltxgateway.net.OutboundTimeouts;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * How the gateway tells teams' receivers about their trainings. The allowed hosts are the outbound URL policy's
 * ({@code com.ltxgateway.net}).
 *
 * @param encryptionKey base64 of a 256-bit AES key that encrypts the teams' signing secrets at rest
 * ({@code GATEWAY_WEBHOOKS_ENCRYPTION_KEY}); without it no secret can be created or used, so nothing is sent
 * @param secretOverlap how long a rotated secret keeps signing alongside its successor
 * @param retrySchedule the waits after each failed attempt, each spread by up to a tenth either way so that deliveries
 * that failed together (a receiver's outage) do not all come back at the same moment; after the last one the delivery
 * has failed. A receiver's {@code Retry-After} is honoured: the wait is never shorter
 * @param connectTimeout TCP connect timeout of every attempt
 * @param readTimeout how long an attempt waits for the response
 * @param maxResponseSize how much of a response is read; receivers are expected to answer with an empty body
 * @param lease how long a claim on a delivery holds; must exceed an attempt at its timeouts
 * @param idleInterval how often an idle dispatcher looks for due deliveries; new ones wake it at once
 * @param concurrency deliveries one instance sends at the same time
 * @param previousEncryptionKeys keys {@code encryptionKey} replaced: secrets sealed with them still open, and each
 * instance re-encrypts them with the current key at start, so the old keys can be dropped after every instance ran
 * once
 * @param retention how long finished deliveries (delivered or failed, of trainings that have finished or of budget
 * alerts) and their attempts are kept after they finished; older ones are purged
 */
@ConfigurationProperties("gateway.webhooks")
record WebhookProperties(
        String encryptionKey,
        @DefaultValue("24h") Duration secretOverlap,
        @DefaultValue({ "5s", "5m", "30m", "2h", "5h", "10h", "10h" }) List<Duration> retrySchedule,
        @DefaultValue("2s") Duration connectTimeout,
        @DefaultValue("5s") Duration readTimeout,
        @DefaultValue("64KB") DataSize maxResponseSize,
        @DefaultValue("1m") Duration lease,
        @DefaultValue("1s") Duration idleInterval,
        @DefaultValue("16") int concurrency,
        @DefaultValue("30d") Duration retention,
        @DefaultValue List<String> previousEncryptionKeys) {

    WebhookProperties {
        if (retrySchedule.stream().anyMatch(wait -> wait.isNegative() || wait.isZero())) {
            throw new IllegalArgumentException("gateway.webhooks.retry-schedule: every wait must be positive, not " + retrySchedule);
        }
    }

    OutboundTimeouts timeouts() {
        return new OutboundTimeouts(connectTimeout, readTimeout);
    }

    @Override
    public String toString() {
        return "WebhookProperties[encryptionKey=" + (encryptionKey == null || encryptionKey.isBlank() ? "(unset)" : "(set)")
                + ", secretOverlap=" + secretOverlap + ", retrySchedule=" + retrySchedule + ", connectTimeout="
                + connectTimeout + ", readTimeout=" + readTimeout + ", maxResponseSize=" + maxResponseSize
                + ", lease=" + lease + ", idleInterval=" + idleInterval + ", concurrency=" + concurrency + ", retention=" + retention
                + ", previousEncryptionKeys=(" + previousEncryptionKeys.size() + " set)]";
    }
}
