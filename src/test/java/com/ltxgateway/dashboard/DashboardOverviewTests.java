package com.ltxgateway.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;


import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/** The overview page in a real browser, after trainings that succeeded, failed and met a fal fault. */
class DashboardOverviewTests extends SignedInBrowserTestSupport {

    @Autowired
    private JdbcClient jdbc;

    @Test
    void showsStatusesActivitySpendAndFalHealth() {
        String slug = "ov-" + UUID.randomUUID().toString().substring(0, 8);
        api.post("/v1/admin/teams", ADMIN_KEY, "{\"slug\":\"" + slug + "\",\"name\":\"Overview\"}");
        String live = api.post("/v1/admin/teams/" + slug + "/api-keys", ADMIN_KEY, "{\"name\":\"ci\",\"mode\":\"live\"}")
                .json().get("key").asString();
        String sandbox = api.post("/v1/admin/teams/" + slug + "/api-keys", ADMIN_KEY, "{\"name\":\"ci\",\"mode\":\"sandbox\"}")
                .json().get("key").asString();
        String marker = "https://example.com/" + slug + ".zip";
        FAL.failNext(1, call -> marker.equals(call.trainingDataUrl()), 503, Map.of(), "{\"detail\":\"overloaded\"}");
        // Its validation video is gone at fal before the gateway copies it.
        FAL.failFiles(path -> path.endsWith("/validation.mp4"), 404);
        String succeeded = create(live, minimalRequest(marker)).get("id").asString();
        String failed = create(sandbox, minimalRequest("https://example.com/clips.zip?sandbox_outcome=failed")).get("id").asString();
        awaitStatus(live, succeeded, "succeeded");
        awaitStatus(sandbox, failed, "failed");
        awaitTraining(live, succeeded, t -> t.get("output").get("lora_file").get("stored").asBoolean());
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> api.get("/v1/trainings/" + succeeded, live).json()
                .get("output").get("video").get("stored").asBoolean() == false && lostCopy(succeeded));
        FAL.runsAsDefault();

        browser.open("/admin");

        assertThat(browser.find("h1").getText()).isEqualTo("Overview");
        assertThat(count("succeeded")).isPositive();
        assertThat(count("failed")).isPositive();
        assertThat(browser.find("[data-chart=day] .legend-submitted").getText()).matches("[1-9][0-9]* submitted");
        assertThat(browser.find("[data-chart=day] .legend-failed").getText()).matches("[1-9][0-9]* failed");
        assertThat(browser.findAll("svg.chart .bar-submitted")).hasSize(24 + 30);
        assertThat(browser.find("tr[data-team='" + slug + "']").getText()).isEqualTo(slug + " $0.24");
        assertThat(browser.find("#fal-health").getText()).contains("fal faults retried, last hour");
        assertThat(browser.findAll("#fal-heading ~ ol.timeline li").stream().map(WebElement::getText))
                .anyMatch(fault -> fault.contains(succeeded));
        assertThat(browser.find("#output-copies").getText()).containsPattern("Stored by the gateway\\n[1-9][0-9]* files")
                .containsPattern("Lost \\(fal's copy gone first\\)\\n[1-9]");
        assertThat(browser.findAll("#copy-troubles tbody tr").stream().map(WebElement::getText))
                .anyMatch(row -> row.contains(succeeded) && row.contains("video") && row.contains("lost"));
        browser.screenshot("overview");

        browser.find("li[data-status=failed] a").click();
        browser.await(Duration.ofSeconds(10), d -> browser.path().equals("/admin/trainings?status=failed"));
        assertThat(browser.findAll("tr[data-training-id='" + failed + "']")).hasSize(1);
    }

    private boolean lostCopy(String trainingId) {
        return jdbc.sql("select count(*) from output_copy where training_id = ? and state = 'lost'").param(trainingId)
                .query(Long.class).single() > 0;
    }

    private long count(String status) {
        return Long.parseLong(browser.find("li[data-status=" + status + "]").findElement(By.cssSelector(".stat-value")).getText());
    }
}
