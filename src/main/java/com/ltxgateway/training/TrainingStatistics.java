package com.ltxgateway.training;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Figures over all trainings for the admin dashboard. Estimated spend counts live trainings that started running on
 * fal, at their estimated cost: fal bills the compute a run used, and sandbox trainings cost nothing.
 */
@Service
public class TrainingStatistics {

    private final JdbcClient jdbc;

    TrainingStatistics(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** @param spendSince start of the period {@link TeamTotals#spendSince()} covers */
    public record TeamTotals(long trainings, BigDecimal spend, BigDecimal spendSince) {

        public static final TeamTotals NONE = new TeamTotals(0, BigDecimal.ZERO, BigDecimal.ZERO);
    }

    /** How many trainings are in each status now, in lifecycle order. */
    @Transactional(readOnly = true)
    public Map<TrainingStatus, Long> countsByStatus() {
        Map<TrainingStatus, Long> counts = new EnumMap<>(TrainingStatus.class);
        for (TrainingStatus status : TrainingStatus.values()) {
            counts.put(status, 0L);
        }
        jdbc.sql("select status, count(*) as trainings from training group by status")
                .query((rs, n) -> counts.put(TrainingStatus.fromWireName(rs.getString("status")), rs.getLong("trainings")))
                .list();
        return counts;
    }

    /** Trainings created, and trainings that failed, in one period of an {@link #activity} series. */
    public record Bucket(Instant start, long submitted, long failed) {
    }

    /** The last {@code buckets} whole hours or days (UTC) up to and including the current one, oldest first. */
    @Transactional(readOnly = true)
    public List<Bucket> activity(Instant now, ChronoUnit unit, int buckets) {
        if (unit != ChronoUnit.HOURS && unit != ChronoUnit.DAYS) {
            throw new IllegalArgumentException("hours or days, not " + unit);
        }
        String field = unit == ChronoUnit.HOURS ? "hour" : "day";
        Instant first = now.truncatedTo(unit).minus(buckets - 1L, unit);
        Map<Instant, Long> submitted = countsBy(field, "created_at", "true", first);
        Map<Instant, Long> failed = countsBy(field, "finished_at", "status = 'failed'", first);
        List<Bucket> series = new ArrayList<>(buckets);
        for (int i = 0; i < buckets; i++) {
            Instant start = first.plus(i, unit);
            series.add(new Bucket(start, submitted.getOrDefault(start, 0L), failed.getOrDefault(start, 0L)));
        }
        return series;
    }

    /** {@code field}, {@code column} and {@code condition} are constants of this class, never input. */
    private Map<Instant, Long> countsBy(String field, String column, String condition, Instant since) {
        return jdbc.sql("select date_trunc('" + field + "', " + column + ", 'UTC') as bucket, count(*) as trainings"
                        + " from training where " + column + " >= ? and " + condition + " group by 1")
                .param(Timestamp.from(since))
                .query((rs, n) -> Map.entry(rs.getTimestamp("bucket").toInstant(), rs.getLong("trainings")))
                .list().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    /** A fal fault that was retried, as the training's timeline recorded it. */
    public record FalFault(String trainingId, Instant at, String message) {
    }

    /** The training waiting longest for fal: not yet accepted (pending) or accepted and queued. */
    public record Waiting(String trainingId, TrainingStatus status, Instant createdAt) {
    }

    /**
     * How fal has been doing: retried faults ({@code fal_unavailable}) in the last hour and day with the newest few,
     * how many trainings finished in the last day and how many of them failed, and the oldest training still waiting.
     */
    /**
     * @param unconfirmedSubmits trainings whose submit may be at fal with its answer lost, waiting for evidence
     * @param oldestUnconfirmed the one waiting longest (its time: since when it is unconfirmed), or null
     * @param unreachable trainings fal is failing for right now
     */
    public record FalHealth(long faultsLastHour, long faultsLastDay, List<FalFault> recentFaults, long finishedLastDay,
            long failedLastDay, Waiting oldestWaiting, long unconfirmedSubmits, Waiting oldestUnconfirmed, long unreachable) {
    }

    @Transactional(readOnly = true)
    public FalHealth falHealth(Instant now, int recentFaults) {
        Instant hourAgo = now.minus(1, ChronoUnit.HOURS);
        Instant dayAgo = now.minus(1, ChronoUnit.DAYS);
        long[] faults = jdbc.sql("""
                select count(*) filter (where at >= ?) as last_hour, count(*) as last_day
                from training_event where type = 'fal_unavailable' and at >= ?""")
                .params(Timestamp.from(hourAgo), Timestamp.from(dayAgo))
                .query((rs, n) -> new long[] { rs.getLong("last_hour"), rs.getLong("last_day") })
                .single();
        List<FalFault> recent = jdbc.sql("""
                select training_id, at, message from training_event where type = 'fal_unavailable'
                order by at desc limit ?""")
                .param(recentFaults)
                .query((rs, n) -> new FalFault(rs.getString("training_id"), rs.getTimestamp("at").toInstant(),
                        rs.getString("message")))
                .list();
        long[] finished = jdbc.sql("""
                select count(*) as finished, count(*) filter (where status = 'failed') as failed
                from training where finished_at >= ?""")
                .param(Timestamp.from(dayAgo))
                .query((rs, n) -> new long[] { rs.getLong("finished"), rs.getLong("failed") })
                .single();
        Waiting oldest = jdbc.sql("""
                select id, status, created_at from training where status in ('pending', 'queued')
                order by created_at limit 1""")
                .query((rs, n) -> new Waiting(rs.getString("id"), TrainingStatus.fromWireName(rs.getString("status")),
                        rs.getTimestamp("created_at").toInstant()))
                .optional().orElse(null);
        Waiting oldestUnconfirmed = jdbc.sql("""
                select id, status, submit_unconfirmed_at from training
                where status = 'pending' and fal_request_id is null and submit_attempted_at is not null
                  and submit_unconfirmed_at is not null
                order by submit_attempted_at limit 1""")
                .query((rs, n) -> new Waiting(rs.getString("id"), TrainingStatus.PENDING, rs.getTimestamp("submit_unconfirmed_at").toInstant()))
                .optional().orElse(null);
        long[] stuck = jdbc.sql("""
                select count(*) filter (where submit_unconfirmed_at is not null) as unconfirmed,
                       count(*) filter (where fal_unreachable_since is not null) as unreachable
                from training where submit_unconfirmed_at is not null or fal_unreachable_since is not null""")
                .query((rs, n) -> new long[] { rs.getLong("unconfirmed"), rs.getLong("unreachable") })
                .single();
        return new FalHealth(faults[0], faults[1], recent, finished[0], finished[1], oldest, stuck[0], oldestUnconfirmed, stuck[1]);
    }

    /** Per team id; teams without trainings are absent. */
    @Transactional(readOnly = true)
    public Map<UUID, TeamTotals> teamTotals(Instant spendSince) {
        return jdbc.sql("""
                select team_id, count(*) as trainings,
                       coalesce(sum(estimated_cost_usd) filter (where mode = 'live' and started_at is not null), 0) as spend,
                       coalesce(sum(estimated_cost_usd) filter (where mode = 'live' and started_at >= ?), 0) as spend_since
                from training group by team_id""")
                .param(Timestamp.from(spendSince))
                .query((rs, n) -> Map.entry(rs.getObject("team_id", UUID.class), new TeamTotals(rs.getLong("trainings"),
                        rs.getBigDecimal("spend"), rs.getBigDecimal("spend_since"))))
                .list().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }
}
