package com.ltxgateway.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;

import com.ltxgateway.support.GatewayTestSupport;

import tools.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;

/** Sandbox trainings go through their whole lifecycle via the simulator, through the same fal adapter as live ones. */
class SandboxLifecycleTests extends GatewayTestSupport {

    @Test
    void succeedsWithOutputsAndATimeline() {
        String key = newTeamKey("sandbox");
        JsonNode created = create(key, """
                {"input": {"training_data_url": "https://example.com/clips.zip", "number_of_steps": 1000, "debug_dataset": true},
                 "metadata": {"project": "lifecycle"}}""");
        assertThat(created.get("status").asString()).isEqualTo("pending");
        assertThat(created.get("mode").asString()).isEqualTo("sandbox");
        assertThat(created.get("estimated_cost_usd").decimalValue()).isEqualByComparingTo("2.4");

        String id = created.get("id").asString();
        JsonNode done = awaitStatus(key, id, "succeeded");

        assertThat(done.get("fal_request_id").asString()).isNotBlank();
        assertThat(done.get("output").get("lora_file").get("source_url").asString()).contains("/sandbox/files/").endsWith("lora.safetensors");
        assertThat(done.get("output").get("config_file").get("file_name").asString()).isEqualTo("config.json");
        assertThat(done.get("output").get("debug_dataset").get("content_type").asString()).isEqualTo("application/zip");
        assertThat(done.get("output").get("video").isNull()).isTrue();
        assertThat(done.get("submitted_at").isNull()).isFalse();
        assertThat(done.get("started_at").isNull()).isFalse();
        assertThat(done.get("finished_at").isNull()).isFalse();

        JsonNode events = api.get("/v1/trainings/" + id + "/events", key).json().get("data");
        assertThat(events.valueStream().filter(e -> e.get("type").asString().equals("state_changed"))
                .map(e -> e.get("status").asString()))
                .containsExactly("pending", "queued", "running", "succeeded");
        assertThat(events.valueStream().filter(e -> e.get("type").asString().equals("log"))
                .map(e -> e.get("message").asString()))
                .contains("Preparing dataset")
                .doesNotHaveDuplicates();

        String fileUrl = done.get("output").get("lora_file").get("source_url").asString();
        var file = api.get(fileUrl.substring(fileUrl.indexOf("/sandbox/files/")), null);
        assertThat(file.status()).isEqualTo(200);
    }

    @Test
    void rendersAPlayableValidationVideoWhenAskedForValidationSamples() throws Exception {
        String key = newTeamKey("sandbox");
        String id = create(key, """
                {"input": {"training_data_url": "https://example.com/clips.zip",
                 "validation": [{"prompt": "a cat", "start_image_url": "https://example.com/a.png",
                                 "end_image_url": "https://example.com/b.png"}]}}""").get("id").asString();

        JsonNode video = awaitStatus(key, id, "succeeded").get("output").get("video");

        assertThat(video.get("source_url").asString()).contains("/sandbox/files/").endsWith("/validation.mp4");
        assertThat(video.get("content_type").asString()).isEqualTo("video/mp4");
        String path = video.get("source_url").asString().substring(video.get("source_url").asString().indexOf("/sandbox/files/"));
        try (var http = HttpClient.newHttpClient()) {
            URI uri = URI.create("http://localhost:" + port + path);
            HttpResponse<byte[]> whole = http.send(HttpRequest.newBuilder(uri).build(), BodyHandlers.ofByteArray());
            assertThat(whole.statusCode()).isEqualTo(200);
            assertThat(whole.headers().firstValue("content-type")).hasValue("video/mp4");
            assertThat(whole.body()).hasSize(video.get("file_size").asInt());
            assertThat(new String(whole.body(), 4, 4, StandardCharsets.US_ASCII)).as("an MP4's first box").isEqualTo("ftyp");
            HttpResponse<byte[]> range = http.send(HttpRequest.newBuilder(uri).header("Range", "bytes=0-99").build(),
                    BodyHandlers.ofByteArray());
            assertThat(range.statusCode()).as("video elements ask for ranges").isEqualTo(206);
            assertThat(range.body()).hasSize(100);
        }
    }

    @Test
    void failsWithFalsErrorWhenAskedTo() {
        String key = newTeamKey("sandbox");
        String id = create(key, minimalRequest("https://example.com/clips.zip?sandbox_outcome=failed")).get("id").asString();

        JsonNode failed = awaitStatus(key, id, "failed");

        assertThat(failed.get("error").get("code").asString()).isEqualTo("fal_validation_error");
        assertThat(failed.get("error").get("message").asString()).contains("fewer than 10 video clips");
        assertThat(failed.get("output").isNull()).isTrue();
    }

    @Test
    void cancelsAQueuedTrainingAtFal() {
        String key = newTeamKey("sandbox");
        String id = create(key, minimalRequest("https://example.com/clips.zip")).get("id").asString();
        awaitStatus(key, id, "queued");

        var cancel = api.post("/v1/trainings/" + id + "/cancel", key, null);

        assertThat(cancel.status()).isEqualTo(202);
        assertThat(cancel.json().get("cancel_requested_at").isNull()).isFalse();
        JsonNode canceled = awaitStatus(key, id, "canceled");
        assertThat(canceled.get("started_at").isNull()).isTrue();
        assertThat(api.post("/v1/trainings/" + id + "/cancel", key, null).status()).isEqualTo(409);
    }

    @Test
    void cancelsARunningTrainingOnceFalConfirms() {
        String key = newTeamKey("sandbox");
        String id = create(key, minimalRequest("https://example.com/clips.zip")).get("id").asString();
        awaitStatus(key, id, "running");

        assertThat(api.post("/v1/trainings/" + id + "/cancel", key, null).status()).isEqualTo(202);

        JsonNode canceled = awaitStatus(key, id, "canceled");
        assertThat(canceled.get("output").isNull()).isTrue();
        JsonNode events = api.get("/v1/trainings/" + id + "/events", key).json().get("data");
        assertThat(events.valueStream().map(e -> e.get("type").asString())).contains("cancel_requested");
    }
}
