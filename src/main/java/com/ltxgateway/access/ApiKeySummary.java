package com.ltxgateway.access;

import java.time.Instant;
import java.util.UUID;

/**
 * An API key as admins see it: never its secret.
 *
 * @param team the owning team's slug; null for admin keys
 * @param mode null for admin keys
 */
public record ApiKeySummary(UUID id, String team, String name, KeyMode mode, boolean admin, String prefix,
        Instant createdAt, Instant lastUsedAt, Instant revokedAt) {

    static ApiKeySummary of(ApiKey key, String teamSlug) {
        return new ApiKeySummary(key.id(), teamSlug, key.name(), key.mode(), key.isAdmin(), key.prefix(),
                key.createdAt(), key.lastUsedAt(), key.revokedAt());
    }

    public boolean revoked() {
        return revokedAt != null;
    }
}
