package com.ltxgateway.reconciliation;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import com.ltxgateway.Backoff;
import com.ltxgateway.ClaimLoop;
import com.ltxgateway.fal.FalCancellation;
import com.ltxgateway.fal.FalEndpoint;
import com.ltxgateway.fal.FalOutcome;
import com.ltxgateway.fal.FalProperties;
import com.ltxgateway.fal.FalQueue;
import com.ltxgateway.fal.FalRequestRef;
import com.ltxgateway.reconciliation.FalOrphans.ClaimedCancel;
import com.ltxgateway.tracking.KeyModeRouting;
import com.ltxgateway.tracking.TrackerProperties;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Sends the cancel of every orphan that may still run, again and again with backoff until fal confirms it
 * ({@code OK}, {@code CANCELLATION_REQUESTED}, {@code ALREADY_COMPLETED} or {@code NOT_FOUND}): fal bills a request
 * that succeeds, and a canceled one it does not. Every instance sends some, claimed like the tracker's jobs, so a
 * restart or a dead instance loses none. API-only instances ({@code gateway.tracker.enabled=false}) send none.
 */
@Component
class OrphanCancels extends ClaimLoop<ClaimedCancel> {

    private static final Logger log = LoggerFactory.getLogger(OrphanCancels.class);

    private final FalOrphans orphans;
    private final FalQueue fal;
    private final KeyModeRouting endpoints;
    private final TrackerProperties tracker;
    private final Backoff backoff;

    OrphanCancels(FalOrphans orphans, FalQueue fal, KeyModeRouting endpoints, FalProperties falProperties,
            ReconciliationProperties properties, TrackerProperties tracker) {
        // Renewed every third of the claim lease of every instance's work while a cancel is under way.
        super("orphan-cancels", 8, 8, properties.cancelIdleInterval(), tracker.lease().dividedBy(3),
                falProperties.longestCall().plusSeconds(5));
        this.orphans = orphans;
        this.fal = fal;
        this.endpoints = endpoints;
        this.tracker = tracker;
        this.backoff = Backoff.exponential(properties.cancelRetryInitialInterval(), properties.cancelRetryMaxInterval());
    }

    @Override
    protected List<ClaimedCancel> claim(String owner, int limit) {
        return orphans.claimCancels(owner, limit, tracker.lease());
    }

    @Override
    protected void renew(List<ClaimedCancel> inFlight) {
        orphans.renew(inFlight, tracker.lease());
    }

    @Override
    protected void handBack(List<ClaimedCancel> unfinished) {
        orphans.handBack(unfinished);
    }

    @Override
    protected boolean runsHere() {
        return tracker.enabled();
    }

    @Override
    protected void handle(ClaimedCancel cancel) {
        try {
            if (orphans.adopted(cancel.requestId())) {
                orphans.cancelSettled(cancel, "adopted");
                return;
            }
            Optional<FalEndpoint> endpoint = endpoints.forMode(cancel.mode());
            if (endpoint.isEmpty()) {
                if ("sandbox".equals(cancel.mode())) {
                    orphans.cancelSettled(cancel, "sandbox_off");
                }
                else {
                    retry(cancel, "no fal key is configured");
                }
                return;
            }
            switch (fal.cancel(endpoint.get(), FalRequestRef.of(cancel.requestId()))) {
                case FalOutcome.Success<FalCancellation> success -> {
                    log.info("fal confirmed the cancel of orphan request {}: {}", cancel.requestId(), success.value());
                    orphans.cancelSettled(cancel, success.value().name());
                }
                case FalOutcome.Rejected<FalCancellation> rejected -> retry(cancel, "HTTP " + rejected.httpStatus() + " " + rejected.error().message());
                case FalOutcome.Unavailable<FalCancellation> unavailable -> retry(cancel, unavailable.reason());
            }
        }
        catch (RuntimeException e) {
            log.warn("Cancel of orphan request {} failed; it is sent again when its claim runs out", cancel.requestId(), e);
        }
    }

    private void retry(ClaimedCancel cancel, String failure) {
        // An exponential backoff is never used up: the cancel is sent until fal confirms it.
        Duration wait = backoff.after(cancel.attempts(), null).orElseThrow();
        log.warn("Could not cancel orphan request {} (attempt {}): {}; trying again in {} ms", cancel.requestId(), cancel.attempts(),
                failure, wait.toMillis());
        orphans.cancelFailed(cancel, wait, failure);
    }
}
