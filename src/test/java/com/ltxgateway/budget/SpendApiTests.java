package com.ltxgateway.budget;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import com.ltxgateway.support.Api.Response;
import com.ltxgateway.support.Api.TeamKey;
import com.ltxgateway.support.ApiOnlyTestSupport;

import tools.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;

/** The spend report, over trainings whose states are set on their rows. */
class SpendApiTests extends ApiOnlyTestSupport {

    @Autowired
    JdbcClient jdbc;

    private TeamKey team;
    private TeamKey other;
    private final LocalDate today = LocalDate.now(ZoneOffset.UTC);

    @BeforeEach
    void trainings() {
        team = newTeam("live");
        other = newTeam("live");
        String succeeded = create(team.key(), request("succeeded")).get("id").asString();
        String failed = create(team.key(), request("failed")).get("id").asString();
        String yesterday = create(team.key(), request("yesterday")).get("id").asString();
        create(other.key(), request("other"));
        create(newTeamKeyOf(team, "sandbox"), request("sandbox"));
        jdbc.sql("update training set status = 'succeeded', cost_usd = 0.2 where id = ?").param(succeeded).update();
        jdbc.sql("update training set status = 'failed', cost_usd = 0 where id = ?").param(failed).update();
        jdbc.sql("update training set created_at = created_at - interval '1 day' where id = ?").param(yesterday).update();
    }

    @Test
    void aTeamSeesWhatItsLiveTrainingsCost() {
        JsonNode report = report(team.key(), "?from=" + today.minusDays(1) + "&to=" + today);

        assertThat(report.get("data").valueStream()).singleElement().satisfies(line -> {
            assertThat(line.get("team").asString()).isEqualTo(team.slug());
            assertThat(line.has("day")).isFalse();
            assertThat(line.get("trainings").asLong()).isEqualTo(3);
            assertThat(line.get("estimated_usd").decimalValue()).as("the failed one costs nothing").isEqualByComparingTo("0.48");
            assertThat(line.get("billed_usd").decimalValue()).isEqualByComparingTo("0.2");
        });
        assertThat(report.get("total").get("trainings").asLong()).isEqualTo(3);
        assertThat(report.get("total").get("estimated_usd").decimalValue()).isEqualByComparingTo("0.48");
    }

    @Test
    void byDayAndForAdminsEveryTeam() {
        JsonNode report = report(ADMIN_KEY, "?from=" + today.minusDays(1) + "&to=" + today + "&group_by=day");

        List<JsonNode> lines = report.get("data").valueStream()
                .filter(line -> List.of(team.slug(), other.slug()).contains(line.get("team").asString())).toList();
        List<String> described = lines.stream()
                .map(line -> line.get("day").asString() + " " + line.get("team").asString() + " " + line.get("trainings").asLong()).toList();
        assertThat(described.getFirst()).as("oldest day first").isEqualTo(today.minusDays(1) + " " + team.slug() + " 1");
        assertThat(described).containsExactlyInAnyOrder(today.minusDays(1) + " " + team.slug() + " 1",
                today + " " + other.slug() + " 1", today + " " + team.slug() + " 2");
        assertThat(report(ADMIN_KEY, "?from=" + today + "&to=" + today).get("data").valueStream()
                .filter(line -> line.get("team").asString().equals(team.slug()))).singleElement()
                .satisfies(line -> assertThat(line.get("trainings").asLong()).isEqualTo(2));
    }

    @Test
    void asCsv() {
        Response csv = api.send("GET", "/v1/spend?group_by=day&from=" + today.minusDays(1) + "&to=" + today, team.key(), null,
                Map.of("Accept", "text/csv"));

        assertThat(csv.status()).as(csv.text()).isEqualTo(200);
        assertThat(csv.header("Content-Type")).startsWith("text/csv");
        assertThat(csv.text().lines()).containsExactly("team,day,trainings,estimated_usd,billed_usd",
                team.slug() + "," + today.minusDays(1) + ",1,0.24,0", team.slug() + "," + today + ",2,0.24,0.2");
    }

    @Test
    void refusesBadPeriodsNamingTheParameter() {
        Map<String, String> field = Map.of(
                "?from=2026-13-01", "from",
                "?from=yesterday", "from",
                "?to=2026/12/01", "to",
                "?from=2026-12-05&to=2026-12-04", "to",
                "?from=2025-01-01&to=2026-12-31", "to",
                "?group_by=week", "group_by");
        field.forEach((query, name) -> {
            Response refused = api.get("/v1/spend" + query, team.key());
            assertThat(refused.status()).as(query + " " + refused.text()).isEqualTo(400);
            assertThat(refused.json().get("errors").valueStream().map(error -> error.get("field").asString())).as(query).containsExactly(name);
        });
    }

    private JsonNode report(String key, String query) {
        Response report = api.get("/v1/spend" + query, key);
        assertThat(report.status()).as(report.text()).isEqualTo(200);
        return report.json();
    }

    private String newTeamKeyOf(TeamKey owner, String mode) {
        Response key = api.post("/v1/admin/teams/" + owner.slug() + "/api-keys", ADMIN_KEY, "{\"name\":\"more\",\"mode\":\"" + mode + "\"}");
        assertThat(key.status()).as(key.text()).isEqualTo(201);
        return key.json().get("key").asString();
    }

    private static String request(String name) {
        return "{\"input\":{\"training_data_url\":\"https://example.com/spend/" + name + ".zip\",\"number_of_steps\":100}}";
    }
}
