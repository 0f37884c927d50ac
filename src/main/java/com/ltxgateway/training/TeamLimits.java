package com.ltxgateway.training;

import java.sql.Timestamp;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import com.ltxgateway.access.TeamDirectory;
import com.ltxgateway.access.TeamNotFound;
import com.ltxgateway.audit.AuditLog;
import com.ltxgateway.training.FairTurns.Occupancy;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Each team's limit on its live trainings at fal at once, as admins set it, with what the team has at fal and waiting. */
@Service
public class TeamLimits {

    private final JdbcClient jdbc;
    private final FairTurns turns;
    private final TeamDirectory teams;
    private final AuditLog auditLog;
    private final Clock clock;

    TeamLimits(JdbcClient jdbc, FairTurns turns, TeamDirectory teams, AuditLog auditLog, Clock clock) {
        this.jdbc = jdbc;
        this.turns = turns;
        this.teams = teams;
        this.auditLog = auditLog;
        this.clock = clock;
    }

    /**
     * A team's turns at fal.
     *
     * @param maxConcurrent the team's limit; null when it has none
     * @param accountMaxConcurrent the account's limit ({@code gateway.fal.max-concurrent}); null when it has none
     * @param atFal its live trainings submitted and not finished
     * @param waiting its trainings waiting for a turn
     */
    public record Limits(@Nullable Integer maxConcurrent, @Nullable Integer accountMaxConcurrent, int atFal, int waiting) {
    }

    /** Sets or replaces the team's limit; trainings it now lets through are submitted at once. */
    @Transactional
    public Limits set(String actor, String slug, int maxConcurrent) {
        UUID team = teams.idOf(slug).orElseThrow(() -> new TeamNotFound(slug));
        jdbc.sql("""
                insert into team_limit (team_id, max_concurrent, updated_at, updated_by) values (?, ?, ?, ?)
                on conflict (team_id) do update set max_concurrent = excluded.max_concurrent,
                    updated_at = excluded.updated_at, updated_by = excluded.updated_by""")
                .params(team, maxConcurrent, Timestamp.from(clock.instant()), actor)
                .update();
        auditLog.record(actor, "team.limits_set", "team:" + slug + " max_concurrent:" + maxConcurrent);
        turns.offerSlots(team);
        return of(team);
    }

    @Transactional(readOnly = true)
    public Limits get(String slug) {
        return of(teams.idOf(slug).orElseThrow(() -> new TeamNotFound(slug)));
    }

    /** Removes the team's limit; its waiting trainings are submitted as the account's limit allows. */
    @Transactional
    public void remove(String actor, String slug) {
        UUID team = teams.idOf(slug).orElseThrow(() -> new TeamNotFound(slug));
        if (jdbc.sql("delete from team_limit where team_id = ?").param(team).update() > 0) {
            auditLog.record(actor, "team.limits_removed", "team:" + slug);
            turns.offerSlots(team);
        }
    }

    /**
     * Makes due the waiting trainings whose turn has come. Every change that frees a slot does so itself; the tracker
     * also asks every {@code gateway.tracker.poll-max-interval}, in case an instance died before it could.
     */
    public void offerWaitingTurns() {
        turns.offerWaiting();
    }

    /** The limits and figures of every team that has a limit or live trainings unfinished, by team id. */
    @Transactional(readOnly = true)
    public Map<UUID, Limits> all() {
        Map<UUID, Integer> limits = jdbc.sql("select team_id, max_concurrent from team_limit")
                .query((rs, n) -> Map.entry(rs.getObject("team_id", UUID.class), rs.getInt("max_concurrent")))
                .list().stream().collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        Map<UUID, Occupancy> occupancy = turns.occupancy(null);
        Map<UUID, Limits> all = new HashMap<>();
        limits.keySet().forEach(team -> all.put(team, limits(limits.get(team), occupancy.getOrDefault(team, new Occupancy(0, 0)))));
        occupancy.forEach((team, now) -> all.put(team, limits(limits.get(team), now)));
        return all;
    }

    private Limits of(UUID team) {
        Integer limit = jdbc.sql("select max_concurrent from team_limit where team_id = ?").param(team).query(Integer.class)
                .optional().orElse(null);
        return limits(limit, turns.occupancy(team).getOrDefault(team, new Occupancy(0, 0)));
    }

    private Limits limits(@Nullable Integer teamLimit, Occupancy now) {
        int account = turns.accountLimit();
        return new Limits(teamLimit, account > 0 ? account : null, now.atFal(), now.waiting());
    }
}
