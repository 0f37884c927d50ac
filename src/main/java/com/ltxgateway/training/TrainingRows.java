package com.ltxgateway.training;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The training table in plain statements where Hibernate's entity handling cost several times the statement itself:
 * a new training's insert, and trainings read to be shown (the API's reads, the list, the dashboard). Each runs in the
 * caller's transaction if there is one and in autocommit otherwise. Every change after the insert goes through the
 * entity, loaded for update ({@link TrainingTransitions}).
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

    /** {@code sql} selects every column of training; its parameters are positional. */
    List<Training> query(String sql, List<?> parameters) {
        return jdbc.sql(sql).params(parameters).query(TRAINING).list();
    }

    static Instant instant(ResultSet row, String column) throws SQLException {
        Timestamp value = row.getTimestamp(column);
        return value == null ? null : value.toInstant();
    }
}
