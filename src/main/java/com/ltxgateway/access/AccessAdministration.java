package com.ltxgateway.access;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

import com.ltxgateway.audit.AuditLog;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Teams and their API keys, as admins manage them through the admin API and the dashboard; every change is audited
 * with the acting admin.
 */
@Service
public class AccessAdministration {

    private final TeamRepository teams;
    private final ApiKeyRepository keys;
    private final AuditLog auditLog;
    private final ApiKeyRevocations revocations;
    private final Clock clock;

    AccessAdministration(TeamRepository teams, ApiKeyRepository keys, AuditLog auditLog, ApiKeyRevocations revocations,
            Clock clock) {
        this.revocations = revocations;
        this.teams = teams;
        this.keys = keys;
        this.auditLog = auditLog;
        this.clock = clock;
    }

    /** {@code actor} is who the audit log names: an API key or a dashboard user. */
    @Transactional
    public TeamSummary createTeam(String actor, String slug, String name) {
        Team team = new Team(slug, name, now());
        if (!teams.insert(team)) {
            throw new TeamSlugTaken(slug);
        }
        auditLog.record(actor, "team.created", "team:" + slug);
        return TeamSummary.of(team);
    }

    @Transactional(readOnly = true)
    public List<TeamSummary> teams() {
        return teams.allBySlug().stream().map(TeamSummary::of).toList();
    }

    @Transactional(readOnly = true)
    public TeamSummary team(String slug) {
        return teams.bySlug(slug).map(TeamSummary::of).orElseThrow(() -> new TeamNotFound(slug));
    }

    @Transactional
    public IssuedKey createKey(String actor, String teamSlug, String name, KeyMode mode) {
        Team team = teams.bySlug(teamSlug).orElseThrow(() -> new TeamNotFound(teamSlug));
        var secret = ApiKeySecret.generate(mode == KeyMode.LIVE ? "live" : "sbx");
        ApiKey key = ApiKey.forTeam(team, name, mode, secret, now());
        keys.insert(key);
        auditLog.record(actor, "api_key.created", "api-key:" + key.prefix() + " team:" + teamSlug);
        return new IssuedKey(ApiKeySummary.of(key, team.slug()), secret.plaintext());
    }

    @Transactional(readOnly = true)
    public List<ApiKeySummary> keysOf(String teamSlug) {
        Team team = teams.bySlug(teamSlug).orElseThrow(() -> new TeamNotFound(teamSlug));
        return keys.ofTeam(team.id()).stream().map(key -> ApiKeySummary.of(key, teamSlug)).toList();
    }

    @Transactional(readOnly = true)
    public ApiKeySummary key(UUID keyId) {
        return summary(keys.byId(keyId).orElseThrow(() -> new ApiKeyNotFound(keyId.toString())));
    }

    @Transactional
    public ApiKeySummary revokeKey(String actor, UUID keyId) {
        ApiKey key = keys.byId(keyId).orElseThrow(() -> new ApiKeyNotFound(keyId.toString()));
        if (revocations.revoke(key, now())) {
            auditLog.record(actor, "api_key.revoked", "api-key:" + key.prefix());
        }
        return summary(key);
    }

    private ApiKeySummary summary(ApiKey key) {
        return ApiKeySummary.of(key, key.teamId() == null ? null : teams.byId(key.teamId()).map(Team::slug).orElse(null));
    }

    /** PostgreSQL keeps microseconds: a time shown when something is created must equal the one read back later. */
    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    /** A freshly created key: the only moment its plaintext exists outside the caller's hands. */
    public record IssuedKey(ApiKeySummary key, String plaintext) {

        @Override
        public String toString() {
            return "IssuedKey[prefix=" + key.prefix() + "]";
        }
    }
}
