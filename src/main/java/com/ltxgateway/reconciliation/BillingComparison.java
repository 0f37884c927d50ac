package com.ltxgateway.reconciliation;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static com.ltxgateway.Amounts.plain;

import com.ltxgateway.DayRange;
import com.ltxgateway.fal.FalBillingEvent;
import com.ltxgateway.fal.FalPlatform;
import com.ltxgateway.training.TeamSpend;
import com.ltxgateway.training.TeamSpend.Succeeded;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * What fal billed each UTC day for the endpoint, from its billing events, against what the gateway expected it to bill:
 * the estimates of the live trainings that succeeded that day. A difference means fal billed a request no training
 * owns (a duplicate, a submit made outside the gateway), billed at another price than the estimate's, or has not
 * billed a success yet; the orphans page and the trainings' {@code cost_usd} tell which.
 */
@Service
public class BillingComparison {

    /** The period shown unless another is asked for: the last 30 days, today included. */
    private static final int RECENT_DAYS = 30;

    private final JdbcClient jdbc;
    private final TeamSpend spend;
    private final FalPlatform platform;
    private final Clock clock;

    BillingComparison(JdbcClient jdbc, TeamSpend spend, FalPlatform platform, Clock clock) {
        this.jdbc = jdbc;
        this.spend = spend;
        this.platform = platform;
        this.clock = clock;
    }

    /** The last 30 UTC days, today included. */
    public DayRange recent() {
        LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
        return new DayRange(today.minusDays(RECENT_DAYS - 1), today);
    }

    /**
     * One day of the comparison.
     *
     * @param trainings live trainings that succeeded that day
     * @param estimatedUsd their estimates
     * @param falRequests requests fal's billing events bill that day
     * @param falBilledUsd what they cost
     * @param differenceUsd fal's amount less the gateway's: positive when fal billed more
     */
    public record Day(LocalDate day, long trainings, BigDecimal estimatedUsd, long falRequests, BigDecimal falBilledUsd,
            BigDecimal differenceUsd) {

        public boolean matches() {
            return trainings == falRequests && differenceUsd.signum() == 0;
        }
    }

    /** Whether fal's billing events are read at all: only with an admin key. */
    public boolean billingRead() {
        return platform.enabled();
    }

    /** Every day of the period, newest first, days with neither side included. */
    @Transactional(readOnly = true)
    public List<Day> days(DayRange period) {
        LocalDate from = period.first();
        LocalDate to = period.last();
        Map<LocalDate, Succeeded> expected = spend.succeededByDay(from, to).stream()
                .collect(Collectors.toMap(Succeeded::day, Function.identity()));
        Map<LocalDate, Billed> billed = billed(from, to).stream().collect(Collectors.toMap(Billed::day, Function.identity()));
        List<Day> days = new ArrayList<>();
        for (LocalDate day = to; !day.isBefore(from); day = day.minusDays(1)) {
            Succeeded gateway = expected.getOrDefault(day, new Succeeded(day, 0, BigDecimal.ZERO));
            Billed fal = billed.getOrDefault(day, new Billed(day, 0, BigDecimal.ZERO));
            days.add(new Day(day, gateway.trainings(), plain(gateway.estimatedUsd()), fal.requests(), plain(fal.usd()),
                    plain(fal.usd().subtract(gateway.estimatedUsd()))));
        }
        return days;
    }

    /** Records a billing event as read; one already recorded is left as it is. Joins the caller's transaction. */
    void record(FalBillingEvent event, Instant now) {
        jdbc.sql("""
                insert into fal_billing_event (request_id, endpoint_id, billed_at, cost_usd, recorded_at) values (?, ?, ?, ?, ?)
                on conflict (request_id) do nothing""")
                .params(event.requestId(), event.endpointId(), Timestamp.from(event.timestamp()), event.costUsd(), Timestamp.from(now))
                .update();
    }

    private record Billed(LocalDate day, long requests, BigDecimal usd) {
    }

    private List<Billed> billed(LocalDate from, LocalDate to) {
        return jdbc.sql("""
                select (billed_at at time zone 'UTC')::date as day, count(*) as requests, sum(cost_usd) as usd
                from fal_billing_event where billed_at >= ? and billed_at < ? group by 1""")
                .params(Timestamp.from(from.atStartOfDay(ZoneOffset.UTC).toInstant()),
                        Timestamp.from(to.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant()))
                .query((rs, n) -> new Billed(rs.getObject("day", LocalDate.class), rs.getLong("requests"), rs.getBigDecimal("usd")))
                .list();
    }
}
