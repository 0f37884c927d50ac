package com.ltxgateway.access;

import java.time.Instant;
import java.util.UUID;

/** A team: the unit trainings, keys, budgets and turns at fal belong to. Its slug never changes. */
record Team(UUID id, String slug, String name, Instant createdAt) {

    Team(String slug, String name, Instant createdAt) {
        this(UUID.randomUUID(), slug, name, createdAt);
    }
}
