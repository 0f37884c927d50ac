package com.ltxgateway.access;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

@Entity
@Table(name = "api_key")
class ApiKey {

    private static final String TEAM_ROLE = "team";
    private static final String ADMIN_ROLE = "admin";

    @Id
    private UUID id;
    private UUID teamId;
    @Column(name = "role")
    private String role;
    @Column(name = "mode")
    private String mode;
    private String name;
    private String prefix;
    @Column(name = "secret_sha256")
    private byte[] secretSha256;
    private boolean bootstrap;
    private Instant createdAt;
    private Instant lastUsedAt;
    private Instant revokedAt;

    protected ApiKey() {
    }

    private ApiKey(UUID teamId, String role, KeyMode mode, String name, ApiKeySecret secret, boolean bootstrap,
            Instant createdAt) {
        this.id = UUID.randomUUID();
        this.teamId = teamId;
        this.role = role;
        this.mode = mode == null ? null : mode.wireName();
        this.name = name;
        this.prefix = secret.prefix();
        this.secretSha256 = secret.sha256();
        this.bootstrap = bootstrap;
        this.createdAt = createdAt;
    }

    static ApiKey forTeam(Team team, String name, KeyMode mode, ApiKeySecret secret, Instant now) {
        return new ApiKey(team.id(), TEAM_ROLE, mode, name, secret, false, now);
    }

    static ApiKey admin(String name, ApiKeySecret secret, boolean bootstrap, Instant now) {
        return new ApiKey(null, ADMIN_ROLE, null, name, secret, bootstrap, now);
    }

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
