package com.ltxgateway.fal;

import java.net.URI;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.StringUtils;
import org.springframework.util.unit.DataSize;

/**
 * How the gateway reaches fal.
 *
 * @param key the company's fal key ({@code FAL_KEY}); without it live trainings cannot be submitted
 * @param queueUrl base of fal's queue API
 * @param jwksUrl where fal publishes the keys its webhooks are signed with
 * @param endpointId the model trained through this gateway
 * @param connectTimeout TCP connect timeout for every call
 * @param readTimeout how long a call may wait for fal's response
 * @param maxResponseSize responses larger than this are refused instead of buffered
 * @param webhookTolerance how far a webhook's signed timestamp may be from now; older (or future) deliveries are
 * refused, so a captured delivery cannot be replayed later
 * @param jwksCacheTtl how long fal's webhook keys are used before they are fetched again
 * @param jwksRefetchInterval the shortest time between two fetches of fal's keys; a delivery no cached key verifies
 * triggers one (fal may have published a new key), and forged deliveries must not turn into a flood of fetches
 */
@ConfigurationProperties("gateway.fal")
public record FalProperties(
        String key,
        @DefaultValue("https://queue.fal.run") URI queueUrl,
        @DefaultValue("https://rest.alpha.fal.ai/.well-known/jwks.json") URI jwksUrl,
        @DefaultValue("fal-ai/ltx23-trainer-v2/interpolate") String endpointId,
        @DefaultValue("5s") Duration connectTimeout,
        @DefaultValue("30s") Duration readTimeout,
        @DefaultValue("4MB") DataSize maxResponseSize,
        @DefaultValue("300s") Duration webhookTolerance,
        @DefaultValue("24h") Duration jwksCacheTtl,
        @DefaultValue("30s") Duration jwksRefetchInterval) {

    public boolean hasKey() {
        return StringUtils.hasText(key);
    }

    public FalEndpoint liveEndpoint() {
        return new FalEndpoint(queueUrl, endpointId, key);
    }

    @Override
    public String toString() {
        return "FalProperties[queueUrl=" + queueUrl + ", endpointId=" + endpointId + ", key=" + (hasKey() ? "(set)" : "(unset)") + "]";
    }
}
