package com.ltxgateway.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.UUID;


import tools.jackson.databind.JsonNode;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * The training pages in a real browser: the live list, a training's live page with its outputs and webhook
 * deliveries, cancel and redelivery.
 */
class DashboardTrainingsTests extends SignedInBrowserTestSupport {

    private static final Duration PAGE_UPDATE = Duration.ofSeconds(30);
    @Test
    void showsANewTrainingAndItsProgressWithoutAReload() {
        TeamKey team = newTeam("sandbox");
        browser.open("/admin/trainings?team=" + team.slug());
        assertThat(browser.find(".empty").getText()).isEqualTo("No trainings match these filters.");
        browser.driver.executeScript("window.stillTheSamePage = true;");

        String id = create(team.key(), minimalRequest("https://example.com/clips.zip")).get("id").asString();

        browser.await(PAGE_UPDATE, d -> !rows(id).isEmpty());
        browser.await(PAGE_UPDATE, d -> status(id).equals("succeeded"));
        assertThat(browser.driver.executeScript("return window.stillTheSamePage === true;")).isEqualTo(true);
        assertThat(browser.find(".live-region").getAttribute("aria-live")).isEqualTo("polite");
        browser.screenshot("trainings");
    }

    @Test
    void filtersByStatusTeamAndText() {
        TeamKey team = newTeam("sandbox");
        String project = "project-" + UUID.randomUUID().toString().substring(0, 8);
        String tagged = create(team.key(), "{\"input\": {\"training_data_url\": \"https://example.com/clips.zip\"},"
                + " \"metadata\": {\"project\": \"" + project + "\"}}").get("id").asString();
        String failing = create(team.key(), minimalRequest("https://example.com/clips.zip?sandbox_outcome=failed")).get("id").asString();
        awaitStatus(team.key(), failing, "failed");

        browser.open("/admin/trainings?team=" + team.slug());
        assertThat(shownIds()).containsExactlyInAnyOrder(tagged, failing);

        browser.find("#q").sendKeys(project.substring(3));
        browser.find(".filters button[type=submit]").click();
        browser.await(Duration.ofSeconds(10), d -> browser.path().contains("q="));
        assertThat(shownIds()).containsExactly(tagged);

        browser.open("/admin/trainings?team=" + team.slug() + "&status=failed");
        assertThat(shownIds()).containsExactly(failing);
        assertThat(browser.find("#status option[selected]").getText()).isEqualTo("failed");

        browser.open("/admin/trainings?q=" + failing);
        assertThat(shownIds()).containsExactly(failing);
    }

    @Test
    void showsFilterMistakesNextToTheirFields() {
        browser.open("/admin/trainings?status=finished&team=Not%20A%20Team&cursor=garbage");

        assertThat(browser.find("#status-error").getText()).isEqualTo("Choose one of the listed statuses.");
        assertThat(browser.find("#status").getAttribute("aria-invalid")).isEqualTo("true");
        assertThat(browser.find("#team-error").getText()).isEqualTo("Choose one of the listed teams.");
        assertThat(browser.find("main").getText()).contains("That page link has expired");
        browser.screenshot("trainings-invalid-filters");
    }

    @Test
    void showsATrainingWithItsOutputsVideoAndTimeline() {
        TeamKey team = newTeam("live");
        JsonNode created = create(team.key(), """
                {"input": {"training_data_url": "https://example.com/clips.zip", "number_of_steps": 1000},
                 "metadata": {"owner": "dashboard-test"}}""");
        String id = created.get("id").asString();
        awaitStatus(team.key(), id, "succeeded");
        JsonNode done = awaitTraining(team.key(), id, t -> t.get("output").get("lora_file").get("stored").asBoolean()
                && t.get("output").get("config_file").get("stored").asBoolean() && t.get("output").get("video").get("stored").asBoolean());

        browser.open("/admin/trainings/" + id);

        assertThat(browser.find("h1").getText()).isEqualTo("Training " + id);
        assertThat(browser.find(".title-row .status").getText()).isEqualTo("succeeded");
        assertThat(browser.find("dl.facts").getText()).contains("$2.40").contains(team.slug()).contains(done.get("fal_request_id").asString());
        // The gateway's copies, served to the signed-in admin by the dashboard itself.
        WebElement video = browser.find("figure.video video");
        assertThat(video.getAttribute("src")).endsWith("/admin/trainings/" + id + "/files/video");
        assertThat(video.getAttribute("controls")).isNotNull();
        assertThat(browser.findAll("a[download]").stream().map(a -> a.getAttribute("href")))
                .anyMatch(href -> href.endsWith("/admin/trainings/" + id + "/files/lora_file"))
                .anyMatch(href -> href.endsWith("/admin/trainings/" + id + "/files/config_file"));
        assertThat(browser.find("main").getText()).contains(done.get("output").get("lora_file").get("sha256").asString());
        assertThat(((Number) browser.driver.executeAsyncScript(
                "const done = arguments[arguments.length - 1]; fetch(arguments[0]).then(r => r.arrayBuffer()).then(b => done(b.byteLength));",
                "/admin/trainings/" + id + "/files/config_file")).longValue())
                .isEqualTo(done.get("output").get("config_file").get("file_size").asLong());
        assertThat(browser.find("pre.code").getText()).contains("\"number_of_steps\" : 1000");
        assertThat(browser.find("main").getText()).contains("owner").contains("dashboard-test");
        // A short sandbox run can end between two polls, so the training may go from queued straight to succeeded:
        // the page must show exactly the state changes the training went through.
        assertThat(browser.findAll("ol.timeline li.event-state_changed .status").stream().map(WebElement::getText))
                .containsExactlyElementsOf(stateChanges(team.key(), id))
                .startsWith("pending", "queued").endsWith("succeeded");
        assertThat(browser.findAll("ol.timeline li.event-log")).isNotEmpty();
        assertThat(browser.findAll("a.danger")).as("no cancel for a finished training").isEmpty();
        browser.screenshot("training");

        browser.find("form.pin button").click();
        browser.await(Duration.ofSeconds(10), d -> browser.find(".notice").getText().startsWith("Pinned"));
        assertThat(api.get("/v1/trainings/" + id, team.key()).json().get("pinned").asBoolean()).isTrue();
        assertThat(browser.find("form.pin button").getText()).isEqualTo("Unpin outputs");
        browser.find("form.pin button").click();
        browser.await(Duration.ofSeconds(10), d -> browser.find(".notice").getText().startsWith("Unpinned"));
        assertThat(api.get("/v1/trainings/" + id, team.key()).json().get("pinned").asBoolean()).isFalse();
        assertThat(api.get("/v1/admin/audit-log?limit=100", ADMIN_KEY).json().get("data").valueStream()
                .filter(e -> e.get("target").asString().equals("training:" + id))
                .map(e -> e.get("actor").asString() + " " + e.get("action").asString()))
                .contains("dashboard:" + DASHBOARD_USERNAME + " training.pinned", "dashboard:" + DASHBOARD_USERNAME + " training.unpinned");
    }

    @Test
    void playsASandboxTrainingsValidationVideo() {
        TeamKey team = newTeam("sandbox");
        String id = create(team.key(), """
                {"input": {"training_data_url": "https://example.com/clips.zip",
                 "validation": [{"prompt": "a cat", "start_image_url": "https://example.com/a.png",
                                 "end_image_url": "https://example.com/b.png"}]}}""").get("id").asString();
        awaitStatus(team.key(), id, "succeeded");
        awaitTraining(team.key(), id, t -> t.get("output").get("video").get("stored").asBoolean());

        browser.open("/admin/trainings/" + id);

        // The gateway's copy of the simulator's video, played from the page's own origin with range requests.
        WebElement video = browser.find("figure.video video");
        assertThat(video.getAttribute("src")).endsWith("/admin/trainings/" + id + "/files/video");
        browser.await(Duration.ofSeconds(10), d -> ((Number) browser.driver.executeScript(
                "return arguments[0].readyState;", video)).intValue() >= 1);
        assertThat(((Number) browser.driver.executeScript("return arguments[0].duration;", video)).doubleValue())
                .isGreaterThan(0);
        assertThat(browser.driver.executeScript("return arguments[0].error;", video)).isNull();
        browser.driver.executeScript("arguments[0].scrollIntoView();", video);
        browser.screenshot("training-video");
    }

    @Test
    void cancelsAfterConfirmationThroughTheApisPath() {
        TeamKey team = newTeam("live");
        String id = queuedAtFal(team);
        browser.open("/admin/trainings/" + id);

        browser.find("a.danger").click();
        browser.await(Duration.ofSeconds(10), d -> browser.path().endsWith("/cancel"));
        assertThat(browser.find("h1").getText()).isEqualTo("Cancel training " + id + "?");
        browser.screenshot("training-cancel");
        assertThat(api.get("/v1/trainings/" + id, team.key()).json().get("cancel_requested_at").isNull())
                .as("nothing happens before the confirmation").isTrue();
        browser.find("form.actions button.danger").click();

        browser.await(Duration.ofSeconds(10), d -> browser.path().equals("/admin/trainings/" + id));
        assertThat(browser.find(".notice").getText()).startsWith("Cancel requested");
        awaitStatus(team.key(), id, "canceled");
        List<String> timeline = api.get("/v1/trainings/" + id + "/events", team.key()).json().get("data").valueStream()
                .map(e -> e.path("message").asString("")).toList();
        assertThat(timeline).contains("cancel requested by dashboard:" + DASHBOARD_USERNAME);
        assertThat(api.get("/v1/admin/audit-log?limit=100", ADMIN_KEY).json().get("data").valueStream()
                .filter(e -> e.get("action").asString().equals("training.cancel_requested"))
                .map(e -> e.get("target").asString())).contains("training:" + id);

        browser.open("/admin/trainings/" + id + "/cancel");
        assertThat(browser.path()).isEqualTo("/admin/trainings/" + id);
        assertThat(browser.find(".notice").getText()).contains("canceled already");
    }

    @Test
    void followsATrainingOnItsPageWithoutAReload() {
        TeamKey team = newTeam("live");
        String id = queuedAtFal(team);
        browser.open("/admin/trainings/" + id);
        assertThat(browser.find(".title-row .status").getText()).isEqualTo("queued");
        assertThat(browser.find("#training-live").getAttribute("hx-get")).startsWith("/admin/trainings/" + id + "/live?v=");
        browser.driver.executeScript("window.stillTheSamePage = true;");

        assertThat(api.post("/v1/trainings/" + id + "/cancel", team.key(), "").status()).isLessThan(300);

        browser.await(PAGE_UPDATE, d -> browser.find(".title-row .status").getText().equals("canceled"));
        assertThat(browser.driver.executeScript("return window.stillTheSamePage === true;")).isEqualTo(true);
        assertThat(browser.findAll("ol.timeline li.event-state_changed .status").stream().map(WebElement::getText))
                .endsWith("canceled");
        assertThat(browser.find("#training-live").getAttribute("hx-get")).as("a finished page stops asking").isNull();
    }

    @Test
    void showsTheWebhookDeliveriesAndRedeliversOneThroughTheApisPath() {
        TeamKey team = newTeam("sandbox");
        // Without a signing secret nothing is sent: every attempt fails with a reason, and nothing listens on port 9.
        String id = create(team.key(), """
                {"input": {"training_data_url": "https://example.com/clips.zip"},
                 "webhook_url": "http://127.0.0.1:9/hooks?token=s3cr3t-query"}""").get("id").asString();
        awaitStatus(team.key(), id, "succeeded");
        // One delivery per state change after pending; whether "running" was seen depends on the poll timing.
        List<String> events = stateChanges(team.key(), id).stream().skip(1).map(status -> "training." + status).toList();
        Awaitility.await().atMost(PAGE_UPDATE).until(() -> {
            List<JsonNode> deliveries = deliveriesOf(id);
            return deliveries.size() == events.size() && deliveries.stream().allMatch(d -> d.get("status").asString().equals("failed"));
        });

        browser.open("/admin/trainings/" + id);

        List<WebElement> rows = browser.findAll("tr[data-delivery-id]");
        assertThat(rows).hasSameSizeAs(events);
        assertThat(rows).extracting(row -> row.findElement(By.cssSelector("th")).getText())
                .containsExactlyInAnyOrderElementsOf(events);
        // Neither the deliveries nor the training's summary show the receiver's credentials.
        assertThat(browser.find("main").getText()).doesNotContain("s3cr3t-query").contains("http://127.0.0.1:9/hooks");
        WebElement first = rows.getFirst();
        String deliveryId = first.getAttribute("data-delivery-id");
        assertThat(first.findElement(By.cssSelector("td.mono")).getText()).isEqualTo("http://127.0.0.1:9/hooks");
        assertThat(first.findElement(By.cssSelector(".status")).getText()).isEqualTo("failed");
        assertThat(first.findElement(By.cssSelector(".last-error")).getText()).contains("no signing secret");
        int attempts = Integer.parseInt(first.findElement(By.cssSelector(".attempts")).getText());
        assertThat(attempts).isGreaterThan(1);
        browser.driver.executeScript("arguments[0].scrollIntoView();", browser.find("#deliveries-heading"));
        browser.screenshot("training-deliveries");

        first.findElement(By.cssSelector("form button")).click();

        browser.await(Duration.ofSeconds(10), d -> !d.findElements(By.cssSelector(".notice")).isEmpty());
        assertThat(browser.path()).isEqualTo("/admin/trainings/" + id);
        assertThat(browser.find(".notice").getText()).startsWith("Delivery of ").contains("due again now");
        browser.await(PAGE_UPDATE, d -> Integer.parseInt(d.findElement(By.cssSelector(
                "tr[data-delivery-id='" + deliveryId + "'] .attempts")).getText()) > attempts);
        assertThat(api.get("/v1/admin/audit-log?limit=100", ADMIN_KEY).json().get("data").valueStream()
                .filter(e -> e.get("action").asString().equals("webhook_delivery.redelivered"))
                .filter(e -> e.get("actor").asString().equals("dashboard:" + DASHBOARD_USERNAME))
                .map(e -> e.get("target").asString())).contains("webhook-delivery:" + deliveryId);

        String token = browser.find("form.signout input[name=_csrf]").getAttribute("value");
        Object otherTraining = browser.driver.executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                fetch(arguments[0], {method: "POST", headers: {"X-CSRF-TOKEN": arguments[1]}}).then(r => done(r.status));""",
                "/admin/trainings/trn_other/deliveries/" + deliveryId + "/redeliver", token);
        assertThat(otherTraining).as("a delivery is redelivered from its own training's page only").isEqualTo(404L);
    }

    @Test
    void answersAnUnknownTrainingWithANotFoundPage() {
        browser.open("/admin/trainings/trn_does_not_exist");

        assertThat(browser.find("h1").getText()).isEqualTo("Not found");
    }

    /** The statuses the training went through, as its timeline in the API records them. */
    private List<String> stateChanges(String key, String trainingId) {
        return api.get("/v1/trainings/" + trainingId + "/events", key).json().get("data").valueStream()
                .filter(event -> event.get("type").asString().equals("state_changed"))
                .map(event -> event.get("status").asString())
                .toList();
    }

    private List<JsonNode> deliveriesOf(String trainingId) {
        return api.get("/v1/admin/webhook-deliveries?limit=100&training=" + trainingId, ADMIN_KEY).json().get("data")
                .valueStream().toList();
    }

    private List<WebElement> rows(String id) {
        return browser.driver.findElements(By.cssSelector("tr[data-training-id='" + id + "']"));
    }

    private String status(String id) {
        List<WebElement> rows = rows(id);
        return rows.isEmpty() ? "" : rows.getFirst().findElement(By.cssSelector(".status")).getText();
    }

    private List<String> shownIds() {
        return browser.findAll("tr[data-training-id]").stream().map(row -> row.getAttribute("data-training-id")).toList();
    }

    private TeamKey newTeam(String mode) {
        String slug = "dash-" + UUID.randomUUID().toString().substring(0, 8);
        assertThat(api.post("/v1/admin/teams", ADMIN_KEY, "{\"slug\":\"" + slug + "\",\"name\":\"Team " + slug + "\"}").status())
                .isEqualTo(201);
        var key = api.post("/v1/admin/teams/" + slug + "/api-keys", ADMIN_KEY, "{\"name\":\"ci\",\"mode\":\"" + mode + "\"}");
        assertThat(key.status()).isEqualTo(201);
        return new TeamKey(slug, key.json().get("key").asString());
    }

    private record TeamKey(String slug, String key) {
    }

    /** A live training fal keeps queued for minutes, so the test acts on it while it is still under way. */
    private String queuedAtFal(TeamKey team) {
        FAL.queueDuration(Duration.ofMinutes(5));
        try {
            String id = create(team.key(), minimalRequest("https://example.com/clips.zip")).get("id").asString();
            awaitStatus(team.key(), id, "queued");
            return id;
        }
        finally {
            FAL.queueDuration(Duration.ZERO);
        }
    }
}
