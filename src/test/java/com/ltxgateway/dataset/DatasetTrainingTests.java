package com.ltxgateway.dataset;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.ltxgateway.fal.FakeFalStorage;
import com.ltxgateway.support.Api.Response;
import com.ltxgateway.support.Api.TeamKey;
import com.ltxgateway.support.GatewayTestSupport;

import tools.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import static com.ltxgateway.dataset.TestZips.MOV_17_FRAMES;
import static com.ltxgateway.dataset.TestZips.MP4_49_FRAMES;
import static com.ltxgateway.dataset.TestZips.zip;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Trainings on uploaded datasets: checked against the training's frames before anything is stored, handed to fal's
 * storage (the fake fal's, by fal's client's protocol) once for live keys, served by the gateway for sandbox keys.
 */
class DatasetTrainingTests extends GatewayTestSupport {

    @Autowired
    JdbcClient jdbc;

    @Test
    void aSandboxTrainingOnADatasetGetsTheGatewaysUrlOfItsZipAndSucceeds() {
        TeamKey team = api.newTeam(ADMIN_KEY, "sandbox");
        byte[] zip = zip().clips(10, MP4_49_FRAMES).bytes();
        String dataset = upload(team.key(), zip);

        JsonNode training = create(team.key(), body(dataset, "\"number_of_frames\": 49"));

        assertThat(training.get("dataset_id").asString()).isEqualTo(dataset);
        String url = training.get("input").get("training_data_url").asString();
        assertThat(url).isEqualTo("http://localhost:8080/v1/datasets/" + dataset + "/file");
        awaitStatus(team.key(), training.get("id").asString(), "succeeded");
        Response file = api.get("/v1/datasets/" + dataset + "/file", team.key());
        assertThat(file.status()).isEqualTo(200);
        assertThat(file.header("Content-Type")).isEqualTo("application/zip");
        assertThat(file.header("Content-Disposition")).contains("dataset.zip");
        assertThat(file.header("Content-Length")).isEqualTo(Integer.toString(zip.length));
        assertThat(api.get("/v1/datasets/" + dataset + "/file", newTeamKey("sandbox")).status()).isEqualTo(404);
    }

    @Test
    void aDatasetWhoseClipsAreShorterThanTheFramesIsRefusedUnlessTheInputScalesThem() {
        TeamKey team = api.newTeam(ADMIN_KEY, "sandbox");
        String dataset = upload(team.key(), zip().clips(10, MP4_49_FRAMES).clip("short.mov", MOV_17_FRAMES).bytes());
        long before = trainings();

        Response refused = api.post("/v1/trainings", team.key(), body(dataset, "\"number_of_frames\": 49"));

        assertThat(refused.status()).isEqualTo(400);
        assertThat(messages(refused, "dataset_id")).containsExactly("clip short.mov has 17 frames, fewer than input.number_of_frames (49);"
                + " use longer clips, fewer frames, or input.auto_scale_input");
        Response defaults = api.post("/v1/trainings", team.key(), body(dataset, "\"number_of_steps\": 100"));
        assertThat(messages(defaults, "dataset_id")).hasSize(11).endsWith("1 more clip has fewer than 89 frames")
                .first().asString().contains("fewer than input.number_of_frames (89)");
        assertThat(trainings()).as("nothing stored").isEqualTo(before);

        assertThat(api.post("/v1/trainings", team.key(), body(dataset, "\"number_of_frames\": 17")).status()).isEqualTo(202);
        assertThat(api.post("/v1/trainings", team.key(), body(dataset, "\"auto_scale_input\": true")).status()).isEqualTo(202);
    }

    @Test
    void anInvalidUnknownOrForeignDatasetAndAmbiguousInputAreRefusedWithTheFieldNamed() {
        TeamKey team = api.newTeam(ADMIN_KEY, "sandbox");
        String invalid = upload(team.key(), zip().clips(3, MP4_49_FRAMES).bytes());
        String foreign = upload(newTeamKey("sandbox"), zip().clips(10, MP4_49_FRAMES).bytes());

        assertThat(messages(api.post("/v1/trainings", team.key(), body(invalid, "\"number_of_frames\": 49")), "dataset_id"))
                .containsExactly("dataset " + invalid + " is invalid: the zip has 3 video clips; the trainer needs at least 10");
        assertThat(messages(api.post("/v1/trainings", team.key(), body(foreign, "\"number_of_frames\": 49")), "dataset_id"))
                .containsExactly("no dataset '" + foreign + "'");
        assertThat(messages(api.post("/v1/trainings", team.key(), body("ds_nonsense", "\"number_of_frames\": 49")), "dataset_id"))
                .containsExactly("must be a dataset id (ds_ and 26 letters and digits)");
        assertThat(messages(api.post("/v1/trainings", team.key(), body(foreign, "\"training_data_url\": \"https://example.com/a.zip\"")), "dataset_id"))
                .containsExactly("give either dataset_id or input.training_data_url, not both");
        assertThat(messages(api.post("/v1/trainings", team.key(), "{\"input\": {\"number_of_steps\": 100}}"), "input.training_data_url"))
                .containsExactly("is required unless the training names a dataset_id");
    }

    @Test
    void aLiveTrainingsDatasetIsUploadedToFalsStorageOnceWithoutTheKeyAndReused() {
        TeamKey team = api.newTeam(ADMIN_KEY, "live");
        byte[] zip = zip().clips(10, MP4_49_FRAMES).bytes();
        assertThat((long) zip.length).isLessThan(STORAGE_MULTIPART_THRESHOLD);
        String dataset = api.upload("/v1/datasets?file_name=cats.zip", team.key(), zip, "application/zip").json().get("id").asString();
        int uploadsBefore = FAL.storage().uploads().size();

        JsonNode first = create(team.key(), body(dataset, "\"number_of_frames\": 49"));
        JsonNode second = create(team.key(), body(dataset, "\"number_of_frames\": 41"));

        List<FakeFalStorage.Upload> uploads = FAL.storage().uploads().subList(uploadsBefore, FAL.storage().uploads().size());
        assertThat(uploads).singleElement().satisfies(upload -> {
            assertThat(upload.bytes()).isEqualTo(zip);
            assertThat(upload.fileName()).isEqualTo("cats.zip");
            assertThat(upload.contentType()).isEqualTo("application/zip");
            assertThat(upload.parts()).isEqualTo(1);
            assertThat(upload.keySentToUploadUrl()).as("the signed upload URL never gets the fal key").isFalse();
        });
        String falUrl = uploads.getFirst().fileUrl().toString();
        assertThat(first.get("input").get("training_data_url").asString()).isEqualTo(falUrl);
        assertThat(second.get("input").get("training_data_url").asString()).isEqualTo(falUrl);
        awaitStatus(team.key(), first.get("id").asString(), "succeeded");
        assertThat(FAL.submissions().stream().filter(s -> s.input().path("training_data_url").asString().equals(falUrl))).hasSizeGreaterThanOrEqualTo(1);
    }

    @Test
    void aSweepOfCreatesOnANewDatasetUploadsItOnceWhileTheOthersWait() throws Exception {
        TeamKey team = api.newTeam(ADMIN_KEY, "live");
        String dataset = upload(team.key(), zip().clips(10, MP4_49_FRAMES).bytes());
        int uploadsBefore = FAL.storage().uploads().size();
        FAL.storage().slowUploads(Duration.ofMillis(700));
        List<Future<JsonNode>> creates = new ArrayList<>();
        try (ExecutorService sweep = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int frames : new int[] { 9, 17, 25, 33 }) {
                creates.add(sweep.submit(() -> create(team.key(), body(dataset, "\"number_of_frames\": " + frames))));
            }
        }
        finally {
            FAL.storage().slowUploads(Duration.ZERO);
        }

        List<FakeFalStorage.Upload> uploads = FAL.storage().uploads().subList(uploadsBefore, FAL.storage().uploads().size());
        assertThat(uploads).as("one upload for the four creates").hasSize(1);
        for (Future<JsonNode> created : creates) {
            assertThat(created.get().get("input").get("training_data_url").asString()).isEqualTo(uploads.getFirst().fileUrl().toString());
        }
    }

    @Test
    void aLargeDatasetGoesToFalsStorageInPartsAndComesBackWhole() {
        TeamKey team = api.newTeam(ADMIN_KEY, "live");
        byte[] zip = zip().clips(20, MP4_49_FRAMES).stored().bytes();
        assertThat((long) zip.length).isGreaterThan(STORAGE_MULTIPART_THRESHOLD);
        String dataset = upload(team.key(), zip);
        int uploadsBefore = FAL.storage().uploads().size();

        JsonNode training = create(team.key(), body(dataset, "\"number_of_frames\": 49"));

        FakeFalStorage.Upload upload = FAL.storage().uploads().get(uploadsBefore);
        assertThat(upload.parts()).isEqualTo((zip.length + 16 * 1024 - 1) / (16 * 1024));
        assertThat(upload.bytes()).isEqualTo(zip);
        assertThat(upload.keySentToUploadUrl()).isFalse();
        assertThat(training.get("input").get("training_data_url").asString()).isEqualTo(upload.fileUrl().toString());
    }

    @Test
    void whenFalsStorageFailsNothingIsCreatedAndTheSameRequestWorksLater() {
        TeamKey team = api.newTeam(ADMIN_KEY, "live");
        String dataset = upload(team.key(), zip().clips(10, MP4_49_FRAMES).bytes());
        long before = trainings();
        FAL.storage().failInitiates(1);

        Response failed = api.post("/v1/trainings", team.key(), body(dataset, "\"number_of_frames\": 49"), Map.of("Idempotency-Key", "ds-retry"));

        assertThat(failed.status()).isEqualTo(503);
        assertThat(failed.header("Retry-After")).isEqualTo("30");
        assertThat(failed.json().get("detail").asString()).contains("could not be uploaded to fal's storage");
        assertThat(trainings()).isEqualTo(before);
        Response retried = api.post("/v1/trainings", team.key(), body(dataset, "\"number_of_frames\": 49"), Map.of("Idempotency-Key", "ds-retry"));
        assertThat(retried.status()).isEqualTo(202);
    }

    @Test
    void aDatasetCannotBeDeletedWhileATrainingOnItHasNotFinished() {
        TeamKey team = api.newTeam(ADMIN_KEY, "sandbox");
        String dataset = upload(team.key(), zip().clips(10, MP4_49_FRAMES).bytes());
        String id = create(team.key(), body(dataset, "\"number_of_frames\": 49")).get("id").asString();

        Response inUse = api.delete("/v1/datasets/" + dataset, team.key());

        assertThat(inUse.status()).isEqualTo(409);
        assertThat(inUse.json().get("detail").asString()).contains("used by 1 training that have not finished");
        awaitStatus(team.key(), id, "succeeded");
        assertThat(api.delete("/v1/datasets/" + dataset, team.key()).status()).isEqualTo(204);
        assertThat(api.get("/v1/trainings/" + id, team.key()).json().get("dataset_id").asString()).as("still named").isEqualTo(dataset);
    }

    @Test
    void aReplayGetsItsFirstAnswerEvenWhenTheSameBodyWouldNowBeRefused() {
        TeamKey team = api.newTeam(ADMIN_KEY, "sandbox");
        String dataset = upload(team.key(), zip().clips(10, MP4_49_FRAMES).bytes());
        String body = body(dataset, "\"number_of_frames\": 49");
        Response first = api.post("/v1/trainings", team.key(), body, Map.of("Idempotency-Key", "replay-after-delete"));
        awaitStatus(team.key(), first.json().get("id").asString(), "succeeded");
        assertThat(api.delete("/v1/datasets/" + dataset, team.key()).status()).isEqualTo(204);

        Response replayed = api.post("/v1/trainings", team.key(), body, Map.of("Idempotency-Key", "replay-after-delete"));

        assertThat(replayed.status()).as(replayed.text()).isEqualTo(202);
        assertThat(replayed.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(replayed.json().get("id")).isEqualTo(first.json().get("id"));
        assertThat(messages(api.post("/v1/trainings", team.key(), body), "dataset_id")).as("without the key it is refused")
                .containsExactly("no dataset '" + dataset + "'");
    }

    private String upload(String key, byte[] zip) {
        Response created = api.upload("/v1/datasets", key, zip, "application/zip");
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        return created.json().get("id").asString();
    }

    private static String body(String dataset, String input) {
        return "{\"dataset_id\": \"" + dataset + "\", \"input\": {" + input + "}}";
    }

    private static List<String> messages(Response response, String field) {
        assertThat(response.status()).as(response.text()).isEqualTo(400);
        return response.json().get("errors").valueStream().filter(e -> e.get("field").asString().equals(field))
                .map(e -> e.get("message").asString()).toList();
    }

    private long trainings() {
        return jdbc.sql("select count(*) from training").query(Long.class).single();
    }
}
