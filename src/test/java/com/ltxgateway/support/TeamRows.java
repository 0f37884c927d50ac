package com.ltxgateway.support;

import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;

/** Teams written straight to the database, for tests below the API that need a team to own their rows. */
public final class TeamRows {

    private TeamRows() {
    }

    /** A new team with a slug of its own; returns its id. */
    public static UUID insert(JdbcClient jdbc) {
        UUID team = UUID.randomUUID();
        jdbc.sql("insert into team (id, slug, name, created_at) values (?, ?, 'T', now())")
                .params(team, "t-" + team.toString().substring(0, 8)).update();
        return team;
    }
}
