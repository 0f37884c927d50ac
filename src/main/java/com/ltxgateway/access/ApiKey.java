package com.ltxgateway.access;

import java.time.Instant;
import java.util.UUID;

/** A bearer key of a team's or an admin's; only the digest of its secret is kept ({@link ApiKeyRepository}). */
class ApiKey {

    private static final String TEAM_ROLE = "team";
    private static final String ADMIN_ROLE = "admin";

    private final UUID id;
    private final UUID teamId;
    private final String role;
    private final String mode;
    private final String name;
    private final String prefix;
    private final byte[] secretSha256;
    private final boolean bootstrap;
    private final Instant createdAt;
    private final Instant lastUsedAt;
    private Instant revokedAt;

    /** A key as its row holds it. */
    ApiKey(UUID id, UUID teamId, String role, String mode, String name, String prefix, byte[] secretSha256,
            boolean bootstrap, Instant createdAt, Instant lastUsedAt, Instant revokedAt) {
        this.id = id;
        this.teamId = teamId;
        this.role = role;
        this.mode = mode;
        this.name = name;
        this.prefix = prefix;
        this.secretSha256 = secretSha256;
        this.bootstrap = bootstrap;
        this.createdAt = createdAt;
        this.lastUsedAt = lastUsedAt;
        this.revokedAt = revokedAt;
    }

    private ApiKey(UUID teamId, String role, KeyMode mode, String name, ApiKeySecret secret, boolean bootstrap,
            Instant createdAt) {
        this(UUID.randomUUID(), teamId, role, mode == null ? null : mode.wireName(), name, secret.prefix(), secret.sha256(),
                bootstrap, createdAt, null, null);
    }

    static ApiKey forTeam(Team team, String name, KeyMode mode, ApiKeySecret secret, Instant now) {
        return new ApiKey(team.id(), TEAM_ROLE, mode, name, secret, false, now);
    }

    static ApiKey admin(String name, ApiKeySecret secret, boolean bootstrap, Instant now) {
        return new ApiKey(null, ADMIN_ROLE, null, name, secret, bootstrap, now);
    }

    /** Only as {@link ApiKeyRepository#revoke} stores it. */
    void revoke(Instant now) {
        if (revokedAt == null) {
            revokedAt = now;
        }
    }

    boolean isRevoked() {
        return revokedAt != null;
    }

    boolean isAdmin() {
        return ADMIN_ROLE.equals(role);
    }

    UUID id() {
        return id;
    }

    UUID teamId() {
        return teamId;
    }

    String role() {
        return role;
    }

    byte[] secretSha256() {
        return secretSha256;
    }

    boolean bootstrap() {
        return bootstrap;
    }

    KeyMode mode() {
        return mode == null ? null : KeyMode.fromWireName(mode);
    }

    String name() {
        return name;
    }

    String prefix() {
        return prefix;
    }

    Instant createdAt() {
        return createdAt;
    }

    Instant lastUsedAt() {
        return lastUsedAt;
    }

    Instant revokedAt() {
        return revokedAt;
    }
}
