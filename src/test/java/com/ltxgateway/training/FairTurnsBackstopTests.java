package com.ltxgateway.training;

import java.time.Duration;
import java.util.Map;

import com.ltxgateway.support.Api.TeamKey;
import com.ltxgateway.support.SteppedGatewayTestSupport;

import tools.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A waiting training asks for its turn on no timer of its own; when the nudge that should have made it due is lost, the
 * tracker's look every poll-max-interval finds it.
 */
class FairTurnsBackstopTests extends SteppedGatewayTestSupport {

    @Test
    void aTurnWhoseNudgeWasLostIsTakenAtTheTrackersNextLook() {
        FAL.runDuration(Duration.ofHours(1));
        TeamKey team = api.newTeam(ADMIN_KEY, "live");
        api.send("PUT", "/v1/admin/teams/" + team.slug() + "/limits", ADMIN_KEY, "{\"max_concurrent\": 1}", Map.of());
        create(team.key(), minimalRequest("https://example.com/backstop/" + team.slug() + "/1.zip"));
        String waiting = create(team.key(), minimalRequest("https://example.com/backstop/" + team.slug() + "/2.zip")).get("id").asString();
        runDueWork();
        assertThat(training(team.key(), waiting).get("waiting_reason").asString()).isEqualTo("team_limit");

        // A slot freed without the nudge it should send, as when an instance dies between its commit and its nudges.
        jdbc.sql("update team_limit set max_concurrent = 2 where team_id = (select id from team where slug = ?)").param(team.slug()).update();
        clock.advance(Duration.ofSeconds(10));
        runDueWork();
        assertThat(training(team.key(), waiting).get("waiting_reason").asString()).as("no timer of its own").isEqualTo("team_limit");

        clock.advance(Duration.ofSeconds(30));
        runDueWork();

        JsonNode submitted = training(team.key(), waiting);
        assertThat(submitted.get("fal_request_id").isNull()).isFalse();
        assertThat(submitted.get("waiting_reason").isNull()).isTrue();
    }
}
