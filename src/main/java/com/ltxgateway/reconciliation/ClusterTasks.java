package com.ltxgateway.reconciliation;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * Work that one instance at a time does for all of them, in the {@code cluster_task} table: each task is one row,
 * claimed under a lease like a tracking job (so a dead instance's run is taken over once the lease runs out), with
 * the state a run leaves for the next (how far it has read).
 */
@Component
class ClusterTasks {

    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final Clock clock;

    ClusterTasks(JdbcClient jdbc, JsonMapper json, Clock clock) {
        this.jdbc = jdbc;
        this.json = json;
        this.clock = clock;
    }

    record ClaimedTask(String name, String owner, long claim, JsonNode state) {
    }

    /** Claims the task if it is due and free; the first claim of a task creates its row. */
    @Transactional
    List<ClaimedTask> claim(String name, String owner, Duration lease) {
        Instant now = clock.instant();
        jdbc.sql("insert into cluster_task (name, due_at) values (?, ?) on conflict do nothing")
                .params(name, Timestamp.from(now))
                .update();
        return jdbc.sql("""
                update cluster_task set lease_owner = ?, lease_until = ?, claim_count = claim_count + 1, last_run_at = ?
                where name = (select name from cluster_task
                              where name = ? and due_at <= ? and (lease_until is null or lease_until < ?)
                              for update skip locked)
                returning claim_count, state""")
                .params(owner, Timestamp.from(now.plus(lease)), Timestamp.from(now), name, Timestamp.from(now), Timestamp.from(now))
                .query((rs, n) -> new ClaimedTask(name, owner, rs.getLong("claim_count"), json.readTree(rs.getString("state"))))
                .list();
    }

    @Transactional
    void renew(ClaimedTask task, Duration lease) {
        jdbc.sql("update cluster_task set lease_until = ? where name = ? and lease_owner = ? and claim_count = ?")
                .params(Timestamp.from(clock.instant().plus(lease)), task.name(), task.owner(), task.claim())
                .update();
    }

    /** The run is over: due again after {@code next}, with the state it leaves and its error, if any. */
    @Transactional
    void finish(ClaimedTask task, JsonNode state, Duration next, String error) {
        jdbc.sql("""
                update cluster_task set due_at = ?, state = cast(? as jsonb), last_error = ?, lease_owner = null, lease_until = null
                where name = ? and lease_owner = ? and claim_count = ?""")
                .params(Timestamp.from(clock.instant().plus(next)), json.writeValueAsString(state), error == null || error.length() <= 500 ? error : error.substring(0, 500),
                        task.name(), task.owner(), task.claim())
                .update();
    }

    @Transactional
    void handBack(ClaimedTask task) {
        jdbc.sql("update cluster_task set lease_owner = null, lease_until = null where name = ? and lease_owner = ? and claim_count = ?")
                .params(task.name(), task.owner(), task.claim())
                .update();
    }
}
