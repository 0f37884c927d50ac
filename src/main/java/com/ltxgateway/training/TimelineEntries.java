package com.ltxgateway.training;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;

import com.ltxgateway.Hashing;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The stored entries of the trainings' timelines (table {@code training_event}): state changes, fal log lines, cancel
 * requests, fal errors, fal's webhook deliveries, webhook deliveries to teams. Log lines carry a digest key so the
 * repeats fal sends on every status reading are stored once. Writes join the caller's transaction.
 */
@Component
class TimelineEntries {

    static final String STATE_CHANGED = "state_changed";
    static final String LOG = "log";
    static final String CANCEL_REQUESTED = "cancel_requested";
    static final String FAL_UNAVAILABLE = "fal_unavailable";
    static final String SUBMIT_RETRIED = "submit_retried";
    static final String DUPLICATE_REQUEST = "duplicate_request";
    static final String SUBMIT_UNCONFIRMED = "submit_unconfirmed";
    static final String WAITING_FOR_TURN = "waiting_for_turn";
    static final String FAL_WEBHOOK = "fal_webhook";
    static final String WEBHOOK_DELIVERY = "webhook_delivery";

    private final JdbcClient jdbc;

    TimelineEntries(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** {@code status} is the training's on state changes, a delivery's on webhook deliveries, else null. */
    void append(String trainingId, String type, Instant at, String status, String message) {
        jdbc.sql("insert into training_event (training_id, type, at, status, message) values (?, ?, ?, ?, ?)")
                .params(trainingId, type, Timestamp.from(at), status, message)
                .update();
    }

    /**
     * Stores fal's log lines {@code from, from + 1, ...} in one statement. fal repeats every line on each status
     * reading; the digest key makes storing them idempotent, so a reading that overlaps an earlier one adds nothing
     * twice.
     */
    void appendLogs(String trainingId, Instant at, int from, List<LogLine> lines) {
        String[] messages = new String[lines.size()];
        String[] keys = new String[lines.size()];
        for (int i = 0; i < lines.size(); i++) {
            LogLine line = lines.get(i);
            messages[i] = line.message();
            // fal's timestamp tells repeated messages apart; without one, the position in fal's list has to.
            String identity = (line.timestamp() != null ? line.timestamp() : "#" + (from + i)) + "\n" + line.message();
            keys[i] = Hashing.sha256Hex(identity);
        }
        jdbc.sql("""
                insert into training_event (training_id, type, at, message, dedup_key)
                select ?, ?, ?, line.message, line.dedup_key from unnest(cast(? as text[]), cast(? as text[])) with ordinality as line(message, dedup_key, n)
                order by line.n
                on conflict (training_id, dedup_key) where dedup_key is not null do nothing""")
                .params(trainingId, LOG, Timestamp.from(at), messages, keys)
                .update();
    }

    List<TimelineEntry> of(String trainingId) {
        return jdbc.sql("select type, at, status, message from training_event where training_id = ? order by id")
                .param(trainingId)
                .query(TimelineEntries::entry)
                .list();
    }

    /** The entries of one type only, in order: fal's log lines, say, without the rest of the timeline. */
    List<TimelineEntry> of(String trainingId, String type) {
        return jdbc.sql("select type, at, status, message from training_event where training_id = ? and type = ? order by id")
                .params(trainingId, type)
                .query(TimelineEntries::entry)
                .list();
    }

    private static TimelineEntry entry(ResultSet rs, int row) throws SQLException {
        return new TimelineEntry(rs.getString("type"), rs.getTimestamp("at").toInstant(), rs.getString("status"), rs.getString("message"));
    }
}
