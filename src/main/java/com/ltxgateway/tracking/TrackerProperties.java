package com.ltxgateway.tracking;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How the tracker shares out and paces its work.
 *
 * @param enabled whether this instance works on trainings at all: tracking, orphan cancels, reconciliation with fal (an
 * API-only instance sets it to false)
 * @param idleInterval how often an idle instance looks for due work; new trainings wake it at once
 * @param batchSize how many due trainings one claim takes
 * @param concurrency how many trainings one instance works on at the same time
 * @param concurrencyWhileServing how many of them (and of the fal webhooks being applied and the output copies) work at
 * the same time while the instance is serving requests: the others wait their turn, so callers are answered first.
 * Waiting for fal takes no turn
 * @param shareWhileServing the part of the time, above 0 and at most 1, for which those turns are held while the
 * instance serves requests: a turn held for a while leaves the next one resting until the share is kept. 1 means no
 * rests; with no request in flight, nothing rests
 * @param lease how long a claim holds without renewal; an instance that dies loses its claims after this. A running
 * step renews its claim every third of the lease, so the lease only has to outlast a few missed renewals, not the step
 * @param pollMinInterval poll interval right after a training changed state
 * @param pollMaxInterval the longest poll interval; bounds how late a completion is noticed without a webhook
 * @param pollBackoffMultiplier growth of the poll interval while nothing changes
 * @param pollQueuedBackoffMultiplier growth of the poll interval of a queued training whose end a webhook will report:
 * only a poll sees its run start, which is worth fewer polls than its end
 * @param retryInitialInterval first wait after fal was unavailable (429, 5xx, timeout)
 * @param retryMaxInterval the longest wait between retries; retries go on for as long as fal is unavailable
 * @param pollBackstopInterval poll interval of a running training whose completion a webhook will report, and the
 * longest of a queued one; only a backstop for a lost webhook, and short enough that outputs are still captured within
 * two minutes
 * @param falWebhooksInFlight how many of fal's webhook deliveries one instance receives at the same time (verifies and
 * stores; applying them is the tracker's work); more wait for a place
 * @param falWebhookWait how long a delivery waits for a place before it is refused with 503 for fal to deliver again:
 * well under the time fal waits for an answer
 * @param webhooksExpected whether fal's webhooks reach this gateway; unset means yes unless
 * {@code gateway.public-url} is a loopback address. Sandbox trainings always expect the simulator's webhook
 */
@ConfigurationProperties("gateway.tracker")
public record TrackerProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("500ms") Duration idleInterval,
        @DefaultValue("100") int batchSize,
        @DefaultValue("64") int concurrency,
        @DefaultValue("1") int concurrencyWhileServing,
        @DefaultValue("0.25") double shareWhileServing,
        @DefaultValue("60s") Duration lease,
        @DefaultValue("2s") Duration pollMinInterval,
        @DefaultValue("30s") Duration pollMaxInterval,
        @DefaultValue("1.5") double pollBackoffMultiplier,
        @DefaultValue("3") double pollQueuedBackoffMultiplier,
        @DefaultValue("2s") Duration retryInitialInterval,
        @DefaultValue("5m") Duration retryMaxInterval,
        @DefaultValue("60s") Duration pollBackstopInterval,
        @DefaultValue("16") int falWebhooksInFlight,
        @DefaultValue("1s") Duration falWebhookWait,
        Boolean webhooksExpected) {

    public TrackerProperties {
        if (!(shareWhileServing > 0 && shareWhileServing <= 1)) {
            throw new IllegalArgumentException(
                    "gateway.tracker.share-while-serving must be above 0 and at most 1, not " + shareWhileServing);
        }
    }
}
