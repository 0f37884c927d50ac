package com.ltxgateway.budget;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.ltxgateway.support.Api.Response;
import com.ltxgateway.support.Api.TeamKey;
import com.ltxgateway.support.ApiOnlyTestSupport;

import tools.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Team budgets through the admin API, and the creates they hold to the month's budget. On an API-only instance, so
 * each training stays in the state a test gives it.
 */
class BudgetApiTests extends ApiOnlyTestSupport {

    /** A minimal request's 100 steps at the default 0.0024 USD a step. */
    private static final BigDecimal ONE_TRAINING = new BigDecimal("0.24");

    @Autowired
    JdbcClient jdbc;

    @Autowired
    BudgetMetrics metrics;

    @Test
    void setsShowsAndRemovesABudget() {
        TeamKey team = api.newTeam(ADMIN_KEY, "live");

        Response set = setBudget(team, "{\"monthly_usd\": 250, \"alert_at_percent\": 75}");

        assertThat(set.status()).as(set.text()).isEqualTo(200);
        LocalDate month = LocalDate.now(ZoneOffset.UTC).withDayOfMonth(1);
        assertThat(set.json().get("monthly_usd").decimalValue()).isEqualByComparingTo("250");
        assertThat(set.json().get("alert_at_percent").asInt()).isEqualTo(75);
        assertThat(set.json().get("remaining_usd").decimalValue()).isEqualByComparingTo("250");
        assertThat(Instant.parse(set.json().get("period_start").asString())).isEqualTo(month.atStartOfDay(ZoneOffset.UTC).toInstant());
        assertThat(Instant.parse(set.json().get("resets_at").asString())).isEqualTo(month.plusMonths(1).atStartOfDay(ZoneOffset.UTC).toInstant());

        create(team.key(), minimalRequest("https://example.com/budget/one.zip"));
        JsonNode budget = budget(team);
        assertThat(budget.get("reserved_usd").decimalValue().add(budget.get("spent_usd").decimalValue())).isEqualByComparingTo(ONE_TRAINING);
        assertThat(budget.get("remaining_usd").decimalValue()).isEqualByComparingTo("249.76");

        assertThat(setBudget(team, "{\"monthly_usd\": 10.5}").json().get("alert_at_percent").asInt()).isEqualTo(80);

        assertThat(api.delete(path(team), ADMIN_KEY).status()).isEqualTo(204);
        Response gone = api.get(path(team), ADMIN_KEY);
        assertThat(gone.status()).isEqualTo(404);
        assertThat(gone.json().get("detail").asString()).contains(team.slug()).contains("no budget");
        assertThat(api.delete(path(team), ADMIN_KEY).status()).isEqualTo(204);

        assertThat(api.get("/v1/admin/audit-log", ADMIN_KEY).json().get("data").valueStream()
                .filter(entry -> entry.get("target").asString().startsWith("team:" + team.slug()))
                .map(entry -> entry.get("action").asString())
                .filter(action -> action.startsWith("team.budget")))
                .containsExactly("team.budget_removed", "team.budget_set", "team.budget_set");
    }

    @Test
    void refusesACreateOverTheBudgetWithItsFiguresStoringNothing() {
        TeamKey team = api.newTeam(ADMIN_KEY, "live");
        setBudget(team, "{\"monthly_usd\": 0.50}");
        create(team.key(), minimalRequest("https://example.com/budget/a.zip"));
        create(team.key(), minimalRequest("https://example.com/budget/b.zip"));

        Response refused = api.post("/v1/trainings", team.key(), minimalRequest("https://example.com/budget/c.zip"));

        assertThat(refused.status()).as(refused.text()).isEqualTo(402);
        assertThat(refused.header("Content-Type")).startsWith("application/problem+json");
        JsonNode problem = refused.json();
        assertThat(problem.get("type").asString()).endsWith("/budget-exceeded");
        assertThat(problem.get("budget_usd").decimalValue()).isEqualByComparingTo("0.50");
        assertThat(problem.get("spent_usd").decimalValue().add(problem.get("reserved_usd").decimalValue())).isEqualByComparingTo("0.48");
        assertThat(problem.get("requested_usd").decimalValue()).isEqualByComparingTo(ONE_TRAINING);
        assertThat(Instant.parse(problem.get("resets_at").asString())).isAfter(Instant.now());
        assertThat(problem.get("detail").asString()).contains("0.24").contains("0.5");
        assertThat(trainingsOf(team)).isEqualTo(2);
    }

    @Test
    void concurrentCreatesNeverTakeTheMonthOverABudgetThatFitsExactlyFive() throws Exception {
        TeamKey team = api.newTeam(ADMIN_KEY, "live");
        setBudget(team, "{\"monthly_usd\": " + ONE_TRAINING.multiply(BigDecimal.valueOf(5)) + "}");
        int requests = 24;
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Integer>> statuses = new ArrayList<>();
        try (ExecutorService clients = Executors.newFixedThreadPool(requests)) {
            for (int i = 0; i < requests; i++) {
                String body = minimalRequest("https://example.com/budget/race-" + i + ".zip");
                statuses.add(clients.submit(() -> {
                    start.await();
                    return api.post("/v1/trainings", team.key(), body).status();
                }));
            }
            start.countDown();
            List<Integer> answered = new ArrayList<>();
            for (Future<Integer> status : statuses) {
                answered.add(status.get());
            }
            assertThat(answered).filteredOn(status -> status == 202).hasSize(5);
            assertThat(answered).filteredOn(status -> status == 402).hasSize(requests - 5);
        }
        assertThat(trainingsOf(team)).isEqualTo(5);
    }

    @Test
    void aCanceledTrainingReleasesItsReservation() {
        TeamKey team = api.newTeam(ADMIN_KEY, "live");
        setBudget(team, "{\"monthly_usd\": " + ONE_TRAINING + "}");
        String id = create(team.key(), minimalRequest("https://example.com/budget/cancel.zip")).get("id").asString();
        assertThat(api.post("/v1/trainings", team.key(), minimalRequest("https://example.com/budget/over.zip")).status()).isEqualTo(402);

        assertThat(api.post("/v1/trainings/" + id + "/cancel", team.key(), null).json().get("status").asString()).isEqualTo("canceled");

        assertThat(budget(team).get("remaining_usd").decimalValue()).isEqualByComparingTo(ONE_TRAINING);
        assertThat(api.post("/v1/trainings", team.key(), minimalRequest("https://example.com/budget/again.zip")).status()).isEqualTo(202);
    }

    /** Each state is set on the rows: how a training got there does not matter to its cost. */
    @Test
    void countsWhatFinishedTrainingsCostAndOnlyThisMonths() {
        TeamKey team = api.newTeam(ADMIN_KEY, "live");
        setBudget(team, "{\"monthly_usd\": 100}");
        String failed = create(team.key(), minimalRequest("https://example.com/budget/failed.zip")).get("id").asString();
        String succeeded = create(team.key(), minimalRequest("https://example.com/budget/succeeded.zip")).get("id").asString();
        String lastMonth = create(team.key(), minimalRequest("https://example.com/budget/last-month.zip")).get("id").asString();
        create(team.key(), minimalRequest("https://example.com/budget/open.zip"));
        jdbc.sql("update training set status = 'failed', cost_usd = 0 where id = ?").param(failed).update();
        jdbc.sql("update training set status = 'succeeded', cost_usd = null where id = ?").param(succeeded).update();
        jdbc.sql("update training set created_at = created_at - interval '32 days' where id = ?").param(lastMonth).update();

        JsonNode budget = budget(team);
        assertThat(budget.get("spent_usd").decimalValue()).as("a succeeded training's estimate, until billed").isEqualByComparingTo(ONE_TRAINING);
        assertThat(budget.get("reserved_usd").decimalValue()).isEqualByComparingTo(ONE_TRAINING);

        jdbc.sql("update training set cost_usd = 0.1 where id = ?").param(succeeded).update();
        budget = budget(team);
        assertThat(budget.get("spent_usd").decimalValue()).as("what fal billed, once known").isEqualByComparingTo("0.1");
        assertThat(budget.get("remaining_usd").decimalValue()).isEqualByComparingTo("99.66");
    }

    /** The ceiling a create is checked against first: every insert adds its estimate, whoever writes it. */
    @Test
    void theBudgetKeepsTheMonthsEstimatesAsEveryInsertAddsThem() {
        TeamKey team = api.newTeam(ADMIN_KEY, "live");
        setBudget(team, "{\"monthly_usd\": 100}");
        create(team.key(), minimalRequest("https://example.com/budget/counted-1.zip"));
        create(team.key(), minimalRequest("https://example.com/budget/counted-2.zip"));
        assertThat(estimates(team)).isEqualByComparingTo("0.48");

        jdbc.sql("""
                insert into training (id, team_id, mode, status, input, number_of_steps, estimated_cost_usd, created_at)
                select 'trn_budget_' || t.slug, t.id, 'live', 'pending', '{}', 1000, 2.4, now() from team t where t.slug = ?""")
                .param(team.slug()).update();
        assertThat(estimates(team)).as("a row inserted by another writer").isEqualByComparingTo("2.88");

        // As the first create of a new month finds it: counted for another month, so counted afresh.
        jdbc.sql("update team_budget set estimated_for = estimated_for - interval '1 month', estimated_usd = 0"
                + " where team_id = (select id from team where slug = ?)").param(team.slug()).update();
        create(team.key(), minimalRequest("https://example.com/budget/counted-3.zip"));
        assertThat(estimates(team)).isEqualByComparingTo("3.12");
        assertThat(jdbc.sql("select estimated_for from team_budget where team_id = (select id from team where slug = ?)")
                .param(team.slug()).query(LocalDate.class).single()).isEqualTo(LocalDate.now(ZoneOffset.UTC).withDayOfMonth(1));
    }

    /** What fal billed above an estimate raises the ceiling: without it, the create below would pass on estimates. */
    @Test
    void aTrainingBilledAboveItsEstimateCountsAtWhatWasBilled() {
        TeamKey team = api.newTeam(ADMIN_KEY, "live");
        setBudget(team, "{\"monthly_usd\": 1, \"alert_at_percent\": 100}");
        String billed = create(team.key(), minimalRequest("https://example.com/budget/billed.zip")).get("id").asString();
        jdbc.sql("update training set status = 'succeeded', cost_usd = 0.9 where id = ?").param(billed).update();

        Response refused = api.post("/v1/trainings", team.key(), minimalRequest("https://example.com/budget/after-billed.zip"));

        assertThat(refused.status()).as(refused.text()).isEqualTo(402);
        assertThat(refused.json().get("spent_usd").decimalValue()).isEqualByComparingTo("0.9");
    }

    @Test
    void eachBudgetIsAGaugeTaggedWithItsTeam() {
        TeamKey team = api.newTeam(ADMIN_KEY, "live");
        setBudget(team, "{\"monthly_usd\": 12.5}");
        create(team.key(), minimalRequest("https://example.com/budget/gauge.zip"));

        metrics.sample();

        String scrape = api.get("/actuator/prometheus", null).text();
        assertThat(gauge(scrape, "gateway_budget_limit_usd", team)).isEqualTo("12.5");
        assertThat(gauge(scrape, "gateway_budget_reserved_usd", team)).isEqualTo("0.24");
        assertThat(gauge(scrape, "gateway_budget_spent_usd", team)).isEqualTo("0.0");

        api.delete(path(team), ADMIN_KEY);
        metrics.sample();
        assertThat(api.get("/actuator/prometheus", null).text()).doesNotContain("team=\"" + team.slug() + "\"");
    }

    @Test
    void sandboxTrainingsAreNotLimited() {
        TeamKey team = api.newTeam(ADMIN_KEY, "sandbox");
        setBudget(team, "{\"monthly_usd\": 0}");

        create(team.key(), minimalRequest("https://example.com/budget/sandbox.zip"));

        assertThat(budget(team).get("reserved_usd").decimalValue()).isEqualByComparingTo("0");
    }

    @Test
    void validateShowsWhatIsLeftOfTheBudget() {
        TeamKey team = api.newTeam(ADMIN_KEY, "live");
        String body = minimalRequest("https://example.com/budget/validate.zip");
        Response without = api.post("/v1/trainings/validate", team.key(), body);
        assertThat(without.status()).as(without.text()).isEqualTo(200);
        assertThat(without.json().get("budget_remaining_usd").isNull()).isTrue();

        setBudget(team, "{\"monthly_usd\": 2}");
        create(team.key(), body);

        Response with = api.post("/v1/trainings/validate", team.key(), body);
        assertThat(with.json().get("budget_remaining_usd").decimalValue()).isEqualByComparingTo("1.76");
        assertThat(with.json().get("estimated_cost_usd").decimalValue()).isEqualByComparingTo(ONE_TRAINING);
    }

    @Test
    void refusesBadBudgetsNamingTheField() {
        TeamKey team = api.newTeam(ADMIN_KEY, "live");
        Map<String, String> field = Map.of(
                "{\"monthly_usd\": -1}", "monthly_usd",
                "{\"monthly_usd\": 1000000.01}", "monthly_usd",
                "{\"monthly_usd\": 1.005}", "monthly_usd",
                "{}", "monthly_usd",
                "{\"monthly_usd\": 10, \"alert_at_percent\": 0}", "alert_at_percent",
                "{\"monthly_usd\": 10, \"alert_at_percent\": 101}", "alert_at_percent",
                "{\"monthly_usd\": \"lots\"}", "monthly_usd");
        field.forEach((body, name) -> {
            Response refused = setBudget(team, body);
            assertThat(refused.status()).as(body + " " + refused.text()).isEqualTo(400);
            assertThat(refused.json().get("errors").valueStream().map(error -> error.get("field").asString())).as(body).containsExactly(name);
        });
        assertThat(api.get(path(team), ADMIN_KEY).status()).as("nothing stored").isEqualTo(404);

        Response unknown = api.send("PUT", "/v1/admin/teams/no-such-team/budget", ADMIN_KEY, "{\"monthly_usd\": 1}", Map.of());
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().get("detail").asString()).contains("no-such-team");
        assertThat(api.send("PUT", path(team), team.key(), "{\"monthly_usd\": 1000}", Map.of()).status()).as("admin only").isEqualTo(404);
        assertThat(api.get(path(team), team.key()).status()).isEqualTo(404);
    }

    private static String minimalRequest(String dataUrl) {
        return "{\"input\":{\"training_data_url\":\"" + dataUrl + "\",\"number_of_steps\":100}}";
    }

    private static String gauge(String scrape, String name, TeamKey team) {
        return scrape.lines().filter(line -> line.startsWith(name + "{") && line.contains("team=\"" + team.slug() + "\""))
                .map(line -> line.substring(line.lastIndexOf(' ') + 1)).findFirst().orElse(null);
    }

    private Response setBudget(TeamKey team, String body) {
        return api.send("PUT", path(team), ADMIN_KEY, body, Map.of());
    }

    private JsonNode budget(TeamKey team) {
        Response budget = api.get(path(team), ADMIN_KEY);
        assertThat(budget.status()).as(budget.text()).isEqualTo(200);
        return budget.json();
    }

    private BigDecimal estimates(TeamKey team) {
        return jdbc.sql("select estimated_usd from team_budget where team_id = (select id from team where slug = ?)")
                .param(team.slug()).query(BigDecimal.class).single();
    }

    private long trainingsOf(TeamKey team) {
        return jdbc.sql("select count(*) from training t join team on team.id = t.team_id where team.slug = ?")
                .param(team.slug()).query(Long.class).single();
    }

    private static String path(TeamKey team) {
        return "/v1/admin/teams/" + team.slug() + "/budget";
    }
}
