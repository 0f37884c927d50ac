package com.ltxgateway.tracking;

import com.ltxgateway.training.SubmissionSettled;
import com.ltxgateway.training.TrainingCancelRequested;
import com.ltxgateway.training.TrainingCreated;
import com.ltxgateway.training.TrainingStatusChanged;

import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionPhase;
import org.springframework.transaction.event.TransactionalEventListener;

/**
 * Keeps the work queue in step with the trainings, inside the transactions that change them: a training is never
 * stored without its job, a finished one keeps none, and one that needs the tracker now (a cancel, a settled submit)
 * is due at once.
 */
@Component
class TrackingJobListener {

    private final TrackingJobs jobs;
    private final Tracker tracker;

    TrackingJobListener(TrackingJobs jobs, Tracker tracker) {
        this.jobs = jobs;
        this.tracker = tracker;
    }

    @EventListener
    void on(TrainingCreated event) {
        jobs.add(event.trainingId());
    }

    @EventListener
    void on(TrainingCancelRequested event) {
        jobs.nudge(event.trainingId());
    }

    @EventListener
    void on(SubmissionSettled event) {
        jobs.nudge(event.trainingId());
    }

    @EventListener
    void on(TrainingStatusChanged event) {
        if (event.to().isTerminal()) {
            jobs.remove(event.trainingId());
        }
    }

    /** New work is picked up at once by the instance that accepted it, instead of at its next idle look. */
    @TransactionalEventListener(phase = TransactionPhase.AFTER_COMMIT)
    void wakeUp(TrainingCreated event) {
        tracker.wakeUp();
    }

    @TransactionalEventListener(phase = TransactionPhase.AFTER_COMMIT)
    void wakeUp(TrainingCancelRequested event) {
        tracker.wakeUp();
    }

    @TransactionalEventListener(phase = TransactionPhase.AFTER_COMMIT)
    void wakeUp(SubmissionSettled event) {
        tracker.wakeUp();
    }
}
