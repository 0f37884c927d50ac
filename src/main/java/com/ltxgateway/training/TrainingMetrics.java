package com.ltxgateway.training;

import com.ltxgateway.access.KeyMode;
import com.ltxgateway.access.TeamDirectory;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionPhase;
import org.springframework.transaction.event.TransactionalEventListener;

/**
 * The trainings' meters. They count after commit, so a change that rolls back counts nothing. Tags stay few: modes,
 * statuses and team slugs (teams are a handful; keys and ids never become tags).
 */
@Component
class TrainingMetrics {

    // Not "created": Prometheus reserves the _created suffix and would drop it from the name.
    static final String CREATED = "gateway.trainings.creations";
    static final String FINISHED = "gateway.trainings.finished";
    static final String ESTIMATED_SPEND = "gateway.estimated.spend";

    private final MeterRegistry registry;
    private final TrainingRows trainings;
    private final TeamDirectory teams;

    TrainingMetrics(MeterRegistry registry, TrainingRows trainings, TeamDirectory teams) {
        this.registry = registry;
        this.trainings = trainings;
        this.teams = teams;
    }

    @TransactionalEventListener(phase = TransactionPhase.AFTER_COMMIT)
    void on(TrainingCreated event) {
        Counter.builder(CREATED)
                .description("Trainings accepted by the API")
                .tag("mode", event.mode())
                .register(registry)
                .increment();
    }

    @TransactionalEventListener(phase = TransactionPhase.AFTER_COMMIT)
    void on(TrainingStatusChanged event) {
        if (event.to().isTerminal()) {
            Counter.builder(FINISHED)
                    .description("Trainings that reached a final status")
                    .tag("status", event.to().wireName())
                    .register(registry)
                    .increment();
        }
        // Leaving pending for queued is fal accepting the request, whether its answer or its webhook said so first.
        if (event.from() == TrainingStatus.PENDING && event.to() == TrainingStatus.QUEUED) {
            trainings.find(event.trainingId())
                    .filter(training -> KeyMode.LIVE.wireName().equals(training.mode()))
                    .ifPresent(this::spent);
        }
    }

    private void spent(Training training) {
        Counter.builder(ESTIMATED_SPEND)
                .description("Estimated cost of live trainings fal accepted")
                .baseUnit("usd")
                .tag("team", teams.slugOf(training.teamId()).orElse("unknown"))
                .register(registry)
                .increment(training.estimatedCostUsd().doubleValue());
    }
}
