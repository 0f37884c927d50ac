package com.ltxgateway.training;

import java.time.Duration;
import java.util.Map;

import com.ltxgateway.support.Api.TeamKey;
import com.ltxgateway.support.SteppedGatewayTestSupport;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/** A team's trainings at fal and waiting for a turn, as Prometheus reads them. */
class TurnMetricsTests extends SteppedGatewayTestSupport {

    @Autowired
    TurnMetrics metrics;

    @Test
    void eachTeamsTrainingsAtFalAndWaitingAreGaugesTaggedWithItsSlug() {
        FAL.runDuration(Duration.ofHours(1));
        TeamKey team = api.newTeam(ADMIN_KEY, "live");
        api.send("PUT", "/v1/admin/teams/" + team.slug() + "/limits", ADMIN_KEY, "{\"max_concurrent\": 1}", Map.of());
        for (int i = 0; i < 3; i++) {
            create(team.key(), minimalRequest("https://example.com/turn-metrics/" + team.slug() + "/" + i + ".zip"));
        }
        runDueWork();

        metrics.sample();

        String scrape = api.get("/actuator/prometheus", null).text();
        assertThat(gauge(scrape, "gateway_turns_at_fal", team)).isEqualTo("1.0");
        assertThat(gauge(scrape, "gateway_turns_waiting", team)).isEqualTo("2.0");
    }

    private static String gauge(String scrape, String name, TeamKey team) {
        return scrape.lines().filter(line -> line.startsWith(name + "{") && line.contains("team=\"" + team.slug() + "\""))
                .map(line -> line.substring(line.lastIndexOf(' ') + 1)).findFirst().orElse(null);
    }
}
