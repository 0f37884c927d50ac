package com.ltxgateway.access;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

@Entity
@Table(name = "team")
class Team {

    @Id
    private UUID id;
    private String slug;
    private String name;
    private Instant createdAt;

    protected Team() {
    }

    Team(String slug, String name, Instant createdAt) {
        this.id = UUID.randomUUID();
        this.slug = slug;
        this.name = name;
        this.createdAt = createdAt;
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
