package com.ltxgateway.training;

import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;

import com.ltxgateway.Amounts;
import com.ltxgateway.access.TeamDirectory;

import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * What a team's live trainings created in a period cost, derived from the trainings themselves whenever it is asked:
 * no running total to reset when a period ends, none to drift from the rows it would sum. Sandbox trainings cost
 * nothing.
 */
@Service
public class TeamSpend {

    private final JdbcClient jdbc;
    private final TeamDirectory teams;

    TeamSpend(JdbcClient jdbc, TeamDirectory teams) {
        this.jdbc = jdbc;
        this.teams = teams;
    }

    /**
     * @param spentUsd what the period's finished trainings cost: fal's billed amount where known, otherwise the estimate
     * of a succeeded one (fal bills successes) and nothing for a failed or canceled one
     * @param reservedUsd the estimates of the period's trainings that have not finished yet
     */
    public record Figures(BigDecimal spentUsd, BigDecimal reservedUsd) {

        public BigDecimal totalUsd() {
            return spentUsd.add(reservedUsd);
        }
    }

    private static final String FIGURES = """
            coalesce(sum(coalesce(cost_usd, case when status = 'succeeded' then estimated_cost_usd else 0 end))
                     filter (where status in ('succeeded', 'failed', 'canceled')), 0) as spent,
            coalesce(sum(estimated_cost_usd) filter (where status in ('pending', 'queued', 'running')), 0) as reserved""";

    // The period's trainings, one definition for the figures and for the ceiling that bounds them: a ceiling counted
    // over other rows than the figures would bound nothing.
    private static final String IN_PERIOD = " from training where team_id = ? and mode = 'live' and created_at >= ? and created_at < ?";

    // Its condition is the partial index's (V23), which holds only the trainings billed above their estimates.
    static final String BILLED_ABOVE_ESTIMATES = "select coalesce(sum(cost_usd - estimated_cost_usd), 0)" + IN_PERIOD
            + " and cost_usd > estimated_cost_usd";

    /** Trainings created from {@code from} (inclusive) to {@code to} (exclusive). Joins the caller's transaction. */
    public Figures of(UUID teamId, Instant from, Instant to) {
        return inPeriod("select " + FIGURES + IN_PERIOD, teamId, from, to).query((rs, n) -> figures(rs)).single();
    }

    /**
     * The estimates of every live training created from {@code from} to {@code to}, whatever became of them: what they
     * add to {@link #of}'s total at most, as long as fal bills none above its estimate.
     */
    public BigDecimal estimates(UUID teamId, Instant from, Instant to) {
        return inPeriod("select coalesce(sum(estimated_cost_usd), 0)" + IN_PERIOD, teamId, from, to).query(BigDecimal.class).single();
    }

    /**
     * What fal billed above the estimates of the live trainings created from {@code from} to {@code to}: with
     * {@link #estimates}, a total {@link #of}'s never exceeds. Rarely any, and read from an index of only those.
     */
    public BigDecimal billedAboveEstimates(UUID teamId, Instant from, Instant to) {
        return inPeriod(BILLED_ABOVE_ESTIMATES, teamId, from, to).query(BigDecimal.class).single();
    }

    private JdbcClient.StatementSpec inPeriod(String sql, UUID teamId, Instant from, Instant to) {
        return jdbc.sql(sql).params(teamId, Timestamp.from(from), Timestamp.from(to));
    }

    /**
     * What fal should have billed on one UTC day: the live trainings that succeeded that day, across all teams.
     *
     * @param estimatedUsd their estimates: what the gateway expects fal to bill
     */
    public record Succeeded(LocalDate day, long trainings, BigDecimal estimatedUsd) {
    }

    /** The live trainings that succeeded on each day from {@code from} to {@code to} (UTC, both included); days without any are left out. */
    public List<Succeeded> succeededByDay(LocalDate from, LocalDate to) {
        return jdbc.sql("""
                select (finished_at at time zone 'UTC')::date as day, count(*) as trainings, sum(estimated_cost_usd) as estimated
                from training
                where status = 'succeeded' and mode = 'live' and finished_at >= ? and finished_at < ?
                group by 1 order by 1""")
                .params(Timestamp.from(from.atStartOfDay(ZoneOffset.UTC).toInstant()),
                        Timestamp.from(to.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant()))
                .query((rs, n) -> new Succeeded(rs.getObject("day", LocalDate.class), rs.getLong("trainings"), rs.getBigDecimal("estimated")))
                .list();
    }

    /**
     * One line of a spend report: a team's live trainings created on {@code day} (or in the whole period when null).
     *
     * @param estimatedUsd the estimates of the trainings fal bills or may still bill: succeeded and unfinished ones
     * (fal bills neither failed nor canceled trainings)
     * @param billedUsd what fal's billing events have named so far for these trainings
     */
    public record Line(String team, @Nullable LocalDate day, long trainings, BigDecimal estimatedUsd, BigDecimal billedUsd) {
    }

    /**
     * The live trainings created from {@code from} to {@code to} (UTC days, both included), a line per team, or per
     * team and day with {@code byDay}; only {@code team}'s when it is given. Ordered by day, then team.
     */
    public List<Line> report(LocalDate from, LocalDate to, boolean byDay, @Nullable UUID team) {
        String day = "(created_at at time zone 'UTC')::date";
        List<Object> parameters = new ArrayList<>(List.of(Timestamp.from(from.atStartOfDay(ZoneOffset.UTC).toInstant()),
                Timestamp.from(to.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant())));
        if (team != null) {
            parameters.add(team);
        }
        List<Line> lines = jdbc.sql("select team_id" + (byDay ? ", " + day + " as day" : "") + ", count(*) as trainings,"
                        + " coalesce(sum(estimated_cost_usd) filter (where status not in ('failed', 'canceled')), 0) as estimated,"
                        + " coalesce(sum(cost_usd), 0) as billed"
                        + " from training where mode = 'live' and created_at >= ? and created_at < ?"
                        + (team != null ? " and team_id = ?" : "")
                        + " group by team_id" + (byDay ? ", " + day : ""))
                .params(parameters)
                .query((rs, n) -> new Line(teams.slugOf(rs.getObject("team_id", UUID.class)).orElse("?"),
                        byDay ? rs.getObject("day", LocalDate.class) : null, rs.getLong("trainings"),
                        Amounts.plain(rs.getBigDecimal("estimated")), Amounts.plain(rs.getBigDecimal("billed"))))
                .list();
        return lines.stream().sorted(Comparator.comparing(Line::day, Comparator.nullsFirst(Comparator.naturalOrder()))
                .thenComparing(Line::team)).toList();
    }

    private static Figures figures(ResultSet rs) throws SQLException {
        return new Figures(Amounts.plain(rs.getBigDecimal("spent")), Amounts.plain(rs.getBigDecimal("reserved")));
    }
}
