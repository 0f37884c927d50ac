package com.ltxgateway.artifact;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;

import com.ltxgateway.fal.FakeFalServer;
import com.ltxgateway.sandbox.SandboxOutputs;
import com.ltxgateway.support.Api;
import com.ltxgateway.support.Api.TeamKey;
import com.ltxgateway.support.SteppedGatewayTestSupport;
import com.ltxgateway.tracking.StepTurns;
import com.ltxgateway.web.RequestsInFlight;

import jakarta.servlet.ServletException;
import tools.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Output files copied into the gateway's store when a training succeeds, through the real adapter and download path
 * against the fake fal, which serves the files it names: stored and served, lost, cut short and retried, refused,
 * taken over from a claim whose instance died, and paced like the tracker's steps while callers wait.
 */
class OutputCopyTests extends SteppedGatewayTestSupport {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Autowired
    ArtifactRetention retention;

    @Autowired
    ArtifactStore store;

    @Autowired
    RequestsInFlight requests;

    @Autowired
    StepTurns turns;

    @Test
    void everyOutputFileIsStoredWithItsDigestAndServedByTheGatewayWithRanges() throws Exception {
        TeamKey team = api.newTeam(ADMIN_KEY, "live");
        String id = create(team.key(), minimalRequest("https://example.com/copies/" + UUID.randomUUID() + ".zip")).get("id").asString();

        JsonNode training = stepUntilStatus(team.key(), id, "succeeded");
        runDueWork();
        training = training(team.key(), id);

        JsonNode lora = training.get("output").get("lora_file");
        String requestId = training.get("fal_request_id").asString();
        byte[] bytes = FakeFalServer.fileBytes(requestId, "pytorch_lora_weights.safetensors", 262_144);
        assertThat(lora.get("stored").asBoolean()).isTrue();
        assertThat(lora.get("sha256").asString()).isEqualTo(sha256(bytes));
        assertThat(lora.get("url").asString()).isEqualTo("http://localhost:8080/v1/trainings/" + id + "/files/lora_file");
        assertThat(lora.get("source_url").asString()).startsWith(FAL.queueUrl() + FakeFalServer.FILES_PATH);
        assertThat(training.get("output").get("config_file").get("stored").asBoolean()).isTrue();
        assertThat(training.get("output").get("video").get("stored").asBoolean()).isTrue();

        HttpResponse<byte[]> whole = download(team.key(), "/v1/trainings/" + id + "/files/lora_file", Map.of());
        assertThat(whole.statusCode()).isEqualTo(200);
        assertThat(whole.body()).isEqualTo(bytes);
        assertThat(whole.headers().firstValue("ETag")).contains("\"" + sha256(bytes) + "\"");
        assertThat(whole.headers().firstValue("Content-Disposition")).hasValueSatisfying(
                disposition -> assertThat(disposition).startsWith("attachment").contains("pytorch_lora_weights.safetensors"));

        HttpResponse<byte[]> range = download(team.key(), "/v1/trainings/" + id + "/files/lora_file", Map.of("Range", "bytes=1000-1999"));
        assertThat(range.statusCode()).isEqualTo(206);
        assertThat(range.body()).isEqualTo(Arrays.copyOfRange(bytes, 1000, 2000));
        assertThat(range.headers().firstValue("Content-Range")).contains("bytes 1000-1999/262144");

        HttpResponse<byte[]> unchanged = download(team.key(), "/v1/trainings/" + id + "/files/lora_file",
                Map.of("If-None-Match", "\"" + sha256(bytes) + "\""));
        assertThat(unchanged.statusCode()).isEqualTo(304);

        String otherTeam = api.newTeam(ADMIN_KEY, "live").key();
        assertThat(download(otherTeam, "/v1/trainings/" + id + "/files/lora_file", Map.of()).statusCode()).isEqualTo(404);
        assertThat(download(team.key(), "/v1/trainings/" + id + "/files/audio", Map.of()).statusCode()).isEqualTo(404);
        assertThat(download(team.key(), "/v1/trainings/" + id + "/files/passwd", Map.of()).statusCode()).isEqualTo(404);
        assertThat(download(ADMIN_KEY, "/v1/trainings/" + id + "/files/config_file", Map.of()).statusCode()).as("admins see all").isEqualTo(200);

        store.delete(ArtifactKey.of(id, "config_file"));
        assertThat(download(team.key(), "/v1/trainings/" + id + "/files/config_file", Map.of()).statusCode())
                .as("gone from the store behind the gateway's back").isEqualTo(404);
    }

    @Test
    void aFileGoneAtItsSourceIsLostNotTriedAgainAndTheOthersAreStored() {
        TeamKey team = api.newTeam(ADMIN_KEY, "live");
        FAL.failFiles(path -> path.endsWith("/validation.mp4"), 404);
        String id = create(team.key(), minimalRequest("https://example.com/copies/" + UUID.randomUUID() + ".zip")).get("id").asString();

        stepUntilStatus(team.key(), id, "succeeded");
        runDueWork();

        JsonNode output = training(team.key(), id).get("output");
        assertThat(output.get("video").get("stored").asBoolean()).isFalse();
        assertThat(output.get("video").get("url").asString()).isEqualTo(output.get("video").get("source_url").asString());
        assertThat(output.get("lora_file").get("stored").asBoolean()).isTrue();
        assertThat(state(id, "video")).isEqualTo("lost");
        int downloads = FAL.fileDownloads();
        clock.advance(Duration.ofHours(1));
        runDueWork();
        assertThat(FAL.fileDownloads()).as("never tried again").isEqualTo(downloads);
        assertThat(api.get("/v1/trainings/" + id + "/files/video", team.key()).status()).isEqualTo(404);
    }

    @Test
    void aCopyCutShortIsTriedAgainUntilItIsWhole() {
        TeamKey team = api.newTeam(ADMIN_KEY, "live");
        FAL.failFiles(path -> path.endsWith("/config.json"), 200);
        String id = create(team.key(), minimalRequest("https://example.com/copies/" + UUID.randomUUID() + ".zip")).get("id").asString();

        stepUntilStatus(team.key(), id, "succeeded");
        runDueWork();

        assertThat(state(id, "config_file")).isEqualTo("pending");
        assertThat(jdbc.sql("select last_error from output_copy where training_id = ? and name = 'config_file'").param(id)
                .query(String.class).single()).isNotBlank();
        assertThat(training(team.key(), id).get("output").get("config_file").get("stored").asBoolean()).isFalse();

        FAL.runsAsDefault().runDuration(Duration.ZERO);
        stepUntil(() -> state(id, "config_file").equals("stored"));

        assertThat(training(team.key(), id).get("output").get("config_file").get("stored").asBoolean()).isTrue();
    }

    @Test
    void aFileFromAHostThatIsNotAllowedIsRefusedWithoutBeingFetched() {
        TeamKey team = api.newTeam(ADMIN_KEY, "live");
        String id = create(team.key(), minimalRequest("https://example.com/copies/" + UUID.randomUUID() + ".zip")).get("id").asString();
        stepUntilStatus(team.key(), id, "succeeded");
        runDueWork();
        // As if fal had named a file elsewhere.
        jdbc.sql("""
                insert into output_copy (training_id, name, source_url, state, due_at, created_at)
                values (?, 'audio', 'https://files.example.com/audio.wav', 'pending', ?, ?)""")
                .params(id, Timestamp.from(clock.instant()), Timestamp.from(clock.instant()))
                .update();

        runDueWork();

        assertThat(state(id, "audio")).isEqualTo("refused");
        assertThat(jdbc.sql("select last_error from output_copy where training_id = ? and name = 'audio'").param(id)
                .query(String.class).single()).contains("files.example.com").contains("source-hosts");
    }

    @Test
    void aCopyClaimedByAnInstanceThatDiedIsTakenOverWhenItsLeaseRunsOut() {
        TeamKey team = api.newTeam(ADMIN_KEY, "live");
        String id = create(team.key(), minimalRequest("https://example.com/copies/" + UUID.randomUUID() + ".zip")).get("id").asString();
        stepUntilStatus(team.key(), id, "succeeded");
        // Every copy claimed by an instance that died before it stored anything.
        jdbc.sql("""
                update output_copy set state = 'pending', sha256 = null, size_bytes = null, settled_at = null, lease_owner = 'dead',
                    lease_until = ?, due_at = ?, claim_count = claim_count + 1
                where training_id = ?""")
                .params(Timestamp.from(clock.instant().plusSeconds(60)), Timestamp.from(clock.instant().plusSeconds(60)), id)
                .update();

        runDueWork();
        assertThat(state(id, "lora_file")).isEqualTo("pending");

        clock.advance(Duration.ofSeconds(61));
        runDueWork();

        assertThat(state(id, "lora_file")).isEqualTo("stored");
        assertThat(state(id, "config_file")).isEqualTo("stored");
    }

    @Test
    void aTrainingsCopiesAreClaimedAndSettledTogether() {
        TeamKey team = api.newTeam(ADMIN_KEY, "live");
        List<String> ids = Stream.of(1, 2)
                .map(n -> create(team.key(), minimalRequest("https://example.com/copies/" + UUID.randomUUID() + ".zip")).get("id").asString())
                .toList();
        ids.forEach(id -> stepUntilStatus(team.key(), id, "succeeded"));
        // Due before anything else, so that one claim of four takes these first: six files of two trainings.
        jdbc.sql("""
                update output_copy set state = 'pending', sha256 = null, size_bytes = null, settled_at = null,
                    due_at = timestamp '2000-01-01 00:00:00', lease_owner = null, lease_until = null
                where training_id = any(?)""")
                .param(ids.toArray(String[]::new))
                .update();

        outputCopier.runOnce();

        assertThat(jdbc.sql("select state from output_copy where training_id = any(?)").param(ids.toArray(String[]::new))
                .query(String.class).list()).hasSize(6).containsOnly("stored");
    }

    @Test
    void whileCallersWaitACopyWaitsForTheTrackersTurn() throws Exception {
        TeamKey team = api.newTeam(ADMIN_KEY, "live");
        String id = create(team.key(), minimalRequest("https://example.com/copies/" + UUID.randomUUID() + ".zip")).get("id").asString();
        stepUntilStatus(team.key(), id, "succeeded");
        jdbc.sql("""
                update output_copy set state = 'pending', sha256 = null, size_bytes = null, settled_at = null, due_at = ?
                where training_id = ?""")
                .params(Timestamp.from(clock.instant()), id)
                .update();
        CountDownLatch answered = new CountDownLatch(1);
        CountDownLatch stepWorks = new CountDownLatch(1);
        CountDownLatch stepDone = new CountDownLatch(1);
        Thread request = Thread.ofVirtual().start(() -> inFlight(answered));
        Thread step = null;
        try {
            while (!requests.serving()) {
                Thread.onSpinWait();
            }
            step = Thread.ofVirtual().start(() -> turns.step(() -> {
                stepWorks.countDown();
                await(stepDone);
            }));
            stepWorks.await();
            int downloads = FAL.fileDownloads();

            Thread copies = Thread.ofVirtual().start(outputCopier::runOnce);
            Thread.sleep(1_000);

            assertThat(state(id, "lora_file")).as("waiting for the turn the step holds").isEqualTo("pending");
            assertThat(FAL.fileDownloads()).isEqualTo(downloads);
            stepDone.countDown();
            copies.join(10_000);
            assertThat(state(id, "lora_file")).isEqualTo("stored");
        }
        finally {
            // Whatever happened, the request ends and the turn is given back, for the tests that share this instance.
            stepDone.countDown();
            answered.countDown();
            request.join();
            if (step != null) {
                step.join();
            }
        }
    }

    @Test
    void aSandboxTrainingsFilesAreCopiedFromTheSimulator() throws Exception {
        String key = newTeamKey("sandbox");
        String id = create(key, minimalRequest("https://example.com/copies/" + UUID.randomUUID() + ".zip")).get("id").asString();

        stepUntilStatus(key, id, "succeeded");
        stepUntil(() -> state(id, "lora_file").equals("stored"));

        JsonNode lora = training(key, id).get("output").get("lora_file");
        byte[] stored = download(key, "/v1/trainings/" + id + "/files/lora_file", Map.of()).body();
        assertThat(lora.get("sha256").asString()).isEqualTo(sha256(stored));
        assertThat(stored).hasSize(lora.get("file_size").asInt());
        assertThat(lora.get("source_url").asString()).contains(SandboxOutputs.PATH);
    }

    @Test
    void copiesOlderThanTheRetentionAreDeletedFromTheStoreAndThenForgotten() {
        TeamKey team = api.newTeam(ADMIN_KEY, "live");
        String id = create(team.key(), minimalRequest("https://example.com/copies/" + UUID.randomUUID() + ".zip")).get("id").asString();
        stepUntilStatus(team.key(), id, "succeeded");
        runDueWork();
        assertThat(store.size(ArtifactKey.of(id, "lora_file"))).isPresent();

        clock.advance(Duration.ofDays(29));
        retention.deleteExpired();
        assertThat(state(id, "lora_file")).as("kept for the retention").isEqualTo("stored");

        clock.advance(Duration.ofDays(2));
        assertThat(retention.deleteExpired()).isGreaterThanOrEqualTo(3);

        assertThat(store.size(ArtifactKey.of(id, "lora_file"))).isEmpty();
        assertThat(state(id, "lora_file")).isEqualTo("none");
        JsonNode lora = training(team.key(), id).get("output").get("lora_file");
        assertThat(lora.get("stored").asBoolean()).isFalse();
        assertThat(lora.get("url").asString()).isEqualTo(lora.get("source_url").asString());
        assertThat(retention.deleteExpired()).as("nothing left to delete").isZero();
    }

    @Test
    void aPinnedTrainingsCopiesOutliveTheRetentionUntilItIsUnpinned() {
        TeamKey team = api.newTeam(ADMIN_KEY, "live");
        String id = create(team.key(), minimalRequest("https://example.com/copies/" + UUID.randomUUID() + ".zip")).get("id").asString();
        stepUntilStatus(team.key(), id, "succeeded");
        runDueWork();

        var pinned = pin(id, team.key());
        assertThat(pinned.status()).isEqualTo(200);
        assertThat(pinned.json().get("pinned").asBoolean()).isTrue();
        assertThat(pin(id, team.key()).status()).as("idempotent").isEqualTo(200);
        assertThat(pin(id, api.newTeam(ADMIN_KEY, "live").key()).status())
                .as("another team's").isEqualTo(404);

        clock.advance(Duration.ofDays(31));
        retention.deleteExpired();
        assertThat(state(id, "lora_file")).as("pinned").isEqualTo("stored");
        assertThat(store.size(ArtifactKey.of(id, "lora_file"))).isPresent();

        var unpinned = api.delete("/v1/trainings/" + id + "/pin", team.key());
        assertThat(unpinned.status()).isEqualTo(200);
        assertThat(unpinned.json().get("pinned").asBoolean()).isFalse();
        assertThat(retention.deleteExpired()).isGreaterThanOrEqualTo(3);
        assertThat(state(id, "lora_file")).isEqualTo("none");
        assertThat(jdbc.sql("select action from audit_log where target = ? order by id").param("training:" + id).query(String.class).list())
                .containsExactly("training.pinned", "training.unpinned");
    }

    @Test
    void onlyASucceededTrainingCanBePinned() {
        TeamKey team = api.newTeam(ADMIN_KEY, "live");
        String id = create(team.key(), minimalRequest("https://example.com/copies/" + UUID.randomUUID() + ".zip")).get("id").asString();

        var refused = pin(id, team.key());

        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.json().get("detail").asString()).contains("is pending; only a succeeded training's outputs can be pinned");
        assertThat(training(team.key(), id).get("pinned").asBoolean()).isFalse();
    }

    private Api.Response pin(String trainingId, String key) {
        return api.send("PUT", "/v1/trainings/" + trainingId + "/pin", key, null, Map.of());
    }

    /** A caller's request that the instance works on until {@code answered}. */
    private void inFlight(CountDownLatch answered) {
        try {
            requests.doFilter(new MockHttpServletRequest(), new MockHttpServletResponse(), (request, response) -> await(answered));
        }
        catch (ServletException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private String state(String trainingId, String name) {
        return jdbc.sql("select state from output_copy where training_id = ? and name = ?").params(trainingId, name)
                .query(String.class).optional().orElse("none");
    }

    private HttpResponse<byte[]> download(String key, String path, Map<String, String> headers) {
        var request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).header("Authorization", "Bearer " + key);
        headers.forEach(request::header);
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        }
        catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        }
        catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
