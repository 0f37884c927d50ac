package com.ltxgateway.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.UUID;

import com.ltxgateway.fal.FakeFalServer;
import com.ltxgateway.support.Api;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * What the dashboard shows of the gateway's dealings with fal, in a real browser: a submit fal may hold with its answer
 * lost, and the admin's decision to resubmit it; the requests at fal that no training follows.
 */
class DashboardFalTests extends SignedInBrowserTestSupport {

    @Autowired
    private JdbcClient jdbc;

    @Test
    void anUnconfirmedSubmitIsExplainedAndResubmittedOnlyAfterTheAdminConfirms() {
        Api.TeamKey team = api.newTeam(ADMIN_KEY, "live");
        String url = "https://data.example.com/dashboard-unconfirmed/" + UUID.randomUUID() + ".zip";
        // fal takes the request but answers after the 1 s read timeout.
        FAL.delayNext(1, c -> c.operation().equals(FakeFalServer.SUBMIT) && url.equals(c.trainingDataUrl()), Duration.ofSeconds(2));
        String id = create(team.key(), minimalRequest(url)).get("id").asString();
        awaitTraining(team.key(), id, t -> !t.get("submit_unconfirmed_at").isNull());

        browser.open("/admin");
        assertThat(browser.find("#fal-health").getText()).containsPattern("Submits unconfirmed.*\\n?\\s*[1-9]");

        browser.open("/admin/trainings/" + id);
        assertThat(browser.find("[aria-labelledby=unconfirmed-heading]").getAttribute("role")).isEqualTo("alert");
        assertThat(browser.find("#unconfirmed-heading").getText()).isEqualTo("Submit unconfirmed");
        browser.screenshot("training-unconfirmed");
        browser.find("[aria-labelledby=unconfirmed-heading] a.button").click();
        browser.await(Duration.ofSeconds(10), d -> browser.path().endsWith("/resubmit"));
        assertThat(browser.find("h1").getText()).isEqualTo("Resubmit training " + id + "?");
        browser.screenshot("training-resubmit");
        assertThat(api.get("/v1/trainings/" + id, team.key()).json().get("submit_unconfirmed_at").isNull())
                .as("nothing happens before the confirmation").isFalse();

        browser.find("form.actions button").click();

        browser.await(Duration.ofSeconds(10), d -> browser.path().equals("/admin/trainings/" + id));
        assertThat(browser.find(".notice").getText()).isEqualTo("The training is submitted again.");
        awaitStatus(team.key(), id, "succeeded");
        assertThat(FAL.submissions().stream().filter(s -> url.equals(s.input().path("training_data_url").asString()))).hasSize(2);
        assertThat(api.get("/v1/admin/audit-log?limit=100", ADMIN_KEY).json().get("data").valueStream()
                .filter(e -> e.get("action").asString().equals("training.resubmitted"))
                .map(e -> e.get("actor").asString() + " " + e.get("target").asString()))
                .contains("dashboard:" + DASHBOARD_USERNAME + " training:" + id);

        browser.open("/admin/trainings/" + id + "/resubmit");
        assertThat(browser.path()).isEqualTo("/admin/trainings/" + id);
        assertThat(browser.find(".notice").getText()).contains("no unconfirmed submit");
    }

    @Test
    void theOrphansPageShowsEachRequestNoTrainingFollowsAndItsCancel() {
        String billed = "orphan-billed-" + UUID.randomUUID();
        String canceling = "orphan-canceling-" + UUID.randomUUID();
        Instant now = Instant.now();
        jdbc.sql("""
                insert into fal_orphan (request_id, mode, found_by, found_at, sent_at, ended_at, status_code, billed_usd)
                values (?, 'live', 'listing', ?, ?, ?, 200, ?)""")
                .params(billed, Timestamp.from(now), Timestamp.from(now.minusSeconds(600)), Timestamp.from(now.minusSeconds(60)),
                        new BigDecimal("1.2"))
                .update();
        // Its cancel is due an hour from now, so no instance sends it while the page is looked at.
        jdbc.sql("""
                insert into fal_orphan (request_id, mode, found_by, found_at, sent_at, cancel_due_at, last_failure)
                values (?, 'live', 'listing', ?, ?, ?, 'HTTP 503')""")
                .params(canceling, Timestamp.from(now.plusSeconds(1)), Timestamp.from(now.minusSeconds(30)), Timestamp.from(now.plusSeconds(3600)))
                .update();

        browser.open("/admin/fal/orphans");

        String page = browser.find("main").getText();
        assertThat(page).contains(billed).contains(canceling).contains("$1.20").contains("not yet confirmed");
        assertThat(browser.find("nav [aria-current=page]").getText()).isEqualTo("fal orphans");
        browser.screenshot("fal-orphans");

        jdbc.sql("delete from fal_orphan where request_id in (?, ?)").params(billed, canceling).update();
    }

    @Test
    void theBillingPageShowsEachDaysDifferenceBetweenFalAndTheGateway() {
        // Twenty days ago, when no test's training succeeded: fal billed one request no training owns.
        String stray = "billing-stray-" + UUID.randomUUID();
        LocalDate day = LocalDate.now(ZoneOffset.UTC).minusDays(20);
        jdbc.sql("""
                insert into fal_billing_event (request_id, endpoint_id, billed_at, cost_usd, recorded_at)
                values (?, 'fal-ai/ltx23-trainer-v2/interpolate', ?, 1.2, now())""")
                .params(stray, Timestamp.from(day.atTime(12, 0).toInstant(ZoneOffset.UTC)))
                .update();
        try {
            browser.open("/admin/fal/billing");

            assertThat(browser.find("nav [aria-current=page]").getText()).isEqualTo("fal billing");
            assertThat(browser.find("main").getText()).contains("GATEWAY_FAL_ADMIN_KEY is not set");
            var row = browser.findAll("#billing-days tbody tr").stream()
                    .filter(tr -> tr.findElement(org.openqa.selenium.By.cssSelector("th")).getText().equals(day.toString()))
                    .findFirst().orElseThrow();
            assertThat(row.getAttribute("class")).contains("differs");
            assertThat(row.getText()).contains("$0.00").contains("$1.20").contains("+$1.20, 1 more billed");
            browser.screenshot("fal-billing");
        }
        finally {
            jdbc.sql("delete from fal_billing_event where request_id = ?").param(stray).update();
        }
    }
}
