package com.ltxgateway.access;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/** Turns a presented bearer key into a {@link Caller}, or nothing for unknown and revoked keys. */
@Component
class ApiKeyAuthenticator {

    /** last_used_at is for humans; writing it on every request would double the write load of the API. */
    private static final Duration LAST_USED_RESOLUTION = Duration.ofMinutes(1);

    private final ApiKeyRepository keys;
    private final TeamRepository teams;
    private final Clock clock;

    ApiKeyAuthenticator(ApiKeyRepository keys, TeamRepository teams, Clock clock) {
        this.keys = keys;
        this.teams = teams;
        this.clock = clock;
    }

    @Transactional
    Optional<Caller> authenticate(String presentedKey) {
        return keys.findBySecretSha256(ApiKeySecret.digest(presentedKey))
                .filter(key -> !key.isRevoked())
                .flatMap(key -> {
                    touch(key);
                    if (key.isAdmin()) {
                        return Optional.of(new Caller(key.id(), key.prefix(), true, null, null, null));
                    }
                    return teams.findById(key.teamId())
                            .map(team -> new Caller(key.id(), key.prefix(), false, team.id(), team.slug(), key.mode()));
                });
    }

    private void touch(ApiKey key) {
        Instant now = clock.instant();
        if (key.lastUsedAt() == null || key.lastUsedAt().isBefore(now.minus(LAST_USED_RESOLUTION))) {
            keys.touch(key.id(), now);
        }
    }
}
