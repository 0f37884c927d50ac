package com.ltxgateway.artifact;

import java.sql.Timestamp;
import java.time.Clock;

import com.ltxgateway.training.TrainingOutputs;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Tells the rest of the gateway, once per training, that a succeeded training's outputs are settled, so that its
 * receivers hear of the success when they can download the files from the gateway.
 */
@Component
class OutputAnnouncements {

    private final JdbcClient jdbc;
    private final TrainingOutputs outputs;
    private final ApplicationEventPublisher events;
    private final Clock clock;

    OutputAnnouncements(JdbcClient jdbc, TrainingOutputs outputs, ApplicationEventPublisher events, Clock clock) {
        this.jdbc = jdbc;
        this.outputs = outputs;
        this.events = events;
        this.clock = clock;
    }

    /**
     * Makes the settling transactions of one training's copies take turns until they end. A training's copies are
     * mostly settled together, but one retried or taken over from a dead instance settles apart: without the turns, the
     * last two parts to settle could each see the other still pending, and neither would announce the training.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    void settlingOneAtATime(String trainingId) {
        jdbc.sql("select pg_advisory_xact_lock(hashtext('output-copy:' || ?))").param(trainingId).query((rs, n) -> 1).list();
    }

    /** Announces the training when none of its copies is pending any more. */
    @Transactional(propagation = Propagation.MANDATORY)
    void announceIfSettled(String trainingId) {
        boolean pending = jdbc.sql("select 1 from output_copy where training_id = ? and state = 'pending' limit 1").param(trainingId)
                .query(Integer.class).optional().isPresent();
        if (!pending) {
            announce(trainingId);
        }
    }

    /** Announces the training now, whatever its copies' state: their files then show as not stored. */
    @Transactional(propagation = Propagation.MANDATORY)
    void announce(String trainingId) {
        int first = jdbc.sql("insert into output_announcement (training_id, announced_at) values (?, ?) on conflict do nothing")
                .params(trainingId, Timestamp.from(clock.instant()))
                .update();
        if (first == 1) {
            events.publishEvent(outputs.settled(trainingId));
        }
    }
}
