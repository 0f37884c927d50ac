package com.ltxgateway.budget;

import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.ltxgateway.access.TeamDirectory;
import com.ltxgateway.access.TeamNotFound;
import com.ltxgateway.audit.AuditLog;
import com.ltxgateway.training.SpendLimits;
import com.ltxgateway.training.TeamSpend;
import com.ltxgateway.training.TeamSpend.Figures;

import jakarta.annotation.PreDestroy;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Each team's monthly budget, as admins set it, and the check every create of a live training passes. A create
 * locks its team's budget row until its transaction ends, so concurrent creates of one team are checked one after
 * the other, each against what the ones before it stored: they can never together take the month over the budget.
 * Teams without a budget take no lock. The month is the current UTC calendar month, derived from the clock at each
 * question, so a new month starts without anything being reset.
 */
@Service
public class TeamBudgets implements SpendLimits {

    private static final Logger log = LoggerFactory.getLogger(TeamBudgets.class);

    private final JdbcClient jdbc;
    private final TeamSpend spend;
    private final TeamDirectory teams;
    private final AuditLog auditLog;
    private final Clock clock;
    private final ApplicationEventPublisher events;
    private final TransactionTemplate transactions;
    private final ExecutorService alerts = Executors.newVirtualThreadPerTaskExecutor();
    /** The month each team's exhaustion was last recorded for, so that a flood of refusals does not ask again. */
    private final Map<UUID, Instant> exhaustedSeen = new ConcurrentHashMap<>();

    TeamBudgets(JdbcClient jdbc, TeamSpend spend, TeamDirectory teams, AuditLog auditLog, Clock clock,
            ApplicationEventPublisher events, TransactionTemplate transactions) {
        this.jdbc = jdbc;
        this.spend = spend;
        this.teams = teams;
        this.auditLog = auditLog;
        this.clock = clock;
        this.events = events;
        this.transactions = transactions;
    }

    /**
     * A team's budget with the current month's figures.
     *
     * @param remainingUsd what creates may still reserve this month; never below zero, even when billed costs came out
     * above their estimates
     */
    public record Budget(BigDecimal monthlyUsd, int alertAtPercent, BigDecimal spentUsd, BigDecimal reservedUsd,
            BigDecimal remainingUsd, Instant periodStart, Instant resetsAt) {
    }

    private record Limit(BigDecimal monthlyUsd, int alertAtPercent) {
    }

    /**
     * @param estimatedFor the month {@code estimatedUsd} counts: the estimates of the live trainings created in it
     * @param alertedFor the month the alert was last sent for
     */
    private record Reservation(Limit limit, @Nullable LocalDate estimatedFor, @Nullable BigDecimal estimatedUsd,
            @Nullable LocalDate alertedFor) {
    }

    /** Lets the alerts being recorded finish before the database goes. */
    @PreDestroy
    void close() {
        alerts.close();
    }

    /** Sets or replaces the team's budget; {@code actor} is who the audit log names. */
    @Transactional
    public Budget set(String actor, String slug, BigDecimal monthlyUsd, int alertAtPercent) {
        UUID team = teams.idOf(slug).orElseThrow(() -> new TeamNotFound(slug));
        jdbc.sql("""
                        insert into team_budget (team_id, monthly_usd, alert_at_percent, updated_at, updated_by)
                        values (?, ?, ?, ?, ?)
                        on conflict (team_id) do update set monthly_usd = excluded.monthly_usd,
                            alert_at_percent = excluded.alert_at_percent, updated_at = excluded.updated_at,
                            updated_by = excluded.updated_by""")
                .params(team, monthlyUsd, alertAtPercent, Timestamp.from(clock.instant()), actor)
                .update();
        auditLog.record(actor, "team.budget_set",
                "team:" + slug + " monthly_usd:" + monthlyUsd.toPlainString() + " alert_at_percent:" + alertAtPercent);
        return budget(team, new Limit(monthlyUsd, alertAtPercent));
    }

    /** @throws BudgetNotFound when the team has none */
    @Transactional(readOnly = true)
    public Budget get(String slug) {
        return find(slug).orElseThrow(() -> new BudgetNotFound(slug));
    }

    /** The team's budget, if it has one. */
    @Transactional(readOnly = true)
    public Optional<Budget> find(String slug) {
        UUID team = teams.idOf(slug).orElseThrow(() -> new TeamNotFound(slug));
        return limit(team).map(limit -> budget(team, limit));
    }

    /** Every team's budget with this month's figures, by slug. */
    @Transactional(readOnly = true)
    public Map<String, Budget> all() {
        Map<String, Budget> all = new TreeMap<>();
        jdbc.sql("select team_id, monthly_usd, alert_at_percent from team_budget")
                .query((rs, n) -> Map.entry(rs.getObject("team_id", UUID.class), limit(rs)))
                .list()
                .forEach(limit -> teams.slugOf(limit.getKey()).ifPresent(slug -> all.put(slug, budget(limit.getKey(), limit.getValue()))));
        return all;
    }

    /** Leaves the team without a limit; removing a budget that is not there changes nothing. */
    @Transactional
    public void remove(String actor, String slug) {
        UUID team = teams.idOf(slug).orElseThrow(() -> new TeamNotFound(slug));
        if (jdbc.sql("delete from team_budget where team_id = ?").param(team).update() > 0) {
            auditLog.record(actor, "team.budget_removed", "team:" + slug);
        }
    }

    /**
     * Alerts the team, once a month, when this reservation takes the month to the alert percentage; a refusal
     * alerts it once a month too, after the refused create's transaction has rolled back.
     * <p>
     * A create far enough below both lines is let through on the month's ceiling, which costs two indexed reads
     * whatever the month holds; the month's trainings are summed only for one that comes near the alert or the budget.
     */
    @Override
    @Transactional(propagation = Propagation.MANDATORY)
    public void reserve(UUID teamId, BigDecimal usd) {
        Optional<Reservation> locked = lockForReservation(teamId);
        if (locked.isEmpty()) {
            return;
        }
        Limit limit = locked.get().limit();
        BudgetPeriod period = BudgetPeriod.containing(clock.instant());
        BigDecimal alertAt = limit.monthlyUsd().multiply(BigDecimal.valueOf(limit.alertAtPercent())).movePointLeft(2);
        BigDecimal ceilingAfter = ceiling(teamId, locked.get(), period).add(usd);
        boolean alerted = period.month().equals(locked.get().alertedFor());
        if (ceilingAfter.compareTo(limit.monthlyUsd()) <= 0 && (alerted || ceilingAfter.compareTo(alertAt) < 0)) {
            return;
        }
        Figures month = spend.of(teamId, period.start(), period.end());
        BigDecimal after = month.totalUsd().add(usd);
        if (after.compareTo(limit.monthlyUsd()) > 0) {
            if (!period.start().equals(exhaustedSeen.get(teamId))) {
                TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                    @Override
                    public void afterCompletion(int status) {
                        // On a thread of its own: this one still holds the refused create's connection until it
                        // returns, and under a burst of refusals the pool would run dry waiting for second ones.
                        alerts.execute(() -> exhaustedOnce(teamId, period));
                    }
                });
            }
            throw new BudgetExceeded(limit.monthlyUsd(), month, usd, period.end());
        }
        if (after.compareTo(alertAt) >= 0 && marked(teamId, "alerted_for", period)) {
            // The figures include this training's estimate: the alert is sent with the create that crossed the line.
            publish(teamId, BudgetAlert.Kind.ALERT, budget(limit, new Figures(month.spentUsd(), month.reservedUsd().add(usd)), period));
        }
    }

    /**
     * At least what the month has spent and reserved: the estimates of its live trainings, which every insert adds to
     * the budget row (V23), and whatever fal billed above an estimate. Counted afresh once a month, and for a budget
     * new since the last count.
     */
    private BigDecimal ceiling(UUID teamId, Reservation locked, BudgetPeriod period) {
        BigDecimal estimated = locked.estimatedUsd();
        if (estimated == null || !period.month().equals(locked.estimatedFor())) {
            estimated = spend.estimates(teamId, period.start(), period.end());
            jdbc.sql("update team_budget set estimated_for = ?, estimated_usd = ? where team_id = ?")
                    .params(period.month(), estimated, teamId)
                    .update();
        }
        return estimated.add(spend.billedAboveEstimates(teamId, period.start(), period.end()));
    }

    private void exhaustedOnce(UUID teamId, BudgetPeriod period) {
        try {
            transactions.executeWithoutResult(tx -> {
                if (marked(teamId, "exhausted_for", period)) {
                    limit(teamId).ifPresent(limit -> publish(teamId, BudgetAlert.Kind.EXHAUSTED, budget(teamId, limit)));
                }
            });
            exhaustedSeen.put(teamId, period.start());
        }
        catch (RuntimeException e) {
            // The refusal has been answered already; a refusal that follows records the alert instead.
            log.warn("Could not record that the budget of team {} is exhausted: {}", teamId, e.getMessage());
        }
    }

    /** Sets {@code column} to the period's first day unless it holds it already: true for the first time this month. */
    private boolean marked(UUID teamId, String column, BudgetPeriod period) {
        LocalDate month = period.month();
        return jdbc.sql("update team_budget set " + column + " = ? where team_id = ? and " + column + " is distinct from ?")
                .params(month, teamId, month)
                .update() > 0;
    }

    private void publish(UUID teamId, BudgetAlert.Kind kind, Budget budget) {
        teams.slugOf(teamId).ifPresent(slug -> events.publishEvent(new BudgetAlert(teamId, slug, kind, budget, clock.instant())));
    }

    @Override
    @Transactional(readOnly = true)
    public Optional<BigDecimal> remaining(UUID teamId) {
        return limit(teamId).map(limit -> budget(teamId, limit).remainingUsd());
    }

    private Budget budget(UUID team, Limit limit) {
        BudgetPeriod period = BudgetPeriod.containing(clock.instant());
        return budget(limit, spend.of(team, period.start(), period.end()), period);
    }

    private static Budget budget(Limit limit, Figures month, BudgetPeriod period) {
        BigDecimal remaining = limit.monthlyUsd().subtract(month.totalUsd()).max(BigDecimal.ZERO);
        return new Budget(limit.monthlyUsd(), limit.alertAtPercent(), month.spentUsd(), month.reservedUsd(), remaining,
                period.start(), period.end());
    }

    private Optional<Limit> limit(UUID team) {
        return jdbc.sql("select monthly_usd, alert_at_percent from team_budget where team_id = ?")
                .param(team)
                .query((rs, n) -> limit(rs))
                .optional();
    }

    /** The row stays locked until the transaction ends, which serializes the team's reservations. */
    private Optional<Reservation> lockForReservation(UUID team) {
        return jdbc.sql("select monthly_usd, alert_at_percent, estimated_for, estimated_usd, alerted_for from team_budget where team_id = ? for update")
                .param(team)
                .query((rs, n) -> new Reservation(limit(rs), rs.getObject("estimated_for", LocalDate.class),
                        rs.getBigDecimal("estimated_usd"), rs.getObject("alerted_for", LocalDate.class)))
                .optional();
    }

    private static Limit limit(ResultSet row) throws SQLException {
        return new Limit(row.getBigDecimal("monthly_usd"), row.getInt("alert_at_percent"));
    }
}
