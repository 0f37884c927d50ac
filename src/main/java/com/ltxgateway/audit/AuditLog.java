package com.ltxgateway.audit;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/** Who did what, and when: every admin action, whether it came through the API or the dashboard. */
@Service
public class AuditLog {

    private final JdbcClient jdbc;
    private final Clock clock;

    AuditLog(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** Joins the caller's transaction, so an action and its record commit or roll back together. */
    @Transactional(propagation = Propagation.MANDATORY)
    public void record(String actor, String action, String target) {
        jdbc.sql("insert into audit_log (at, actor, action, target) values (?, ?, ?, ?)")
                .params(Timestamp.from(clock.instant()), actor, action, target)
                .update();
    }

    /** Newest first; {@code beforeId} continues after an entry, null starts at the newest. */
    @Transactional(readOnly = true)
    public List<AuditEntry> page(Long beforeId, int limit) {
        return jdbc.sql("""
                select id, at, actor, action, target from audit_log
                where (cast(? as bigint) is null or id < ?)
                order by id desc limit ?""")
                .params(beforeId, beforeId, limit)
                .query((rs, n) -> new AuditEntry(rs.getLong("id"), rs.getTimestamp("at").toInstant(),
                        rs.getString("actor"), rs.getString("action"), rs.getString("target")))
                .list();
    }

    public record AuditEntry(long id, Instant at, String actor, String action, String target) {
    }
}
