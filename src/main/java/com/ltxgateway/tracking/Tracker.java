package com.ltxgateway.tracking;

import java.time.Clock;
import java.time.Instant;
import java.util.List;

import com.ltxgateway.ClaimLoop;
import com.ltxgateway.LogFields;
import com.ltxgateway.fal.FalProperties;
import com.ltxgateway.tracking.TrackingJobs.ClaimedJob;
import com.ltxgateway.training.TeamLimits;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;

/**
 * Each instance runs one tracker: a {@link ClaimLoop} over the tracking jobs that steps each claimed training on
 * its own virtual thread, with the training's id in every log line of the step, in {@link StepTurns} while the instance
 * serves requests. Claims are renewed every third of
 * their lease while a step runs. A stop (SIGTERM) stops claiming and waits as long as one fal call can take for the
 * steps under way; a step interrupted after that records its submit as unconfirmed, and every claim still held is
 * handed back.
 */
@Component
class Tracker extends ClaimLoop<ClaimedJob> {

    private static final Logger log = LoggerFactory.getLogger(Tracker.class);

    private final TrackingJobs jobs;
    private final TrainingStepper stepper;
    private final TrackerProperties properties;
    private final StepTurns turns;
    private final TeamLimits limits;
    private final Clock clock;
    /** Only the loop's thread reads and writes it. */
    private Instant lastTurnLook;

    Tracker(TrackingJobs jobs, TrainingStepper stepper, TrackerProperties properties, StepTurns turns, FalProperties fal,
            TeamLimits limits, Clock clock) {
        super("tracker", properties.concurrency(), properties.batchSize(), properties.idleInterval(),
                properties.lease().dividedBy(3), fal.longestCall().plusSeconds(5));
        this.jobs = jobs;
        this.stepper = stepper;
        this.properties = properties;
        this.turns = turns;
        this.limits = limits;
        this.clock = clock;
    }

    @Override
    protected List<ClaimedJob> claim(String owner, int limit) {
        lookForWaitingTurns();
        return jobs.claim(owner, limit, properties.lease());
    }

    /**
     * Every poll-max-interval on the gateway's clock (or at once when the clock went back), the waiting trainings whose
     * turn at fal has come are made due: the backstop of the nudges that a freed slot or a changed limit sends.
     */
    private void lookForWaitingTurns() {
        Instant now = clock.instant();
        if (lastTurnLook != null && !now.isBefore(lastTurnLook) && now.isBefore(lastTurnLook.plus(properties.pollMaxInterval()))) {
            return;
        }
        lastTurnLook = now;
        try {
            limits.offerWaitingTurns();
        }
        catch (DataAccessException e) {
            log.debug("Could not look for waiting trainings whose turn has come: {}", e.getMessage());
        }
    }

    @Override
    protected void handle(ClaimedJob job) {
        MDC.put(LogFields.TRAINING_ID, job.trainingId());
        try {
            turns.step(() -> stepper.step(job));
        }
        catch (ClaimExpired e) {
            log.info("Step of training {} ended: its claim was taken over", job.trainingId());
        }
        catch (RuntimeException e) {
            log.warn("Step of training {} failed; it is retried when its lease runs out", job.trainingId(), e);
        }
        finally {
            // Cleared, not removed key by key: the stepper adds the fal request id once it knows it.
            MDC.clear();
        }
    }

    @Override
    protected void renew(List<ClaimedJob> inFlight) {
        jobs.renew(inFlight, properties.lease());
    }

    @Override
    protected void handBack(List<ClaimedJob> unfinished) {
        jobs.handBack(unfinished);
    }

    @Override
    protected boolean runsHere() {
        if (!properties.enabled()) {
            log.info("Tracker disabled on this instance");
        }
        return properties.enabled();
    }
}
