package com.ltxgateway.tracking;

import com.ltxgateway.training.SubmissionSettled;
import com.ltxgateway.training.SubmitTurnsDue;
import com.ltxgateway.training.TrainingCancelRequested;
import com.ltxgateway.training.TrainingCreated;
import com.ltxgateway.training.TrainingStatusChanged;

import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.event.TransactionPhase;
import org.springframework.transaction.event.TransactionalEventListener;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Keeps the work queue in step with the trainings, inside the transactions that change them: a training is never
 * stored without its job, a finished one keeps none, and one that needs the tracker now (a cancel, a settled submit)
 * is due at once.
 */
@Component
class TrackingJobListener {

    private final TrackingJobs jobs;
    private final Tracker tracker;
    private final TransactionTemplate ownTransaction;

    TrackingJobListener(TrackingJobs jobs, Tracker tracker, PlatformTransactionManager transactionManager) {
        this.jobs = jobs;
        this.tracker = tracker;
        this.ownTransaction = new TransactionTemplate(transactionManager);
        this.ownTransaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
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

    /**
     * Waiting trainings whose turn at fal has come are stepped at once, by whichever instance claims first. Only after
     * the commit, each job in a transaction of its own: a turn decision holds the turns' lock and its own job's row, so
     * nudging other jobs inside it could wait in a circle with another decision.
     */
    @TransactionalEventListener(phase = TransactionPhase.AFTER_COMMIT)
    void on(SubmitTurnsDue event) {
        event.trainingIds().forEach(id -> ownTransaction.executeWithoutResult(tx -> jobs.nudge(id)));
        tracker.wakeUp();
    }
}
