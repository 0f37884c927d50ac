package com.ltxgateway.access;

import static com.ltxgateway.Timestamps.instant;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The api_key table. Each statement runs in the caller's transaction if there is one and in autocommit otherwise. */
@Repository
class ApiKeyRepository {

    private static final RowMapper<ApiKey> KEY = (row, number) -> new ApiKey(row.getObject("id", UUID.class),
            row.getObject("team_id", UUID.class), row.getString("role"), row.getString("mode"), row.getString("name"),
            row.getString("prefix"), row.getBytes("secret_sha256"), row.getBoolean("bootstrap"), instant(row, "created_at"),
            instant(row, "last_used_at"), instant(row, "revoked_at"));

    private final JdbcClient jdbc;

    ApiKeyRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    void insert(ApiKey key) {
        jdbc.sql("""
                insert into api_key (id, team_id, role, mode, name, prefix, secret_sha256, bootstrap, created_at)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?)""")
                .params(key.id(), key.teamId(), key.role(), key.mode() == null ? null : key.mode().wireName(), key.name(),
                        key.prefix(), key.secretSha256(), key.bootstrap(), Timestamp.from(key.createdAt()))
                .update();
    }

    Optional<ApiKey> byId(UUID id) {
        return jdbc.sql("select * from api_key where id = ?").param(id).query(KEY).optional();
    }

    Optional<ApiKey> bySecret(byte[] secretSha256) {
        return jdbc.sql("select * from api_key where secret_sha256 = ?").param(secretSha256).query(KEY).optional();
    }

    /** A team's keys, oldest first. */
    List<ApiKey> ofTeam(UUID teamId) {
        return jdbc.sql("select * from api_key where team_id = ? order by created_at, id").param(teamId).query(KEY).list();
    }

    List<ApiKey> activeBootstrapKeys() {
        return jdbc.sql("select * from api_key where bootstrap and revoked_at is null").query(KEY).list();
    }

    /**
     * Revokes {@code key} at {@code now}, and shows it on {@code key}. Returns false when it was revoked already, also
     * by another admin a moment ago: the row decides, not the copy in hand.
     */
    boolean revoke(ApiKey key, Instant now) {
        boolean revoked = jdbc.sql("update api_key set revoked_at = ? where id = ? and revoked_at is null")
                .params(Timestamp.from(now), key.id()).update() == 1;
        if (revoked) {
            key.revoke(now);
        }
        return revoked;
    }
}
