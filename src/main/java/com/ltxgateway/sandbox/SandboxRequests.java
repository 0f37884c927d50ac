package com.ltxgateway.sandbox;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

@Component
class SandboxRequests {

    private final JdbcClient jdbc;

    SandboxRequests(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Transactional
    void insert(SimulatedRequest request) {
        jdbc.sql("""
                insert into sandbox_request (request_id, input, webhook_url, fail, created_at, started_at, completed_at)
                values (?, cast(? as jsonb), ?, ?, ?, ?, ?)""")
                .params(request.id(), request.input(), request.webhookUrl(), request.fail(),
                        Timestamp.from(request.createdAt()), Timestamp.from(request.startedAt()),
                        Timestamp.from(request.completedAt()))
                .update();
    }

    @Transactional(readOnly = true)
    Optional<SimulatedRequest> find(UUID id) {
        return jdbc.sql("select * from sandbox_request where request_id = ?").param(id).query(SandboxRequests::map).optional();
    }

    /** Stops the simulated run now: a queued request never starts, a running one completes at once. */
    @Transactional
    void cancel(UUID id, Instant now) {
        jdbc.sql("""
                update sandbox_request set canceled_at = ?, completed_at = least(completed_at, ?),
                    started_at = least(started_at, ?)
                where request_id = ? and canceled_at is null""")
                .params(Timestamp.from(now), Timestamp.from(now), Timestamp.from(now), id)
                .update();
    }

    private static SimulatedRequest map(ResultSet rs, int row) throws SQLException {
        Timestamp canceled = rs.getTimestamp("canceled_at");
        return new SimulatedRequest(rs.getObject("request_id", UUID.class), rs.getString("input"),
                rs.getString("webhook_url"), rs.getBoolean("fail"), rs.getTimestamp("created_at").toInstant(),
                rs.getTimestamp("started_at").toInstant(), rs.getTimestamp("completed_at").toInstant(),
                canceled == null ? null : canceled.toInstant());
    }
}
