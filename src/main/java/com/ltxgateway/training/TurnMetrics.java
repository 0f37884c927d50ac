package com.ltxgateway.training;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.ToIntFunction;

import com.ltxgateway.access.TeamDirectory;
import com.ltxgateway.training.TeamLimits.Limits;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Each team's live trainings at fal and waiting for a turn ({@code gateway_turns_at_fal}, {@code gateway_turns_waiting},
 * tagged with the team's slug), read every 30 seconds rather than on every scrape: the figures an alert on a team held
 * back by its limit, or an account at its limit, needs. Teams with nothing unfinished and no limit drop out.
 */
@Component
class TurnMetrics {

    private static final Logger log = LoggerFactory.getLogger(TurnMetrics.class);

    private final TeamLimits limits;
    private final TeamDirectory teams;
    private final MultiGauge atFal;
    private final MultiGauge waiting;

    TurnMetrics(TeamLimits limits, TeamDirectory teams, MeterRegistry meters) {
        this.limits = limits;
        this.teams = teams;
        this.atFal = MultiGauge.builder("gateway.turns.at.fal").description("A team's live trainings submitted to fal and not finished")
                .register(meters);
        this.waiting = MultiGauge.builder("gateway.turns.waiting").description("A team's trainings waiting for a turn at fal")
                .register(meters);
    }

    @Scheduled(initialDelay = 0, fixedDelayString = "PT30S")
    void sample() {
        Map<UUID, Limits> all;
        try {
            all = limits.all();
        }
        catch (DataAccessException e) {
            // The last sample stays; readiness reports the database's outage itself.
            log.debug("Could not sample the turns at fal: {}", e.getMessage());
            return;
        }
        atFal.register(rows(all, Limits::atFal), true);
        waiting.register(rows(all, Limits::waiting), true);
    }

    private List<MultiGauge.Row<?>> rows(Map<UUID, Limits> all, ToIntFunction<Limits> value) {
        return all.entrySet().stream()
                .<MultiGauge.Row<?>>map(entry -> MultiGauge.Row.of(Tags.of("team", teams.slugOf(entry.getKey()).orElse("unknown")),
                        value.applyAsInt(entry.getValue())))
                .toList();
    }
}
