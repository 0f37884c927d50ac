package com.ltxgateway.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;


import tools.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

/** Teams, their API keys and their webhooks managed in a real browser. */
class DashboardTeamsTests extends SignedInBrowserTestSupport {

    @Test
    void createsATeamAfterShowingMistakesNextToTheFields() {
        String slug = "ui-" + UUID.randomUUID().toString().substring(0, 8);
        browser.open("/admin/teams");

        browser.find("#slug").sendKeys("Not A Slug");
        browser.find("#new-team-heading + form button[type=submit]").click();

        assertThat(browser.awaitElement("#slug-error").getText()).isEqualTo("Slug must be 1 to 40 lowercase letters, digits or inner hyphens");
        assertThat(browser.find("#name-error").getText()).startsWith("Name must not be blank");
        assertThat(browser.find("#slug").getAttribute("aria-invalid")).isEqualTo("true");
        assertThat(browser.find("#slug").getAttribute("value")).isEqualTo("Not A Slug");
        browser.screenshot("teams-invalid");

        browser.find("#slug").clear();
        browser.find("#slug").sendKeys(slug);
        browser.find("#name").sendKeys("Dashboard team");
        browser.find("#new-team-heading + form button[type=submit]").click();

        browser.await(Duration.ofSeconds(10), d -> browser.path().equals("/admin/teams/" + slug));
        assertThat(browser.find(".notice").getText()).startsWith("Team " + slug + " created");
        assertThat(browser.find("dl.facts").getText()).contains("Dashboard team");

        browser.open("/admin/teams");
        assertThat(browser.find("tr[data-team='" + slug + "']").getText()).contains("Dashboard team");
        browser.screenshot("teams");
        browser.find("#slug").sendKeys(slug);
        browser.find("#name").sendKeys("Again");
        browser.find("#new-team-heading + form button[type=submit]").click();
        assertThat(browser.awaitElement("#slug-error").getText()).isEqualTo("Slug is taken by another team");
        assertThat(auditTargets("team.created")).contains("team:" + slug);
    }

    @Test
    void issuesAKeyShownOnceAndRevokesIt() {
        String slug = newTeam();
        browser.open("/admin/teams/" + slug);

        browser.find("#new-key-heading + form button[type=submit]").click();
        assertThat(browser.awaitElement("#key-name-error").getText()).startsWith("Name must not be blank");

        browser.find("#key-name").sendKeys("browser-test");
        browser.find("#new-key-heading + form button[type=submit]").click();

        String key = browser.awaitElement("#new-key").getText();
        assertThat(key).startsWith("ltx_sbx_");
        browser.find("[data-copy-target=new-key]").click();
        browser.await(Duration.ofSeconds(5), d -> !browser.find("#copy-status").getText().isEmpty());
        browser.screenshot("key-created");
        assertThat(api.get("/v1/trainings", key).status()).isEqualTo(200);

        browser.open("/admin/teams/" + slug);
        assertThat(browser.driver.getPageSource()).doesNotContain(key);
        String prefix = key.substring(0, "ltx_sbx_".length() + 6);
        assertThat(browser.find("tr[data-key-prefix='" + prefix + "']").getText()).contains("browser-test").contains("active");
        browser.screenshot("team");

        browser.find("tr[data-key-prefix='" + prefix + "'] a.danger").click();
        assertThat(browser.awaitElement("h1.revoke").getText()).isEqualTo("Revoke key " + prefix + "…?");
        browser.screenshot("key-revoke");
        browser.find("form.actions button.danger").click();

        browser.await(Duration.ofSeconds(10), d -> browser.path().equals("/admin/teams/" + slug));
        assertThat(browser.find(".notice").getText()).contains("revoked");
        assertThat(browser.find("tr[data-key-prefix='" + prefix + "']").getText()).contains("revoked");
        assertThat(browser.findAll("tr[data-key-prefix='" + prefix + "'] a.danger")).isEmpty();
        assertThat(api.get("/v1/trainings", key).status()).isEqualTo(401);
        assertThat(auditTargets("api_key.created")).anyMatch(t -> t.startsWith("api-key:" + prefix));
        assertThat(auditTargets("api_key.revoked")).contains("api-key:" + prefix);
    }

    @Test
    void showsATeamsTrainingsAndEstimatedSpend() {
        String slug = newTeam();
        String key = api.post("/v1/admin/teams/" + slug + "/api-keys", ADMIN_KEY, "{\"name\":\"ci\",\"mode\":\"live\"}")
                .json().get("key").asString();
        String id = create(key, minimalRequest("https://example.com/clips.zip")).get("id").asString();
        awaitStatus(key, id, "succeeded");

        browser.open("/admin/teams/" + slug);

        assertThat(browser.find("dl.facts").getText()).contains("Estimated spend this month\n$0.24").contains("Estimated spend in total\n$0.24");
        assertThat(browser.findAll("#recent-heading ~ table a").stream().map(a -> a.getText())).containsExactly(id);
        browser.open("/admin/teams");
        assertThat(browser.find("tr[data-team='" + slug + "']").findElements(By.cssSelector("td.numeric")).stream()
                .map(td -> td.getText())).containsExactly("1", "$0.24", "$0.24");
        browser.find("#spend-heading ~ details summary").click();
        assertThat(browser.find("#spend-numbers tr[data-team='" + slug + "']").getText())
                .as("fal has billed nothing yet").isEqualTo(LocalDate.now(ZoneOffset.UTC) + " " + slug + " 1 $0.24 $0.00");
        assertThat(browser.findAll("svg.chart rect.bar-submitted")).hasSize(LocalDate.now(ZoneOffset.UTC).getDayOfMonth());
        browser.screenshot("teams-spend");
    }

    @Test
    void setsABudgetAfterShowingMistakesNextToTheFieldsShowsItsBarAndRemovesIt() {
        String slug = newTeam();
        String key = api.post("/v1/admin/teams/" + slug + "/api-keys", ADMIN_KEY, "{\"name\":\"ci\",\"mode\":\"live\"}")
                .json().get("key").asString();
        create(key, minimalRequest("https://example.com/clips.zip"));
        browser.open("/admin/teams/" + slug);
        assertThat(browser.find("#budget-heading ~ p.empty").getText()).contains("No budget");

        browser.find("#budget-monthly").sendKeys("lots");
        browser.find("#new-budget-heading + form button[type=submit]").click();

        assertThat(browser.awaitElement("#budget-monthly-error").getText()).isEqualTo("USD per month must be a number");
        assertThat(browser.find("#budget-monthly").getAttribute("aria-invalid")).isEqualTo("true");
        assertThat(browser.find("#budget-monthly").getAttribute("value")).isEqualTo("lots");

        browser.find("#budget-monthly").clear();
        browser.find("#budget-monthly").sendKeys("-1");
        browser.find("#budget-alert").clear();
        browser.find("#budget-alert").sendKeys("0");
        browser.find("#new-budget-heading + form button[type=submit]").click();
        assertThat(browser.awaitText("#budget-monthly-error", "USD per month must not be negative")).isEqualTo("USD per month must not be negative");
        assertThat(browser.find("#budget-alert-error").getText()).isEqualTo("Alert at must be between 1 and 100");
        assertThat(api.get("/v1/admin/teams/" + slug + "/budget", ADMIN_KEY).status()).as("nothing stored").isEqualTo(404);
        browser.find("#budget-alert").clear();
        browser.find("#budget-alert").sendKeys("75");

        browser.find("#budget-monthly").clear();
        browser.find("#budget-monthly").sendKeys("1.20");
        browser.find("#new-budget-heading + form button[type=submit]").click();

        browser.await(Duration.ofSeconds(10), d -> !d.findElements(By.cssSelector(".notice")).isEmpty());
        assertThat(browser.find(".notice").getText()).isEqualTo("Budget of " + slug + " set to $1.20 a month, alerting at 75 %.");
        assertThat(browser.find("dl.facts.budget").getText()).contains("Budget per month\n$1.20").contains("Left\n$0.96")
                .contains("Alert at\n75 %");
        // The training is reserved until it succeeds, then spent.
        assertThat(browser.find("svg.budget-bar").getAttribute("aria-label"))
                .matches("\\$0\\.(00 spent, \\$0\\.24 reserved|24 spent, \\$0\\.00 reserved), \\$0\\.96 left of \\$1\\.20");
        browser.screenshot("team-budget");
        JsonNode budget = api.get("/v1/admin/teams/" + slug + "/budget", ADMIN_KEY).json();
        assertThat(budget.get("monthly_usd").decimalValue()).isEqualByComparingTo("1.20");
        assertThat(budget.get("alert_at_percent").asInt()).isEqualTo(75);
        assertThat(auditTargets("team.budget_set")).contains("team:" + slug + " monthly_usd:1.20 alert_at_percent:75");
        browser.open("/admin/teams");
        assertThat(browser.find("tr[data-team='" + slug + "'] td.budget").getText()).endsWith("$0.96 left of $1.20");
        browser.open("/admin/teams/" + slug);

        browser.find("form.remove-budget button").click();
        browser.await(Duration.ofSeconds(10), d -> d.findElements(By.cssSelector("svg.budget-bar")).isEmpty());
        assertThat(browser.find(".notice").getText()).contains("removed");
        assertThat(api.get("/v1/admin/teams/" + slug + "/budget", ADMIN_KEY).status()).isEqualTo(404);
        assertThat(auditTargets("team.budget_removed")).contains("team:" + slug);
    }

    @Test
    void setsATeamsLimitAfterShowingAMistakeShowsWhatWaitsForATurnAndRemovesIt() {
        String slug = newTeam();
        String key = api.post("/v1/admin/teams/" + slug + "/api-keys", ADMIN_KEY, "{\"name\":\"ci\",\"mode\":\"live\"}")
                .json().get("key").asString();
        browser.open("/admin/teams/" + slug);
        assertThat(browser.find("dl.facts.turns").getText()).contains("Limit\nnone");

        browser.find("#limits-max").sendKeys("0");
        browser.find("#new-limits-heading + form button[type=submit]").click();
        assertThat(browser.awaitElement("#limits-max-error").getText()).isEqualTo("Trainings at fal at once must be between 1 and 1000");
        assertThat(browser.find("#limits-max").getAttribute("aria-invalid")).isEqualTo("true");
        assertThat(api.get("/v1/admin/teams/" + slug + "/limits", ADMIN_KEY).json().get("max_concurrent").isNull()).as("nothing stored").isTrue();

        browser.find("#limits-max").clear();
        browser.find("#limits-max").sendKeys("1");
        browser.find("#new-limits-heading + form button[type=submit]").click();
        browser.await(Duration.ofSeconds(10), d -> !d.findElements(By.cssSelector(".notice")).isEmpty());
        assertThat(browser.find(".notice").getText()).isEqualTo("At most 1 of " + slug + "'s trainings at fal at once.");
        assertThat(auditTargets("team.limits_set")).contains("team:" + slug + " max_concurrent:1");

        // Runs that outlast the test: the first training holds the team's one slot.
        FAL.runDuration(Duration.ofMinutes(5));
        try {
            String running = create(key, minimalRequest("https://example.com/turns-" + slug + "-1.zip")).get("id").asString();
            awaitTraining(key, running, t -> !t.get("fal_request_id").isNull());
            String first = create(key, minimalRequest("https://example.com/turns-" + slug + "-2.zip")).get("id").asString();
            String second = create(key, minimalRequest("https://example.com/turns-" + slug + "-3.zip")).get("id").asString();
            awaitTraining(key, second, t -> !t.get("waiting_reason").isNull());
            awaitTraining(key, first, t -> !t.get("waiting_reason").isNull());

            browser.open("/admin/teams/" + slug);
            assertThat(browser.find("dl.facts.turns").getText()).contains("Limit\n1 at once").contains("At fal now\n1")
                    .contains("Waiting for a turn\n2");
            assertThat(browser.findAll("#waiting-trainings tbody tr").stream().map(tr -> tr.getText()))
                    .satisfiesExactly(
                            row -> assertThat(row).startsWith("1 " + first).contains("normal the team's limit"),
                            row -> assertThat(row).startsWith("2 " + second));
            browser.screenshot("team-turns");
            browser.open("/admin");
            assertThat(browser.find("#fal-health").getText()).contains("Trainings waiting for a turn at fal (teams' and the account's limits)\n2");
            browser.open("/admin/teams/" + slug);

            browser.find("form.remove-limits button").click();
            browser.await(Duration.ofSeconds(10), d -> !d.findElements(By.cssSelector(".notice")).isEmpty());
            assertThat(browser.find(".notice").getText()).contains("removed");
            assertThat(auditTargets("team.limits_removed")).contains("team:" + slug);
            awaitTraining(key, second, t -> !t.get("fal_request_id").isNull());
            for (String id : List.of(running, first, second)) {
                api.post("/v1/trainings/" + id + "/cancel", key, "");
            }
        }
        finally {
            FAL.runsAsDefault();
        }
    }

    @Test
    void registersAWebhookEndpointAfterShowingMistakesNextToTheFieldsAndDeletesItAfterConfirmation() {
        String slug = newTeam();
        browser.open("/admin/teams/" + slug);
        assertThat(browser.findAll("input[name=events]:checked")).as("every event by default").isNotEmpty()
                .hasSameSizeAs(browser.findAll("input[name=events]"));

        browser.find("#endpoint-url").sendKeys("http://10.1.2.3/hooks");
        browser.findAll("input[name=events]:checked").forEach(box -> box.click());
        browser.find("#new-endpoint-heading + form button[type=submit]").click();

        assertThat(browser.awaitElement("#endpoint-url-error").getText()).isEqualTo("URL must not point at a private address");
        assertThat(browser.find("#endpoint-url").getAttribute("aria-invalid")).isEqualTo("true");
        assertThat(browser.find("#endpoint-url").getAttribute("value")).isEqualTo("http://10.1.2.3/hooks");
        assertThat(browser.find("#events-error").getText()).isEqualTo("Choose at least one of the listed events.");
        assertThat(browser.findAll("input[name=events]:checked")).isEmpty();
        browser.driver.executeScript("arguments[0].scrollIntoView();", browser.find("#webhooks-heading"));
        browser.screenshot("team-webhook-invalid");
        assertThat(api.get("/v1/admin/teams/" + slug + "/webhooks", ADMIN_KEY).json().get("data").isEmpty()).isTrue();

        browser.find("#endpoint-url").clear();
        browser.find("#endpoint-url").sendKeys("http://127.0.0.1:9/hooks");
        browser.find("input[name=events][value='training.succeeded']").click();
        browser.find("#new-endpoint-heading + form button[type=submit]").click();

        browser.await(Duration.ofSeconds(10), d -> !d.findElements(By.cssSelector(".notice")).isEmpty());
        assertThat(browser.find(".notice").getText()).isEqualTo("Endpoint http://127.0.0.1:9/hooks registered: it receives training.succeeded.");
        var registered = api.get("/v1/admin/teams/" + slug + "/webhooks", ADMIN_KEY).json().get("data");
        assertThat(registered.size()).isOne();
        String endpointId = registered.get(0).get("id").asString();
        assertThat(registered.get(0).get("events").valueStream().map(e -> e.asString())).containsExactly("training.succeeded");
        assertThat(browser.find("tr[data-endpoint-id='" + endpointId + "']").getText())
                .contains("http://127.0.0.1:9/hooks").contains("training.succeeded").contains("active");
        assertThat(auditTargets("webhook_endpoint.created")).contains("webhook:" + endpointId + " team:" + slug);

        browser.find("tr[data-endpoint-id='" + endpointId + "'] a.danger").click();
        browser.await(Duration.ofSeconds(10), d -> browser.path().endsWith("/delete"));
        assertThat(browser.find("main").getText()).contains("http://127.0.0.1:9/hooks");
        browser.screenshot("team-webhook-delete");
        assertThat(api.get("/v1/admin/teams/" + slug + "/webhooks", ADMIN_KEY).json().get("data").size())
                .as("nothing happens before the confirmation").isOne();
        browser.find("form.actions button.danger").click();

        browser.await(Duration.ofSeconds(10), d -> browser.path().equals("/admin/teams/" + slug));
        assertThat(browser.find(".notice").getText()).startsWith("Endpoint http://127.0.0.1:9/hooks is deleted");
        assertThat(browser.findAll("tr[data-endpoint-id]")).isEmpty();
        assertThat(api.get("/v1/admin/teams/" + slug + "/webhooks", ADMIN_KEY).json().get("data").isEmpty()).isTrue();
        assertThat(auditTargets("webhook_endpoint.deleted")).contains("webhook:" + endpointId);

        browser.open("/admin/teams/" + slug + "/webhooks/" + endpointId + "/delete");
        assertThat(browser.find("h1").getText()).as("a deleted endpoint").isEqualTo("Not found");
        browser.open("/admin/teams/" + slug + "/webhooks/not-a-uuid/delete");
        assertThat(browser.find("h1").getText()).isEqualTo("Not found");
    }

    @Test
    void rotatesTheSigningSecretShowingTheNewOneOnce() {
        String slug = newTeam();
        browser.open("/admin/teams/" + slug);

        browser.find("form.secret-form button").click();

        String first = browser.awaitElement("#new-secret").getText();
        assertThat(first).startsWith("whsec_");
        assertThat(browser.find("main").getText()).contains("first secret");
        browser.find("[data-copy-target=new-secret]").click();
        browser.await(Duration.ofSeconds(5), d -> !browser.find("#copy-status").getText().isEmpty());
        browser.screenshot("team-webhook-secret");
        assertThat(auditTargets("webhook_secret.created")).contains("team:" + slug);

        browser.find("a.secondary").click();
        browser.await(Duration.ofSeconds(10), d -> browser.path().equals("/admin/teams/" + slug));
        assertThat(browser.find("main").getText()).doesNotContain(first);
        browser.find("form.secret-form button").click();

        browser.await(Duration.ofSeconds(10), d -> !d.findElements(By.id("new-secret")).isEmpty()
                && !d.findElement(By.id("new-secret")).getText().equals(first));
        assertThat(browser.find("main").getText()).contains("The previous secret keeps verifying until");
        assertThat(auditTargets("webhook_secret.rotated")).contains("team:" + slug);
    }

    @Test
    void answersUnknownTeamsAndKeysWithNotFoundPages() {
        browser.open("/admin/teams/no-such-team");
        assertThat(browser.find("h1").getText()).isEqualTo("Not found");
        browser.open("/admin/keys/" + UUID.randomUUID() + "/revoke");
        assertThat(browser.find("h1").getText()).isEqualTo("Not found");
        browser.open("/admin/keys/not-a-uuid/revoke");
        assertThat(browser.find("h1").getText()).isEqualTo("Not found");
    }

    private String newTeam() {
        String slug = "ui-" + UUID.randomUUID().toString().substring(0, 8);
        assertThat(api.post("/v1/admin/teams", ADMIN_KEY, "{\"slug\":\"" + slug + "\",\"name\":\"Team " + slug + "\"}").status())
                .isEqualTo(201);
        return slug;
    }

    private List<String> auditTargets(String action) {
        return api.get("/v1/admin/audit-log?limit=100", ADMIN_KEY).json().get("data").valueStream()
                .filter(e -> e.get("action").asString().equals(action)
                        && e.get("actor").asString().equals("dashboard:" + DASHBOARD_USERNAME))
                .map(e -> e.get("target").asString())
                .toList();
    }
}
