package com.ltxgateway.training;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import com.ltxgateway.training.TurnOrder.Turn;
import com.ltxgateway.training.TurnOrder.Waiting;

import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Turns at fal under the teams' and the account's limits, decided from the trainings in the database at the moment a
 * submit is about to be made, so every replica decides alike and no decision rests on memory. A decision holds an
 * advisory lock until its transaction ends (the account's when the account is limited, else the team's), and the
 * submit attempt it permits is written in that transaction: two replicas can never both take the last slot. Without
 * limits, a decision reads the team's limit and locks nothing.
 */
@Component
class FairTurns {

    /** The advisory lock key space of turn decisions; the second key is 0 for the account or the team's hash. */
    private static final int LOCK_SPACE = 0x7475726e;

    /**
     * Positions are read again at most once a second per scope: a training's view is polled (by its team, the
     * dashboard, fal's client through the gateway), and each reading reads every unfinished live training of the scope.
     * A decision on this instance makes them stale at once; one on another replica shows within the second.
     */
    private static final long POSITIONS_FRESH_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Map<UUID, PositionsRead> recentPositions = new ConcurrentHashMap<>();

    private final JdbcClient jdbc;
    private final FairTurnProperties properties;
    private final ApplicationEventPublisher publisher;

    FairTurns(JdbcClient jdbc, FairTurnProperties properties, ApplicationEventPublisher publisher) {
        this.jdbc = jdbc;
        this.properties = properties;
        this.publisher = publisher;
    }

    /**
     * Whether the training may be submitted now, in the transaction that begins its submit; empty when it may. When it
     * may not but others may, those are announced as due, so a free slot never waits for their next scheduled step.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    Optional<WaitingReason> decide(Training training) {
        if (!"live".equals(training.mode())) {
            return Optional.empty();
        }
        Optional<Snapshot> snapshot = snapshot(training.teamId(), true);
        if (snapshot.isEmpty()) {
            return Optional.empty();
        }
        List<Turn> turns = snapshot.get().turns();
        Turn own = turns.stream().filter(turn -> turn.id().equals(training.id())).findFirst()
                // Not among the waiting (a canceled one is never submitted): no turn is decided for it.
                .orElse(new Turn(training.id(), 0, null));
        if (own.goes()) {
            return Optional.empty();
        }
        announce(turns);
        return Optional.of(own.reason());
    }

    /** A live training finished: the slot it held, if it held one, may be someone else's turn now. */
    @Transactional(propagation = Propagation.MANDATORY)
    void offerSlots(Training finished) {
        if ("live".equals(finished.mode())) {
            offerSlots(finished.teamId());
        }
    }

    /** A slot may have been freed (or limits changed) for the team's trainings: the ones that may go now are announced. */
    @Transactional(propagation = Propagation.MANDATORY)
    void offerSlots(UUID teamId) {
        recentPositions.clear();
        Optional<Snapshot> snapshot = snapshot(teamId, false);
        if (snapshot.isPresent()) {
            announce(snapshot.get().turns());
            return;
        }
        // Nothing limits the team (any more): whatever of it still waits may go.
        List<String> unlimited = jdbc.sql("select id from training where team_id = ? and status = 'pending' and waiting_reason is not null")
                .param(teamId).query(String.class).list();
        if (!unlimited.isEmpty()) {
            publisher.publishEvent(new SubmitTurnsDue(unlimited));
        }
    }

    /**
     * Announces again the waiting trainings whose turn has come, in case an announcement was lost (an instance died
     * between its commit and its nudges). One look for all of them, instead of each waiting training asking for its turn
     * on a timer of its own: a sweep of thousands waits at no cost.
     */
    @Transactional
    void offerWaiting() {
        List<UUID> teams = jdbc.sql("select distinct team_id from training where status = 'pending' and waiting_reason is not null")
                .query(UUID.class).list();
        (properties.maxConcurrent() > 0 ? teams.stream().limit(1) : teams.stream()).forEach(this::offerSlots);
    }

    /** The positions of waiting trainings in the gateway's queue: the account's when it is limited, else each team's. */
    @Transactional(readOnly = true)
    Map<String, Integer> positions(Collection<Training> waiting) {
        List<UUID> scopes = waiting.stream().map(Training::teamId).distinct().toList();
        if (properties.maxConcurrent() > 0 && !scopes.isEmpty()) {
            scopes = List.of(scopes.getFirst());
        }
        Map<String, Integer> positions = new HashMap<>();
        scopes.forEach(team -> positions.putAll(recentPositions.compute(team, (scope, read) ->
                read != null && System.nanoTime() - read.readAt() < POSITIONS_FRESH_NANOS ? read : readPositions(scope)).positions()));
        return positions;
    }

    private record PositionsRead(long readAt, Map<String, Integer> positions) {
    }

    private PositionsRead readPositions(UUID team) {
        Map<String, Integer> positions = new HashMap<>();
        snapshot(team, false).ifPresent(snapshot -> snapshot.turns().forEach(turn -> positions.put(turn.id(), turn.position())));
        return new PositionsRead(System.nanoTime(), positions);
    }

    /** The live trainings at fal and waiting for a turn, per team: {@code team}'s only, or every team's when null. */
    @Transactional(readOnly = true)
    Map<UUID, Occupancy> occupancy(@Nullable UUID team) {
        return jdbc.sql("""
                select team_id,
                       count(*) filter (where %s) as at_fal,
                       count(*) filter (where waiting_reason is not null) as waiting
                from training where status in ('pending', 'queued', 'running') and mode = 'live'
                    and (cast(? as uuid) is null or team_id = ?)
                group by team_id""".formatted(AT_FAL))
                .params(team, team)
                .query((rs, n) -> Map.entry(rs.getObject("team_id", UUID.class),
                        new Occupancy(rs.getInt("at_fal"), rs.getInt("waiting"))))
                .list().stream().collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    record Occupancy(int atFal, int waiting) {
    }

    int accountLimit() {
        return properties.maxConcurrent();
    }

    private void announce(List<Turn> turns) {
        List<String> due = turns.stream().filter(Turn::goes).map(Turn::id).toList();
        if (!due.isEmpty()) {
            publisher.publishEvent(new SubmitTurnsDue(due));
        }
    }

    /** A submit may have reached fal and the training has not finished: it holds a slot. */
    private static final String AT_FAL = "fal_request_id is not null or submit_attempted_at is not null or status <> 'pending'";

    private record Snapshot(List<Turn> turns) {
    }

    /** The turns that decide for {@code teamId}'s trainings: every team's when the account is limited; empty when nothing limits them. */
    private Optional<Snapshot> snapshot(UUID teamId, boolean lock) {
        boolean accountWide = properties.maxConcurrent() > 0;
        if (lock) {
            recentPositions.clear();
        }
        Map<UUID, Integer> limits = limits(accountWide ? null : teamId);
        if (!accountWide && limits.isEmpty()) {
            return Optional.empty();
        }
        if (lock) {
            jdbc.sql("select pg_advisory_xact_lock(?, ?)")
                    .params(LOCK_SPACE, accountWide ? 0 : teamId.hashCode())
                    .query((rs, n) -> 1).list();
        }
        Map<UUID, Integer> atFal = new HashMap<>();
        Map<UUID, Instant> lastTurns = new HashMap<>();
        List<Waiting> waiting = new ArrayList<>();
        jdbc.sql("""
                select id, team_id, priority = 'low' as low, created_at, (%s) as at_fal, cancel_requested_at is not null as canceling,
                       coalesce(submit_attempted_at, submitted_at, created_at) as turn_taken_at
                from training
                where status in ('pending', 'queued', 'running') and mode = 'live' and (cast(? as uuid) is null or team_id = ?)"""
                .formatted(AT_FAL))
                .params(accountWide ? null : teamId, accountWide ? null : teamId)
                .query(rs -> {
                    UUID team = rs.getObject("team_id", UUID.class);
                    if (rs.getBoolean("at_fal")) {
                        atFal.merge(team, 1, Integer::sum);
                        lastTurns.merge(team, rs.getTimestamp("turn_taken_at").toInstant(), (a, b) -> a.isAfter(b) ? a : b);
                    }
                    else if (!rs.getBoolean("canceling")) {
                        Timestamp created = rs.getTimestamp("created_at");
                        waiting.add(new Waiting(rs.getString("id"), team, rs.getBoolean("low"), created.toInstant()));
                    }
                });
        return Optional.of(new Snapshot(TurnOrder.of(waiting, atFal, lastTurns, limits, properties.maxConcurrent())));
    }

    private Map<UUID, Integer> limits(@Nullable UUID teamId) {
        return jdbc.sql("select team_id, max_concurrent from team_limit where cast(? as uuid) is null or team_id = ?")
                .params(teamId, teamId)
                .query((rs, n) -> Map.entry(rs.getObject("team_id", UUID.class), rs.getInt("max_concurrent")))
                .list().stream().collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }
}
