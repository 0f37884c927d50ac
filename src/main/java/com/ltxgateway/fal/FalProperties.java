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
 */
@ConfigurationProperties("gateway.fal")
public record FalProperties(
        String key,
        @DefaultValue("https://queue.fal.run") URI queueUrl,
        @DefaultValue("https://rest.alpha.fal.ai/.well-known/jwks.json") URI jwksUrl,
        @DefaultValue("fal-ai/ltx23-trainer-v2/interpolate") String endpointId,
        @DefaultValue("5s") Duration connectTimeout,
        @DefaultValue("30s") Duration readTimeout,
        @DefaultValue("4MB") DataSize maxResponseSize) {

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
