package com.ltxgateway.reconciliation;

import java.time.Duration;
import java.util.List;

import com.ltxgateway.ClaimLoop;
import com.ltxgateway.fal.FalPlatform;
import com.ltxgateway.reconciliation.ClusterTasks.ClaimedTask;
import com.ltxgateway.reconciliation.FalReconciler.Run;
import com.ltxgateway.tracking.TrackerProperties;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Runs the {@link FalReconciler} every {@code gateway.reconciliation.interval} on one instance at a time: every
 * instance looks whether the run is due and free, and the one that claims it renews its lease while it reads. Only
 * with fal's admin key, which the Platform API needs, and not on API-only instances.
 */
@Component
class FalReconciliation extends ClaimLoop<ClaimedTask> {

    private static final Logger log = LoggerFactory.getLogger(FalReconciliation.class);
    private static final Duration LOOK_EVERY = Duration.ofSeconds(5);
    /** A run is only reading: cutting it short loses nothing, the next one reads again from where this began. */
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);

    private final FalPlatform platform;
    private final FalReconciler reconciler;
    private final ClusterTasks tasks;
    private final TrackerProperties tracker;

    FalReconciliation(FalPlatform platform, FalReconciler reconciler, ClusterTasks tasks, TrackerProperties tracker) {
        // The claim lease is that of every instance's work: a dead instance's run is taken over after it.
        super("fal-reconciliation", 1, 1, lookEvery(reconciler.interval()), tracker.lease().dividedBy(3), STOP_GRACE);
        this.platform = platform;
        this.reconciler = reconciler;
        this.tasks = tasks;
        this.tracker = tracker;
    }

    @Override
    protected List<ClaimedTask> claim(String owner, int limit) {
        return tasks.claim(FalReconciler.TASK, owner, tracker.lease());
    }

    @Override
    protected void handle(ClaimedTask task) {
        Run run;
        try {
            run = reconciler.run(reconciler.progress(task.state()));
        }
        catch (RuntimeException e) {
            log.warn("Reconciliation with fal failed; it runs again in {}", reconciler.interval(), e);
            tasks.finish(task, task.state(), reconciler.interval(), e.toString());
            return;
        }
        if (run.fault() != null) {
            log.warn("Reconciliation with fal cut short: {}; it runs again in {}", run.fault(), reconciler.interval());
        }
        tasks.finish(task, reconciler.state(run.progress()), reconciler.interval(), run.fault());
    }

    @Override
    protected void renew(List<ClaimedTask> inFlight) {
        inFlight.forEach(task -> tasks.renew(task, tracker.lease()));
    }

    @Override
    protected void handBack(List<ClaimedTask> unfinished) {
        unfinished.forEach(tasks::handBack);
    }

    @Override
    protected boolean runsHere() {
        if (tracker.enabled() && !platform.enabled()) {
            log.info("No fal admin key (GATEWAY_FAL_ADMIN_KEY): unconfirmed submits are settled by fal's webhooks and by"
                    + " admins, and costs are not read from fal");
        }
        return tracker.enabled() && platform.enabled();
    }

    private static Duration lookEvery(Duration interval) {
        return interval.compareTo(LOOK_EVERY) < 0 ? interval : LOOK_EVERY;
    }
}
