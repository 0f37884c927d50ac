package com.ltxgateway.tracking;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.ltxgateway.support.Api.Response;
import com.ltxgateway.support.Api.TeamKey;
import com.ltxgateway.support.SteppedGatewayTestSupport;

import tools.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A team's limit on trainings at fal at once, stepped on the gateway's clock with the real adapter against the fake fal:
 * who waits, in which order, and that a freed slot is taken in the same round of work, without the clock moving on.
 */
class FairTurnsTests extends SteppedGatewayTestSupport {

    private TeamKey team;

    @BeforeEach
    void aTeamWithALimitOfTwo() {
        // Runs that last far longer than the test: only a cancel frees a slot.
        FAL.runDuration(Duration.ofHours(1));
        team = api.newTeam(ADMIN_KEY, "live");
        assertThat(setLimit("{\"max_concurrent\": 2}").status()).isEqualTo(200);
    }

    @Test
    void trainingsOverTheLimitWaitInTurnAndAFreedSlotIsTakenAtOnce() {
        String first = create("normal");
        String second = create("normal");
        String low = create("low");
        String third = create("normal");

        runDueWork();

        assertThat(submittedUrls()).containsExactlyInAnyOrder(url(first), url(second));
        assertThat(training(team.key(), first).get("status").asString()).isIn("queued", "running");
        JsonNode waitingNormal = training(team.key(), third);
        assertThat(waitingNormal.get("status").asString()).isEqualTo("pending");
        assertThat(waitingNormal.get("waiting_reason").asString()).isEqualTo("team_limit");
        assertThat(waitingNormal.get("waiting_position").asInt()).as("normal before low").isEqualTo(1);
        assertThat(training(team.key(), low).get("waiting_position").asInt()).isEqualTo(2);
        assertThat(api.timeline(team.key(), third)).anySatisfy(entry -> {
            assertThat(entry.get("type").asString()).isEqualTo("waiting_for_turn");
            assertThat(entry.get("status").asString()).isEqualTo("team_limit");
        });
        assertThat(api.get("/v1/trainings?status=pending", team.key()).json().get("data").valueStream()
                .map(t -> t.get("waiting_position").asInt())).containsExactlyInAnyOrder(1, 2);
        JsonNode limits = limits();
        assertThat(limits.get("max_concurrent").asInt()).isEqualTo(2);
        assertThat(limits.get("at_fal").asInt()).isEqualTo(2);
        assertThat(limits.get("waiting").asInt()).isEqualTo(2);

        assertThat(api.post("/v1/trainings/" + first + "/cancel", team.key(), "").status()).isEqualTo(202);
        runDueWork();

        assertThat(training(team.key(), first).get("status").asString()).isEqualTo("canceled");
        assertThat(submittedUrls()).as("the freed slot is taken in the same round, at the same instant")
                .containsExactlyInAnyOrder(url(first), url(second), url(third));
        JsonNode submitted = training(team.key(), third);
        assertThat(submitted.get("waiting_reason").isNull()).isTrue();
        assertThat(submitted.get("waiting_position").isNull()).isTrue();
        assertThat(training(team.key(), low).get("waiting_position").asInt()).isEqualTo(1);
    }

    @Test
    void raisingOrRemovingTheLimitSubmitsTheWaitingAtOnce() {
        List<String> ids = List.of(create("normal"), create("normal"), create("normal"), create("normal"));
        runDueWork();
        assertThat(submittedUrls()).hasSize(2);

        setLimit("{\"max_concurrent\": 3}");
        runDueWork();
        assertThat(submittedUrls()).hasSize(3);

        assertThat(api.delete(limitsPath(), ADMIN_KEY).status()).isEqualTo(204);
        runDueWork();
        assertThat(submittedUrls()).containsExactlyInAnyOrderElementsOf(ids.stream().map(this::url).toList());
        assertThat(limits().get("max_concurrent").isNull()).isTrue();
    }

    @Test
    void aWaitingTrainingCanceledIsNeverSubmitted() {
        create("normal");
        create("normal");
        String waiting = create("normal");
        runDueWork();

        assertThat(api.post("/v1/trainings/" + waiting + "/cancel", team.key(), "").status()).isEqualTo(202);
        runDueWork();

        JsonNode canceled = training(team.key(), waiting);
        assertThat(canceled.get("status").asString()).isEqualTo("canceled");
        assertThat(canceled.get("waiting_reason").isNull()).isTrue();
        assertThat(submittedUrls()).doesNotContain(url(waiting)).hasSize(2);
    }

    @Test
    void otherTeamsAndSandboxTrainingsAreNotHeldByATeamsLimit() {
        create("normal");
        create("normal");
        String otherTeam = api.createTraining(api.newTeam(ADMIN_KEY, "live").key(), minimalRequest(urlFor("other"))).get("id").asString();
        runDueWork();

        assertThat(FAL.submissions().stream().map(s -> s.input().path("training_data_url").asString())).contains(urlFor("other"));
        assertThat(api.get("/v1/trainings/" + otherTeam, ADMIN_KEY).json().get("waiting_reason").isNull()).isTrue();
    }

    @Test
    void refusesBadLimitsNamingTheFieldAndIsForAdminsOnly() {
        Map<String, String> bodies = Map.of(
                "{\"max_concurrent\": 0}", "max_concurrent",
                "{\"max_concurrent\": 1001}", "max_concurrent",
                "{\"max_concurrent\": -3}", "max_concurrent",
                "{}", "max_concurrent",
                "{\"max_concurrent\": \"many\"}", "max_concurrent");
        bodies.forEach((body, field) -> {
            Response refused = api.send("PUT", limitsPath(), ADMIN_KEY, body, Map.of());
            assertThat(refused.status()).as(body + " " + refused.text()).isEqualTo(400);
            assertThat(refused.json().get("errors").valueStream().map(error -> error.get("field").asString())).as(body).containsExactly(field);
        });
        assertThat(limits().get("max_concurrent").asInt()).as("unchanged").isEqualTo(2);

        Response unknown = api.send("PUT", "/v1/admin/teams/no-such-team/limits", ADMIN_KEY, "{\"max_concurrent\": 1}", Map.of());
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().get("detail").asString()).contains("no-such-team");
        assertThat(api.send("PUT", limitsPath(), team.key(), "{\"max_concurrent\": 100}", Map.of()).status()).as("admin only").isEqualTo(404);
        assertThat(api.get(limitsPath(), team.key()).status()).isEqualTo(404);
        assertThat(api.get("/v1/admin/audit-log", ADMIN_KEY).json().get("data").valueStream()
                .filter(entry -> entry.get("target").asString().startsWith("team:" + team.slug()))
                .map(entry -> entry.get("action").asString()))
                .contains("team.limits_set");
    }

    private String create(String priority) {
        String url = urlFor(UUID.randomUUID().toString());
        JsonNode created = api.createTraining(team.key(),
                "{\"input\":{\"training_data_url\":\"" + url + "\",\"number_of_steps\":100},\"priority\":\"" + priority + "\"}");
        // A training a millisecond younger than the one before: the order the test means is the order of creation.
        clock.advance(Duration.ofMillis(1));
        return created.get("id").asString();
    }

    private String url(String id) {
        return api.get("/v1/trainings/" + id, team.key()).json().get("input").get("training_data_url").asString();
    }

    private String urlFor(String name) {
        return "https://example.com/turns/" + team.slug() + "/" + name + ".zip";
    }

    private List<String> submittedUrls() {
        return FAL.submissions().stream().map(s -> s.input().path("training_data_url").asString())
                .filter(url -> url.startsWith("https://example.com/turns/" + team.slug() + "/"))
                .toList();
    }

    private Response setLimit(String body) {
        return api.send("PUT", limitsPath(), ADMIN_KEY, body, Map.of());
    }

    private JsonNode limits() {
        Response limits = api.get(limitsPath(), ADMIN_KEY);
        assertThat(limits.status()).as(limits.text()).isEqualTo(200);
        return limits.json();
    }

    private String limitsPath() {
        return "/v1/admin/teams/" + team.slug() + "/limits";
    }
}
