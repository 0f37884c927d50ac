package com.ltxgateway.training;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
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
