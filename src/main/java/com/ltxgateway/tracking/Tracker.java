package com.ltxgateway.tracking;

import java.net.InetAddress;
import java.util.UUID;

import com.ltxgateway.ClaimLoop;
import com.ltxgateway.LogFields;
import com.ltxgateway.tracking.TrackingJobs.ClaimedJob;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Each instance runs one tracker: a {@link ClaimLoop} over the tracking jobs that steps each claimed training on
 * its own virtual thread, with the training's id in every log line of the step.
 */
@Component
class Tracker implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(Tracker.class);

    private final TrainingStepper stepper;
    private final TrackerProperties properties;
    private final String owner;
    private final ClaimLoop<ClaimedJob> loop;

    Tracker(TrackingJobs jobs, TrainingStepper stepper, TrackerProperties properties) {
        this.stepper = stepper;
        this.properties = properties;
        this.owner = hostName() + "/" + UUID.randomUUID().toString().substring(0, 8);
        this.loop = new ClaimLoop<>("tracker", properties.concurrency(), properties.batchSize(), properties.idleInterval(),
                limit -> jobs.claim(owner, limit, properties.lease()), this::step);
    }

    void wakeUp() {
        loop.wakeUp();
    }

    @Override
    public void start() {
        if (!properties.enabled()) {
            log.info("Tracker disabled on this instance");
            return;
        }
        loop.start();
        log.info("Tracker {} started", owner);
    }

    @Override
    public void stop() {
        if (loop.isRunning()) {
            loop.stop();
            log.info("Tracker {} stopped", owner);
        }
    }

    @Override
    public boolean isRunning() {
        return loop.isRunning();
    }

    @Override
    public int getPhase() {
        // Stop before the web server and the database pool go away, start after them.
        return SmartLifecycle.DEFAULT_PHASE - 1024;
    }

    private void step(ClaimedJob job) {
        MDC.put(LogFields.TRAINING_ID, job.trainingId());
        try {
            stepper.step(job, owner);
        }
        catch (RuntimeException e) {
            log.warn("Step of training {} failed; it is retried when its lease runs out", job.trainingId(), e);
        }
        finally {
            // Cleared, not removed key by key: the stepper adds the fal request id once it knows it.
            MDC.clear();
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        }
        catch (java.io.IOException e) {
            return "gateway";
        }
    }
}
