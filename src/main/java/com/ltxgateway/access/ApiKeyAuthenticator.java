package com.ltxgateway.access;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Turns a presented bearer key into a {@link Caller}, or nothing for unknown and revoked keys. It runs on every
 * API request: a key checked lately is answered from {@link ApiKeyCache}, any other with one indexed query in
 * autocommit, with no transaction around it.
 */
@Component
class ApiKeyAuthenticator {

    /** last_used_at is for humans; writing it on every request would double the write load of the API. */
    private static final Duration LAST_USED_RESOLUTION = Duration.ofMinutes(1);

    private final JdbcClient jdbc;
    private final ApiKeyCache cache;
    private final Clock clock;

    ApiKeyAuthenticator(JdbcClient jdbc, ApiKeyCache cache, Clock clock) {
        this.jdbc = jdbc;
        this.cache = cache;
        this.clock = clock;
    }

    Optional<Caller> authenticate(String presentedKey) {
        byte[] digest = ApiKeySecret.digest(presentedKey);
        String cacheKey = HexFormat.of().formatHex(digest);
        Optional<ApiKeyCache.Entry> key = cache.get(cacheKey, () -> load(digest));
        key.ifPresent(entry -> touch(cacheKey, entry));
        return key.map(ApiKeyCache.Entry::caller);
    }

    private Optional<ApiKeyCache.Entry> load(byte[] digest) {
        return jdbc.sql("""
                select k.id, k.prefix, k.role, k.mode, k.last_used_at, t.id as team_id, t.slug
                from api_key k left join team t on t.id = k.team_id
                where k.secret_sha256 = ? and k.revoked_at is null""")
                .param(digest)
                .query((rs, n) -> {
                    String mode = rs.getString("mode");
                    Timestamp lastUsed = rs.getTimestamp("last_used_at");
                    return new ApiKeyCache.Entry(new Caller(rs.getObject("id", UUID.class), rs.getString("prefix"),
                            "admin".equals(rs.getString("role")), rs.getObject("team_id", UUID.class), rs.getString("slug"),
                            mode == null ? null : KeyMode.fromWireName(mode)), lastUsed == null ? null : lastUsed.toInstant(), null);
                })
                .optional();
    }

    private void touch(String cacheKey, ApiKeyCache.Entry key) {
        Instant now = clock.instant();
        if (key.lastUsedAt() == null || key.lastUsedAt().isBefore(now.minus(LAST_USED_RESOLUTION))) {
            jdbc.sql("update api_key set last_used_at = ? where id = ?").params(Timestamp.from(now), key.caller().keyId()).update();
            cache.used(cacheKey, now);
        }
    }
}
