package com.ltxgateway.proxy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.ltxgateway.dataset.TestZips;
import com.ltxgateway.support.GatewayTestSupport;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * fal's own JavaScript client, {@code @fal-ai/client} from the npm registry (its version pinned by
 * {@code src/test/node/fal-client/package-lock.json}), configured with the gateway as its proxy and a team key as its
 * credentials, against the running gateway: what works against fal works unchanged.
 */
class FalJsClientTests extends GatewayTestSupport {

    private static final Path SOURCES = Path.of("src/test/node/fal-client");
    private static final Path INSTALLED = Path.of("target/fal-client");
    private static final JsonMapper JSON = JsonMapper.shared();
    private static final String INPUT = "{\"training_data_url\": \"https://example.com/js-client.zip\", \"number_of_steps\": 100,"
            + " \"validation\": [{\"prompt\": \"a cat\", \"start_image_url\": \"https://example.com/a.png\", \"end_image_url\": \"https://example.com/b.png\"}]}";

    /** Installs the client as the lock file says, once per build (npm ci), outside the source tree. */
    @BeforeAll
    static void installClient() throws Exception {
        Files.createDirectories(INSTALLED);
        for (String file : List.of("package.json", "package-lock.json", "drive.mjs")) {
            Files.copy(SOURCES.resolve(file), INSTALLED.resolve(file), StandardCopyOption.REPLACE_EXISTING);
        }
        if (Files.isDirectory(INSTALLED.resolve("node_modules/@fal-ai/client"))) {
            return;
        }
        Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(INSTALLED.toFile())
                .redirectErrorStream(true).redirectOutput(INSTALLED.resolve("npm-ci.log").toFile()).start();
        assertThat(npm.waitFor(5, TimeUnit.MINUTES)).as("npm ci finished").isTrue();
        assertThat(npm.exitValue()).as("npm ci: see " + INSTALLED.resolve("npm-ci.log")).isZero();
    }

    @Test
    void subscribeSubmitsFollowsTheQueueWithLogsAndGetsTheKeptFiles() throws Exception {
        String key = newTeamKey("sandbox");
        String zip = "https://example.com/js-client-" + java.util.UUID.randomUUID() + ".zip";

        JsonNode run = drive("subscribe", key, INPUT.replace("https://example.com/js-client.zip", zip));

        String id = run.get("requestId").asString();
        assertThat(id).startsWith("trn_");
        assertThat(run.get("statuses").valueStream().map(JsonNode::asString)).contains("IN_QUEUE").endsWith("COMPLETED");
        assertThat(run.get("logLines").asInt()).isPositive();
        // The result names the gateway's kept copy where it holds it; the copy may still be under way at COMPLETED.
        assertThat(run.get("data").get("lora_file").get("url").asString())
                .matches("http://localhost:8080/(v1/trainings/" + id + "/files/|sandbox/files/).+");
        awaitTraining(key, id, training -> training.get("output").get("lora_file").get("stored").asBoolean());
        JsonNode kept = drive("result", key, "{}", Map.of("REQUEST_ID", id));
        assertThat(kept.get("data").get("lora_file").get("url").asString()).as("the gateway's kept copy, once stored")
                .startsWith("http://localhost:8080/v1/trainings/" + id + "/files/");
        assertThat(run.get("data").get("video").get("file_name").asString()).isNotEmpty();
        assertThat(api.get("/v1/trainings/" + id, key).json().get("mode").asString()).as("a sandbox key never reaches fal").isEqualTo("sandbox");
        assertThat(FAL.submissions()).noneMatch(s -> s.input().path("training_data_url").asString().equals(zip));
    }

    @Test
    void queueSubmitStatusAndResultAnswerAsFalsQueue() throws Exception {
        String key = newTeamKey("live");

        JsonNode run = drive("queue", key, INPUT);

        String id = run.get("submitted").get("request_id").asString();
        assertThat(run.get("submitted").get("status_url").asString()).isEqualTo("https://queue.fal.run/fal-ai/ltx23-trainer-v2/requests/" + id + "/status");
        assertThat(run.get("first").asString()).isIn("IN_QUEUE", "IN_PROGRESS");
        assertThat(run.get("completed").asString()).isEqualTo("COMPLETED");
        assertThat(run.get("result").get("requestId").asString()).isEqualTo(id);
        assertThat(run.get("result").get("data").get("config_file").get("file_name").asString()).isEqualTo("config.json");
        assertThat(api.get("/v1/trainings/" + id, key).json().get("status").asString()).isEqualTo("succeeded");
    }

    @Test
    void cancelIsTheTrainingsCancelAndTheResultThenFailsAsFalsDoes() throws Exception {
        String key = newTeamKey("live");
        FAL.queueDuration(java.time.Duration.ofSeconds(30));
        try {
            JsonNode run = drive("cancel", key, INPUT);

            assertThat(run.get("completed").get("error_type").asString()).isEqualTo("request_cancelled");
            assertThat(run.get("result").get("isApiError").asBoolean()).isTrue();
            assertThat(run.get("result").get("status").asInt()).isEqualTo(400);
            assertThat(api.get("/v1/trainings/" + run.get("requestId").asString(), key).json().get("status").asString()).isEqualTo("canceled");
        }
        finally {
            FAL.runsAsDefault();
        }
    }

    @Test
    void streamStatusFollowsTheRequestUntilItCompletes() throws Exception {
        JsonNode run = drive("stream", newTeamKey("sandbox"), INPUT);

        assertThat(run.get("statuses").valueStream().map(JsonNode::asString)).endsWith("COMPLETED");
        assertThat(run.get("last").get("status").asString()).isEqualTo("COMPLETED");
    }

    @Test
    void invalidInputRaisesTheClientsOwnValidationError() throws Exception {
        JsonNode run = drive("invalid", newTeamKey("sandbox"), "{\"training_data_url\": \"ftp://x\", \"number_of_frames\": 90}");

        assertThat(run.get("isValidationError").asBoolean()).isTrue();
        assertThat(run.get("status").asInt()).isEqualTo(422);
        assertThat(run.get("fieldErrors").valueStream().map(e -> e.get("loc").get(1).asString())).contains("training_data_url", "number_of_frames");
    }

    @Test
    void aKeyTheGatewayDoesNotKnowIsRefused() throws Exception {
        JsonNode run = drive("badKey", newTeamKey("sandbox"), INPUT);

        assertThat(run.get("isApiError").asBoolean()).isTrue();
        assertThat(run.get("status").asInt()).isEqualTo(401);
    }

    @Test
    void storageUploadBecomesADatasetWhoseUrlTrainsOnIt() throws Exception {
        String key = newTeamKey("sandbox");
        Path zip = Files.write(INSTALLED.resolve("clips.zip"), TestZips.zip().clips(10, TestZips.MP4_49_FRAMES).bytes());

        JsonNode run = drive("upload", key, "{\"number_of_frames\": 49}", Map.of("ZIP_FILE", zip.toAbsolutePath().toString()));

        String url = run.get("url").asString();
        assertThat(url).matches("http://localhost:8080/v1/datasets/ds_[0-9a-z]{26}/file");
        String dataset = url.substring(url.indexOf("ds_"), url.lastIndexOf('/'));
        JsonNode uploaded = api.get("/v1/datasets/" + dataset, key).json();
        assertThat(uploaded.get("status").asString()).isEqualTo("ready");
        assertThat(uploaded.get("size_bytes").asLong()).isEqualTo(Files.size(zip));
        JsonNode training = api.get("/v1/trainings/" + run.get("requestId").asString(), key).json();
        assertThat(training.get("dataset_id").asString()).isEqualTo(dataset);
        assertThat(training.get("status").asString()).isEqualTo("succeeded");
    }

    private JsonNode drive(String scenario, String key, String input) throws IOException, InterruptedException {
        return drive(scenario, key, input, Map.of());
    }

    private JsonNode drive(String scenario, String key, String input, Map<String, String> environment) throws IOException, InterruptedException {
        ProcessBuilder node = new ProcessBuilder("node", "drive.mjs", scenario).directory(INSTALLED.toFile());
        node.environment().putAll(Map.of("GATEWAY_URL", "http://127.0.0.1:" + port, "TEAM_KEY", key, "INPUT", input));
        node.environment().putAll(environment);
        Path output = Files.createTempFile(INSTALLED, scenario, ".out");
        Process process = node.redirectErrorStream(false).redirectOutput(output.toFile())
                .redirectError(INSTALLED.resolve(scenario + ".err").toFile()).start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as(scenario + " finished").isTrue();
        String printed = Files.readString(output).strip();
        assertThat(process.exitValue()).as(scenario + " printed " + printed + "; stderr in target/fal-client").isZero();
        return JSON.readTree(printed.substring(printed.lastIndexOf('\n') + 1));
    }
}
