package com.ltxgateway.training;

import java.sql.Timestamp;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The training table's inserts and reads. Each runs in the caller's transaction if there is one and in autocommit
 * otherwise; a read inside a transaction that changed trainings sees the changes once {@link LockedTrainings#flush()}
 * wrote them. Every change after the insert is {@link LockedTrainings}'s.
 */
@Component
class TrainingRows {

    private static final RowMapper<Training> TRAINING = (row, number) -> Training.read(row);

    private final JdbcClient jdbc;

    TrainingRows(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Stores a training made with {@code new Training(...)}: pending, never submitted. */
    void insert(Training training) {
        jdbc.sql("""
                insert into training (id, team_id, mode, status, input, number_of_steps, unit_price_usd, estimated_cost_usd,
                                      metadata, webhook_url, priority, dataset_id, created_at)
                values (?, ?, ?, ?, cast(? as jsonb), ?, ?, ?, cast(? as jsonb), ?, ?, ?, ?)""")
                .params(training.id(), training.teamId(), training.mode(), training.status().wireName(), training.input(),
                        training.numberOfSteps(), training.unitPriceUsd(), training.estimatedCostUsd(), training.metadata(),
                        training.webhookUrl(), training.priority().wireName(), training.datasetId(),
                        Timestamp.from(training.createdAt()))
                .update();
    }

    Optional<Training> find(String id) {
        return jdbc.sql("select * from training where id = ?").param(id).query(TRAINING).optional();
    }

    Optional<UUID> teamOf(String id) {
        return jdbc.sql("select team_id from training where id = ?").param(id).query(UUID.class).optional();
    }

    /** Pending trainings with a submit attempt that is in flight or unconfirmed, oldest attempt first. */
    List<Training> openSubmits() {
        return jdbc.sql("""
                select * from training
                where status = 'pending' and fal_request_id is null and submit_attempted_at is not null
                order by submit_attempted_at""").query(TRAINING).list();
    }

    /** Up to {@code limit} of a team's trainings waiting for a turn at fal, oldest first. */
    List<Training> waiting(UUID teamId, int limit) {
        return jdbc.sql("""
                select * from training
                where team_id = ? and status = 'pending' and waiting_reason is not null
                order by created_at, id limit ?""").params(teamId, limit).query(TRAINING).list();
    }

    /** {@code sql} selects every column of training; its parameters are positional. */
    List<Training> query(String sql, List<?> parameters) {
        return jdbc.sql(sql).params(parameters).query(TRAINING).list();
    }
}
