package com.ltxgateway.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import com.ltxgateway.support.GatewayTestSupport;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

/** Teams and API keys managed in a real browser. */
class DashboardTeamsTests extends GatewayTestSupport {

    private static Browser browser;

    @BeforeEach
    void signedIn() {
        if (browser == null) {
            browser = Browser.start("http://localhost:" + port);
            browser.signIn(DASHBOARD_USERNAME, DASHBOARD_PASSWORD);
            browser.await(Duration.ofSeconds(10), d -> browser.path().startsWith("/admin"));
        }
    }

    @AfterAll
    static void closeBrowser() {
        if (browser != null) {
            browser.close();
            browser = null;
        }
    }

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
