package com.ltxgateway.training;

import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.function.Function;

import com.ltxgateway.Timestamps;

import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.SqlParameterValue;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The trainings the current transaction holds under their row lock, and the one way a change to a training is
 * written: the columns it changed, in one update, when {@link #flush()} is called and at the latest before the
 * transaction commits. Every writer of a training (transitions, timeline notes, billing) locks it here, so writers of
 * one training queue at its row and none writes over another's change. The lock is PostgreSQL's {@code FOR NO KEY
 * UPDATE}, the one an update of the row takes: rows that refer to the training (its timeline, its copies, its jobs)
 * are written by others meanwhile.
 * <p>
 * This is a persistence context for one table, kept by hand because Hibernate's cost several times the statements
 * themselves on the path every training takes a handful of times (loading the locked row into an entity, the dirty
 * check and the update built column by column on each flush). As with Hibernate's, a training locked twice in one
 * transaction is the same object, and a transaction suspended for a new one keeps its trainings to itself.
 */
@Component
class LockedTrainings {

    /** Every column a training's methods change, with its value as it is bound. */
    private static final List<Column> CHANGEABLE = List.of(
            Column.text("status", training -> training.status().wireName()),
            Column.text("fal_request_id", Training::falRequestId),
            Column.text("fal_status_url", Training::falStatusUrl),
            Column.text("fal_response_url", Training::falResponseUrl),
            Column.text("fal_cancel_url", Training::falCancelUrl),
            Column.integer("queue_position", Training::queuePosition),
            Column.json("output", Training::output),
            Column.json("error", Training::error),
            Column.instant("cancel_requested_at", Training::cancelRequestedAt),
            Column.instant("submit_attempted_at", Training::submitAttemptedAt),
            Column.integer("submit_attempts", Training::submitAttempts),
            Column.instant("submit_unconfirmed_at", Training::submitUnconfirmedAt),
            Column.instant("fal_unreachable_since", Training::falUnreachableSince),
            Column.integer("log_lines", Training::logLines),
            new Column("cost_usd", Types.NUMERIC, "?", Training::costUsd),
            Column.text("waiting_reason", training -> training.waitingReason() == null ? null : training.waitingReason().wireName()),
            Column.instant("submitted_at", Training::submittedAt),
            Column.instant("started_at", Training::startedAt),
            Column.instant("finished_at", Training::finishedAt));

    private static final RowMapper<Locked> LOCKED = (row, number) -> new Locked(Training.read(row));

    private final JdbcClient jdbc;

    LockedTrainings(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * The training with its row locked until the transaction ends, for a caller whose fence holds. The fence is
     * checked after the lock, inside the caller's transaction, so the caller's claim cannot be taken over between the
     * check and the change that follows it.
     *
     * @throws TrainingNotFound when there is no such training
     * @throws IllegalStateException outside a transaction
     */
    Training lock(String id, Fence fence) {
        Map<String, Locked> locked = lockedInThisTransaction();
        Locked training = locked.get(id);
        if (training == null) {
            training = jdbc.sql("select * from training where id = ? for no key update").param(id)
                    .query(LOCKED).optional()
                    .orElseThrow(() -> new TrainingNotFound(id));
            locked.put(id, training);
        }
        fence.check();
        return training.training;
    }

    /** The training that follows fal's request {@code requestId}, locked as by {@link #lock}, if there is one. */
    Optional<Training> lockFollowing(String requestId) {
        Map<String, Locked> locked = lockedInThisTransaction();
        // What this transaction changed is written first, so that the query finds what its trainings follow now.
        flush();
        return jdbc.sql("select * from training where fal_request_id = ? for no key update").param(requestId)
                .query(LOCKED).optional()
                .map(training -> locked.computeIfAbsent(training.training.id(), id -> training).training);
    }

    /**
     * Writes what changed in the trainings this transaction locked: before a statement or a listener that reads their
     * rows. A no-op when nothing changed.
     */
    void flush() {
        @SuppressWarnings("unchecked")
        Map<String, Locked> locked = (Map<String, Locked>) TransactionSynchronizationManager.getResource(this);
        if (locked != null) {
            locked.values().forEach(this::write);
        }
    }

    private void write(Locked locked) {
        Object[] values = Column.values(locked.training);
        StringJoiner assignments = new StringJoiner(", ", "update training set ", " where id = ?");
        List<Object> parameters = new ArrayList<>();
        for (int index = 0; index < values.length; index++) {
            if (!Objects.equals(values[index], locked.written[index])) {
                Column column = CHANGEABLE.get(index);
                assignments.add(column.name + " = " + column.placeholder);
                parameters.add(new SqlParameterValue(column.sqlType, values[index]));
            }
        }
        if (!parameters.isEmpty()) {
            parameters.add(locked.training.id());
            jdbc.sql(assignments.toString()).params(parameters).update();
            locked.written = values;
        }
    }

    private Map<String, Locked> lockedInThisTransaction() {
        if (!TransactionSynchronizationManager.isSynchronizationActive()) {
            throw new IllegalStateException("a training is locked for a change only inside a transaction");
        }
        @SuppressWarnings("unchecked")
        Map<String, Locked> locked = (Map<String, Locked>) TransactionSynchronizationManager.getResource(this);
        if (locked == null) {
            locked = new LinkedHashMap<>();
            TransactionSynchronizationManager.bindResource(this, locked);
            TransactionSynchronizationManager.registerSynchronization(new WrittenBeforeCommit(locked));
        }
        return locked;
    }

    /** Binds the transaction's trainings to it alone: an inner transaction (REQUIRES_NEW) starts with none. */
    private final class WrittenBeforeCommit implements TransactionSynchronization {

        private final Map<String, Locked> locked;

        WrittenBeforeCommit(Map<String, Locked> locked) {
            this.locked = locked;
        }

        @Override
        public void suspend() {
            TransactionSynchronizationManager.unbindResource(LockedTrainings.this);
        }

        @Override
        public void resume() {
            TransactionSynchronizationManager.bindResource(LockedTrainings.this, locked);
        }

        @Override
        public void beforeCommit(boolean readOnly) {
            locked.values().forEach(LockedTrainings.this::write);
        }

        @Override
        public void afterCompletion(int status) {
            TransactionSynchronizationManager.unbindResourceIfPossible(LockedTrainings.this);
        }
    }

    /** A training as this transaction locked it, and its changeable columns as the row holds them now. */
    private static final class Locked {

        private final Training training;
        private Object[] written;

        Locked(Training training) {
            this.training = training;
            this.written = Column.values(training);
        }
    }

    private record Column(String name, int sqlType, String placeholder, Function<Training, Object> value) {

        static Column text(String name, Function<Training, Object> value) {
            return new Column(name, Types.VARCHAR, "?", value);
        }

        static Column integer(String name, Function<Training, Object> value) {
            return new Column(name, Types.INTEGER, "?", value);
        }

        /** Sent as text for PostgreSQL to parse: only when it changed, which is why columns are written one by one. */
        static Column json(String name, Function<Training, Object> value) {
            return new Column(name, Types.VARCHAR, "cast(? as jsonb)", value);
        }

        static Column instant(String name, Function<Training, Instant> value) {
            return new Column(name, Types.TIMESTAMP, "?", training -> Timestamps.timestamp(value.apply(training)));
        }

        static Object[] values(Training training) {
            Object[] values = new Object[CHANGEABLE.size()];
            for (int index = 0; index < values.length; index++) {
                values[index] = CHANGEABLE.get(index).value.apply(training);
            }
            return values;
        }
    }
}
