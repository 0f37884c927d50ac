package com.ltxgateway.dashboard;

import static com.ltxgateway.dataset.TestZips.MP4_49_FRAMES;
import static com.ltxgateway.dataset.TestZips.WEBM;
import static com.ltxgateway.dataset.TestZips.zip;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import com.ltxgateway.support.Api;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.WebElement;

/** Datasets in the dashboard, in a real browser: the list, a dataset's problems and clips, the links to it. */
class DashboardDatasetsTests extends SignedInBrowserTestSupport {

    @Test
    void showsEachDatasetsInspectionWithItsProblemsAndClips() {
        Api.TeamKey team = api.newTeam(ADMIN_KEY, "sandbox");
        String ready = upload(team.key(), "cats.zip", zip().clips(10, MP4_49_FRAMES).clip("more/other.webm", WEBM)
                .text("clip-00.txt", "a cat jumps").bytes());
        String invalid = upload(team.key(), "broken.zip", zip().clips(3, MP4_49_FRAMES).entry("still.png", new byte[] { 1 }).bytes());

        browser.open("/admin/datasets?team=" + team.slug());
        assertThat(browser.findAll("table.data tbody tr th a").stream().map(WebElement::getText)).containsExactly(invalid, ready);
        assertThat(browser.find("table.data tbody tr").getText()).contains("broken.zip").contains("invalid");
        browser.screenshot("datasets");

        browser.open("/admin/datasets/" + invalid);
        assertThat(browser.find("[aria-labelledby=problems-heading]").getAttribute("role")).isEqualTo("alert");
        assertThat(browser.findAll("table.problems tbody tr").stream().map(WebElement::getText))
                .anyMatch(row -> row.startsWith("still.png") && row.contains("an image"))
                .anyMatch(row -> row.startsWith("(the zip)") && row.contains("the zip has 3 video clips"));
        browser.screenshot("dataset-invalid");

        browser.open("/admin/datasets/" + ready);
        assertThat(browser.findAll("[aria-labelledby=problems-heading]")).isEmpty();
        assertThat(browser.findAll("table.clips tbody tr").stream().map(WebElement::getText))
                .hasSize(11)
                .contains("clip-00.mp4 49 24.0 fps 64×36 a cat jumps")
                .contains("more/other.webm not checked — — —");
        assertThat(browser.find("dl.facts").getText()).contains("cats.zip").contains("49 frames");
        assertThat(((Number) browser.driver.executeAsyncScript(
                "const done = arguments[arguments.length - 1]; fetch(arguments[0]).then(r => r.arrayBuffer()).then(b => done(b.byteLength));",
                "/admin/datasets/" + ready + "/file")).longValue()).isGreaterThan(0);
        browser.screenshot("dataset");

        String training = create(team.key(), "{\"dataset_id\": \"" + ready + "\", \"input\": {\"number_of_frames\": 49}}").get("id").asString();
        browser.open("/admin/trainings/" + training);
        browser.find("dl.facts a[href='/admin/datasets/" + ready + "']").click();
        browser.await(Duration.ofSeconds(10), d -> browser.path().equals("/admin/datasets/" + ready));

        browser.open("/admin/teams/" + team.slug());
        assertThat(browser.find("[aria-labelledby=datasets-heading]").getText()).contains(ready).contains(invalid);
    }

    private String upload(String key, String fileName, byte[] zip) {
        Api.Response created = api.upload("/v1/datasets?file_name=" + fileName, key, zip, "application/zip");
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        return created.json().get("id").asString();
    }
}
