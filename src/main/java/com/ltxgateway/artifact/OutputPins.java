package com.ltxgateway.artifact;

import java.sql.Timestamp;
import java.time.Clock;

import com.ltxgateway.access.Caller;
import com.ltxgateway.audit.AuditLog;
import com.ltxgateway.training.TrainingAdministration;
import com.ltxgateway.training.TrainingService;
import com.ltxgateway.training.TrainingView;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Pins keep a succeeded training's output copies past {@code gateway.artifacts.retention}: the LoRA a product ships
 * with, say. Pinning and unpinning are audited and idempotent; a pin keeps its first author and time.
 */
@Service
public class OutputPins {

    private final JdbcClient jdbc;
    private final TrainingService trainings;
    private final TrainingAdministration administration;
    private final AuditLog auditLog;
    private final Clock clock;

    OutputPins(JdbcClient jdbc, TrainingService trainings, TrainingAdministration administration, AuditLog auditLog, Clock clock) {
        this.jdbc = jdbc;
        this.trainings = trainings;
        this.administration = administration;
        this.auditLog = auditLog;
        this.clock = clock;
    }

    /**
     * @throws com.ltxgateway.training.TrainingNotFound when the caller may not see the training
     * @throws TrainingNotSucceeded when it has not succeeded
     */
    @Transactional
    public TrainingView pin(Caller caller, String trainingId) {
        pin(caller.actor(), trainings.get(caller, trainingId));
        return trainings.get(caller, trainingId);
    }

    /** @throws com.ltxgateway.training.TrainingNotFound when the caller may not see the training */
    @Transactional
    public TrainingView unpin(Caller caller, String trainingId) {
        trainings.requireVisible(caller, trainingId);
        unpin(caller.actor(), trainingId);
        return trainings.get(caller, trainingId);
    }

    /**
     * For admins, who see every team's trainings (the dashboard).
     *
     * @throws com.ltxgateway.training.TrainingNotFound when there is no such training
     * @throws TrainingNotSucceeded when it has not succeeded
     */
    @Transactional
    public void pinForAdmin(String actor, String trainingId) {
        pin(actor, administration.get(trainingId));
    }

    /** @throws com.ltxgateway.training.TrainingNotFound when there is no such training */
    @Transactional
    public void unpinForAdmin(String actor, String trainingId) {
        unpin(actor, administration.get(trainingId).id());
    }

    private void pin(String actor, TrainingView training) {
        if (!training.status().equals("succeeded")) {
            throw new TrainingNotSucceeded(training.id(), training.status());
        }
        int pinned = jdbc.sql("insert into output_pin (training_id, pinned_by, pinned_at) values (?, ?, ?) on conflict do nothing")
                .params(training.id(), actor, Timestamp.from(clock.instant()))
                .update();
        if (pinned == 1) {
            auditLog.record(actor, "training.pinned", "training:" + training.id());
        }
    }

    private void unpin(String actor, String trainingId) {
        if (jdbc.sql("delete from output_pin where training_id = ?").param(trainingId).update() == 1) {
            auditLog.record(actor, "training.unpinned", "training:" + trainingId);
        }
    }
}
