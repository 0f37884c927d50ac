package com.ltxgateway.access;

import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.stereotype.Service;

/** Team look-ups for the other features, which know teams only by id and slug. */
@Service
public class TeamDirectory {

    private final TeamRepository teams;
    private final Map<UUID, String> slugs = new ConcurrentHashMap<>();

    TeamDirectory(TeamRepository teams) {
        this.teams = teams;
    }

    public Optional<UUID> idOf(String slug) {
        return teams.bySlug(slug).map(Team::id);
    }

    /** Slugs never change, so once read they are kept. */
    public Optional<String> slugOf(UUID id) {
        String cached = slugs.get(id);
        if (cached != null) {
            return Optional.of(cached);
        }
        Optional<String> slug = teams.byId(id).map(Team::slug);
        slug.ifPresent(s -> slugs.put(id, s));
        return slug;
    }
}
