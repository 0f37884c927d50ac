package com.ltxgateway.access;

import java.time.Instant;
import java.util.UUID;

/** A team as admins see it. */
public record TeamSummary(UUID id, String slug, String name, Instant createdAt) {

    static TeamSummary of(Team team) {
        return new TeamSummary(team.id(), team.slug(), team.name(), team.createdAt());
    }
}
