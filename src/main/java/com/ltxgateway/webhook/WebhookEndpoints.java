package com.ltxgateway.webhook;

import static com.ltxgateway.Timestamps.instant;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** The endpoints teams registered. A deleted one keeps its row, so its deliveries still say where they went. */
@Component
class WebhookEndpoints {

    private static final String COLUMNS = "id, team_id, url, events, created_at, disabled_at, disabled_reason, deleted_at";

    private final JdbcClient jdbc;

    WebhookEndpoints(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    record Endpoint(UUID id, UUID teamId, String url, List<String> events, Instant createdAt, Instant disabledAt,
            String disabledReason, Instant deletedAt) {

        /** Why it takes no deliveries; null when it does. */
        String inactiveReason() {
            return deletedAt != null ? "the endpoint was deleted"
                    : disabledAt != null ? "the endpoint is disabled: " + disabledReason : null;
        }
    }

    Endpoint add(UUID teamId, String url, List<String> events, Instant now) {
        UUID id = UUID.randomUUID();
        jdbc.sql("insert into webhook_endpoint (id, team_id, url, events, created_at) values (?, ?, ?, ?, ?)")
                .params(id, teamId, url, events.toArray(String[]::new), Timestamp.from(now))
                .update();
        return new Endpoint(id, teamId, url, List.copyOf(events), now, null, null, null);
    }

    List<Endpoint> ofTeam(UUID teamId) {
        return jdbc.sql("select " + COLUMNS + " from webhook_endpoint where team_id = ? and deleted_at is null order by created_at, id")
                .param(teamId)
                .query(WebhookEndpoints::endpoint)
                .list();
    }

    Optional<Endpoint> find(UUID id) {
        return jdbc.sql("select " + COLUMNS + " from webhook_endpoint where id = ?")
                .param(id)
                .query(WebhookEndpoints::endpoint)
                .optional();
    }

    /** The team's endpoints that take deliveries of {@code type}. */
    List<Endpoint> subscribedTo(UUID teamId, WebhookEventType type) {
        return jdbc.sql("select " + COLUMNS + """
                 from webhook_endpoint
                where team_id = ? and ? = any(events) and disabled_at is null and deleted_at is null
                order by created_at, id""")
                .params(teamId, type.wireName()).query(WebhookEndpoints::endpoint).list();
    }

    /** Returns false when there is no such endpoint, or it was deleted already. */
    boolean delete(UUID id, Instant now) {
        return jdbc.sql("update webhook_endpoint set deleted_at = ? where id = ? and deleted_at is null")
                .params(Timestamp.from(now), id).update() == 1;
    }

    void disable(UUID id, Instant now, String reason) {
        jdbc.sql("update webhook_endpoint set disabled_at = ?, disabled_reason = ? where id = ? and disabled_at is null")
                .params(Timestamp.from(now), reason, id).update();
    }

    private static Endpoint endpoint(ResultSet rs, int row) throws SQLException {
        Array events = rs.getArray("events");
        return new Endpoint(rs.getObject("id", UUID.class), rs.getObject("team_id", UUID.class), rs.getString("url"),
                List.of((String[]) events.getArray()), instant(rs.getTimestamp("created_at")),
                instant(rs.getTimestamp("disabled_at")), rs.getString("disabled_reason"), instant(rs.getTimestamp("deleted_at")));
    }
}
