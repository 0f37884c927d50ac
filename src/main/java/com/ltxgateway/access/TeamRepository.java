package com.ltxgateway.access;

import java.sql.Timestamp;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The team table. Each statement runs in the caller's transaction if there is one and in autocommit otherwise. */
@Repository
class TeamRepository {

    private static final RowMapper<Team> TEAM = (row, number) -> new Team(row.getObject("id", UUID.class), row.getString("slug"),
            row.getString("name"), row.getTimestamp("created_at").toInstant());

    private final JdbcClient jdbc;

    TeamRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Returns false, storing nothing, when the slug is taken: also by a create committed a moment ago. */
    boolean insert(Team team) {
        return jdbc.sql("insert into team (id, slug, name, created_at) values (?, ?, ?, ?) on conflict (slug) do nothing")
                .params(team.id(), team.slug(), team.name(), Timestamp.from(team.createdAt()))
                .update() == 1;
    }

    Optional<Team> bySlug(String slug) {
        return jdbc.sql("select * from team where slug = ?").param(slug).query(TEAM).optional();
    }

    Optional<Team> byId(UUID id) {
        return jdbc.sql("select * from team where id = ?").param(id).query(TEAM).optional();
    }

    List<Team> allBySlug() {
        return jdbc.sql("select * from team order by slug").query(TEAM).list();
    }
}
