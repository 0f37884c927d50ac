package com.ltxgateway.fal;

import java.net.URI;
import java.time.Duration;

import com.ltxgateway.net.OutboundTimeouts;

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
 * @param maxResponseSize submit and cancel answers larger than this are refused instead of buffered (status and result
 * answers are read as a stream and may be of any size)
 * @param webhookTolerance how far a webhook's signed timestamp may be from now; older (or future) deliveries are
 * refused, so a captured delivery cannot be replayed later
 * @param jwksCacheTtl how long fal's webhook keys are used before they are fetched again
 * @param jwksRefetchInterval the shortest time between two fetches of fal's keys; a delivery no cached key verifies
 * triggers one (fal may have published a new key), and forged deliveries must not turn into a flood of fetches
 * @param apiUrl base of fal's Platform API (request listing, billing events)
 * @param adminKey an ADMIN-scoped fal key for the Platform API; optional: without it unconfirmed submits are settled by
 * webhooks and admins only, and costs are not read from fal
 * @param userId fal's user id of the company's account, as fal signs it into every webhook; without it no live
 * webhook is asked for or accepted
 * @param outputExpiration how long fal keeps each training's output files ({@code X-Fal-Object-Lifecycle-Preference}
 * on every submit); unset leaves it to the account's setting. The gateway copies them when the training succeeds,
 * so fal's copies need not outlive that by long
 * @param storageUrl base of fal's storage API, where datasets are uploaded for live trainings
 * @param storageMultipartThreshold files larger than this are uploaded to fal's storage in parts (as fal's client does)
 * @param storagePartSize the size of each part
 * @param maxConnections how many connections to each of fal's APIs (queue, Platform, storage) one instance keeps open at
 * most; a call that finds them all taken waits for one, within its own timeout. The tracker's steps poll fal's queue
 * side by side, so keep it at {@code gateway.tracker.concurrency} or above
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
        @DefaultValue("30s") Duration jwksRefetchInterval,
        @DefaultValue("https://api.fal.ai/v1") URI apiUrl,
        String adminKey,
        String userId,
        Duration outputExpiration,
        @DefaultValue("https://rest.fal.ai") URI storageUrl,
        @DefaultValue("90MB") DataSize storageMultipartThreshold,
        @DefaultValue("10MB") DataSize storagePartSize,
        @DefaultValue("64") int maxConnections) {

    public FalProperties {
        if (maxConnections < 1) {
            throw new IllegalArgumentException("gateway.fal.max-connections must be at least 1, not " + maxConnections);
        }
    }

    public boolean hasKey() {
        return StringUtils.hasText(key);
    }

    public boolean hasAdminKey() {
        return StringUtils.hasText(adminKey);
    }

    public boolean hasUserId() {
        return StringUtils.hasText(userId);
    }

    public FalEndpoint liveEndpoint() {
        return new FalEndpoint(queueUrl, endpointId, key);
    }

    public OutboundTimeouts timeouts() {
        return new OutboundTimeouts(connectTimeout, readTimeout);
    }

    /** The longest one fal call can take: leases and graceful stops are sized by it. */
    public Duration longestCall() {
        return timeouts().longestCall();
    }

    @Override
    public String toString() {
        return "FalProperties[queueUrl=" + queueUrl + ", apiUrl=" + apiUrl + ", endpointId=" + endpointId + ", key="
                + (hasKey() ? "(set)" : "(unset)") + ", adminKey=" + (hasAdminKey() ? "(set)" : "(unset)") + ", userId=" + userId + "]";
    }
}
