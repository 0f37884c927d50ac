package com.ltxgateway.reconciliation;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import com.ltxgateway.ClaimLoop;
import com.ltxgateway.ClaimLoopLifecycle;
import com.ltxgateway.Instances;
import com.ltxgateway.fal.FalCancellation;
import com.ltxgateway.fal.FalEndpoint;
import com.ltxgateway.fal.FalOutcome;
import com.ltxgateway.fal.FalProperties;
import com.ltxgateway.fal.FalQueue;
import com.ltxgateway.fal.FalRequestRef;
import com.ltxgateway.reconciliation.FalOrphans.ClaimedCancel;
import com.ltxgateway.tracking.FalEndpoints;
import com.ltxgateway.tracking.TrackerProperties;

import io.github.resilience4j.core.IntervalFunction;

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
class OrphanCancels extends ClaimLoopLifecycle {

    private static final Logger log = LoggerFactory.getLogger(OrphanCancels.class);

    private final FalOrphans orphans;
    private final FalQueue fal;
    private final FalEndpoints endpoints;
    private final TrackerProperties tracker;
    private final IntervalFunction backoff;
    private final ClaimLoop<ClaimedCancel> loop;

    OrphanCancels(FalOrphans orphans, FalQueue fal, FalEndpoints endpoints, FalProperties falProperties,
            ReconciliationProperties properties, TrackerProperties tracker) {
        this.orphans = orphans;
        this.fal = fal;
        this.endpoints = endpoints;
        this.tracker = tracker;
        this.backoff = IntervalFunction.ofExponentialRandomBackoff(properties.cancelRetryInitialInterval(), 2.0, 0.5,
                properties.cancelRetryMaxInterval());
        String owner = Instances.owner();
        // The claim lease of every instance's work, renewed while a cancel is under way.
        Duration lease = tracker.lease();
        this.loop = new ClaimLoop<>("orphan-cancels", 8, 8, properties.cancelIdleInterval(), lease.dividedBy(3),
                falProperties.longestCall().plusSeconds(5),
                new ClaimLoop.Work<>() {
                    @Override
                    public List<ClaimedCancel> claim(int limit) {
                        return orphans.claimCancels(owner, limit, lease);
                    }

                    @Override
                    public void handle(ClaimedCancel cancel) {
                        send(cancel);
                    }

                    @Override
                    public void renew(List<ClaimedCancel> inFlight) {
                        orphans.renew(inFlight, lease);
                    }

                    @Override
                    public void handBack(List<ClaimedCancel> unfinished) {
                        orphans.handBack(unfinished);
                    }
                });
    }

    void send(ClaimedCancel cancel) {
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
        Duration wait = Duration.ofMillis(backoff.apply(cancel.attempts()));
        log.warn("Could not cancel orphan request {} (attempt {}): {}; trying again in {} ms", cancel.requestId(), cancel.attempts(),
                failure, wait.toMillis());
        orphans.cancelFailed(cancel, wait, failure);
    }

    @Override
    protected ClaimLoop<?> loop() {
        return loop;
    }

    @Override
    protected String description() {
        return "Orphan cancels";
    }

    @Override
    protected boolean runsHere() {
        return tracker.enabled();
    }
}
