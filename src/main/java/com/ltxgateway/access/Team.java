package com.ltxgateway.access;

import java.time.Instant;
import java.util.UUID;

/** A team: the unit trainings, keys, budgets and turns at fal belong to. Its slug never changes. */
class Team {

    private final UUID id;
    private final String slug;
    private final String name;
    private final Instant createdAt;

    Team(UUID id, String slug, String name, Instant createdAt) {
        this.id = id;
        this.slug = slug;
        this.name = name;
        this.createdAt = createdAt;
    }

    Team(String slug, String name, Instant createdAt) {
        this(UUID.randomUUID(), slug, name, createdAt);
    }

    UUID id() {
        return id;
    }

    String slug() {
        return slug;
    }

    String name() {
        return name;
    }

    Instant createdAt() {
        return createdAt;
    }
}
