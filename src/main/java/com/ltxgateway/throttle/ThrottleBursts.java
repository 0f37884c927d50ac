package com.ltxgateway.throttle;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Refusals grouped into bursts per subject: a burst starts with a refusal after a quiet window and goes on while
 * refusals keep coming, so a sustained attack is one audit row, not one per attempt. The count of a burst's refusals
 * is kept in {@code throttle_burst} for whoever investigates it.
 */
@Component
class ThrottleBursts {

    private final JdbcClient jdbc;
    private final Clock clock;

    ThrottleBursts(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** Counts a refusal of {@code subject}; true when it starts a burst. One statement, so replicas agree. */
    boolean refused(String subject, Duration quiet) {
        Instant now = clock.instant();
        int refusals = jdbc.sql("""
                insert into throttle_burst (subject, started_at, last_refused_at, refusals) values (:subject, :now, :now, 1)
                on conflict (subject) do update set
                    refusals = case when throttle_burst.last_refused_at < :quietSince then 1 else throttle_burst.refusals + 1 end,
                    started_at = case when throttle_burst.last_refused_at < :quietSince then excluded.started_at
                                      else throttle_burst.started_at end,
                    last_refused_at = excluded.last_refused_at
                returning refusals""")
                .param("subject", subject)
                .param("now", Timestamp.from(now))
                .param("quietSince", Timestamp.from(now.minus(quiet)))
                .query(Integer.class)
                .single();
        return refusals == 1;
    }

    /** Forgets bursts that ended more than {@code age} ago. */
    int removeEndedBefore(Duration age) {
        return jdbc.sql("delete from throttle_burst where last_refused_at < ?")
                .param(Timestamp.from(clock.instant().minus(age)))
                .update();
    }
}
