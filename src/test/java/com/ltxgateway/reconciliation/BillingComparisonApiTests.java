package com.ltxgateway.reconciliation;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import com.ltxgateway.support.Api.Response;
import com.ltxgateway.support.ApiOnlyTestSupport;
import com.ltxgateway.support.TeamRows;

import tools.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The daily comparison of fal's billing events with the trainings the gateway saw succeed, on days long past that no
 * other test writes to: what counts on each side, and what a difference shows.
 */
class BillingComparisonApiTests extends ApiOnlyTestSupport {

    @Autowired
    JdbcClient jdbc;

    @Test
    void eachDayComparesTheSucceededLiveTrainingsEstimatesWithWhatFalBilled() {
        UUID team = TeamRows.insert(jdbc);
        // 13 March: one training, billed as estimated.
        String matched = training(team, "live", "succeeded", "2020-03-13T10:00:00Z");
        billingEvent(matched, "2020-03-13T10:00:05Z", "0.24");
        // 14 March: two trainings billed as estimated, one fal billed that no training owns, and what fal never bills.
        billingEvent(training(team, "live", "succeeded", "2020-03-14T08:00:00Z"), "2020-03-14T08:00:04Z", "0.24");
        billingEvent(training(team, "live", "succeeded", "2020-03-14T23:59:00Z"), "2020-03-14T23:59:30Z", "0.24");
        billingEvent("req-nobody-" + UUID.randomUUID(), "2020-03-14T12:00:00Z", "1.2");
        training(team, "live", "failed", "2020-03-14T09:00:00Z");
        training(team, "sandbox", "succeeded", "2020-03-14T09:00:00Z");

        Response report = api.get("/v1/admin/fal/billing?from=2020-03-12&to=2020-03-14", ADMIN_KEY);

        assertThat(report.status()).as(report.text()).isEqualTo(200);
        List<JsonNode> days = report.json().get("data").valueStream().toList();
        assertThat(days).extracting(day -> day.get("day").asString()).containsExactly("2020-03-14", "2020-03-13", "2020-03-12");
        JsonNode differing = days.get(0);
        assertThat(differing.get("trainings").asLong()).isEqualTo(2);
        assertThat(differing.get("estimated_usd").decimalValue()).isEqualByComparingTo("0.48");
        assertThat(differing.get("fal_requests").asLong()).isEqualTo(3);
        assertThat(differing.get("fal_billed_usd").decimalValue()).isEqualByComparingTo("1.68");
        assertThat(differing.get("difference_usd").decimalValue()).isEqualByComparingTo("1.2");
        assertThat(differing.get("matches").asBoolean()).isFalse();
        JsonNode matching = days.get(1);
        assertThat(matching.get("trainings").asLong()).isEqualTo(1);
        assertThat(matching.get("difference_usd").decimalValue()).isEqualByComparingTo("0");
        assertThat(matching.get("matches").asBoolean()).isTrue();
        assertThat(days.get(2).get("matches").asBoolean()).as("an empty day matches").isTrue();
        assertThat(report.json().get("billing_read").asBoolean()).as("no fal admin key here").isFalse();
    }

    @Test
    void refusesBadPeriodsNamingTheParameterAndIsForAdminsOnly() {
        assertThat(refused("/v1/admin/fal/billing?from=14.03.2020")).isEqualTo("from");
        assertThat(refused("/v1/admin/fal/billing?from=2020-03-14&to=2020-03-13")).isEqualTo("to");
        assertThat(refused("/v1/admin/fal/billing?from=2019-01-01&to=2020-03-13")).isEqualTo("to");
        String teamKey = api.newTeam(ADMIN_KEY, "live").key();
        assertThat(api.get("/v1/admin/fal/billing", teamKey).status()).isEqualTo(404);
        assertThat(api.get("/v1/admin/fal/billing", ADMIN_KEY).json().get("data")).as("the last 30 days by default").hasSize(30);
    }

    private String refused(String path) {
        Response refused = api.get(path, ADMIN_KEY);
        assertThat(refused.status()).as(refused.text()).isEqualTo(400);
        return refused.json().get("errors").get(0).get("field").asString();
    }

    private String training(UUID team, String mode, String status, String finishedAt) {
        String id = "trn_b" + UUID.randomUUID().toString().replace("-", "");
        Timestamp finished = Timestamp.from(Instant.parse(finishedAt));
        String requestId = "req-" + UUID.randomUUID();
        jdbc.sql("""
                insert into training (id, team_id, mode, status, input, number_of_steps, estimated_cost_usd, created_at,
                                      finished_at, fal_request_id)
                values (?, ?, ?, ?, '{}', 100, 0.24, ?, ?, ?)""")
                .params(id, team, mode, status, finished, finished, requestId)
                .update();
        return requestId;
    }

    private void billingEvent(String requestId, String at, String usd) {
        jdbc.sql("""
                insert into fal_billing_event (request_id, endpoint_id, billed_at, cost_usd, recorded_at)
                values (?, 'fal-ai/ltx23-trainer-v2/interpolate', ?, ?, now())""")
                .params(requestId, Timestamp.from(Instant.parse(at)), new BigDecimal(usd))
                .update();
    }
}
