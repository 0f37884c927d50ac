package com.ltxgateway.dataset;

import java.security.MessageDigest;
import java.util.HexFormat;

import com.ltxgateway.artifact.ArtifactStore;
import com.ltxgateway.support.Api.Response;
import com.ltxgateway.support.Api.TeamKey;
import com.ltxgateway.support.GatewayTestSupport;

import tools.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import static com.ltxgateway.dataset.TestZips.MP4_49_FRAMES;
import static com.ltxgateway.dataset.TestZips.zip;
import static org.assertj.core.api.Assertions.assertThat;

/** Uploading, reading, listing and deleting datasets through the API, with the zip kept in the artifact store. */
class DatasetApiTests extends GatewayTestSupport {

    @Autowired
    JdbcClient jdbc;

    @Autowired
    ArtifactStore store;

    @Test
    void anUploadedZipIsKeptInspectedAndShownToItsTeamOnly() throws Exception {
        TeamKey team = api.newTeam(ADMIN_KEY, "live");
        byte[] zip = zip().clips(10, MP4_49_FRAMES).text("clip-00.txt", "a cat").bytes();

        Response created = api.upload("/v1/datasets?file_name=cats.zip", team.key(), zip, "application/zip");

        assertThat(created.status()).as(created.text()).isEqualTo(201);
        JsonNode dataset = created.json();
        String id = dataset.get("id").asString();
        assertThat(id).startsWith("ds_");
        assertThat(created.header("Location")).isEqualTo("/v1/datasets/" + id);
        assertThat(dataset.get("team").asString()).isEqualTo(team.slug());
        assertThat(dataset.get("file_name").asString()).isEqualTo("cats.zip");
        assertThat(dataset.get("size_bytes").asLong()).isEqualTo(zip.length);
        assertThat(dataset.get("sha256").asString()).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(zip)));
        assertThat(dataset.get("status").asString()).isEqualTo("ready");
        assertThat(dataset.get("clips").size()).isEqualTo(10);
        assertThat(dataset.get("clips").get(0).get("frames").asInt()).isEqualTo(49);
        assertThat(dataset.get("clips").get(0).get("frame_rate").asDouble()).isEqualTo(24.0);
        assertThat(dataset.get("clips").get(0).get("caption").asString()).isEqualTo("a cat");
        assertThat(dataset.get("captions").asInt()).isEqualTo(1);
        assertThat(dataset.get("shortest_clip_frames").asInt()).isEqualTo(49);
        assertThat(dataset.get("problems").isEmpty()).isTrue();
        try (var stored = store.open(Datasets.key(id), 0)) {
            assertThat(stored.readAllBytes()).isEqualTo(zip);
        }

        assertThat(api.get("/v1/datasets/" + id, team.key()).json()).isEqualTo(dataset);
        assertThat(api.get("/v1/datasets/" + id, ADMIN_KEY).status()).as("admins see every team's").isEqualTo(200);
        String otherTeam = newTeamKey("live");
        assertThat(api.get("/v1/datasets/" + id, otherTeam).status()).isEqualTo(404);
        assertThat(api.get("/v1/datasets", otherTeam).json().get("data").valueStream().map(d -> d.get("id").asString())).doesNotContain(id);
        assertThat(api.send("DELETE", "/v1/datasets/" + id, otherTeam, null, java.util.Map.of()).status()).isEqualTo(404);
    }

    @Test
    void anInvalidDatasetIsKeptWithEveryProblemNamed() {
        String key = newTeamKey("sandbox");

        Response created = api.upload("/v1/datasets", key, zip().clips(3, MP4_49_FRAMES).entry("a.png", new byte[] { 1, 2 }).bytes(),
                "application/zip");

        assertThat(created.status()).isEqualTo(201);
        assertThat(created.json().get("status").asString()).isEqualTo("invalid");
        assertThat(created.json().get("file_name").asString()).isEqualTo("dataset.zip");
        assertThat(created.json().get("problems").valueStream().map(p -> p.get("path").asString() + ": " + p.get("message").asString()))
                .anyMatch(p -> p.startsWith("a.png: an image"))
                .anyMatch(p -> p.equals(": the zip has 3 video clips; the trainer needs at least 10"));
    }

    @Test
    void listsTheTeamsDatasetsNewestFirstPageByPage() {
        TeamKey team = api.newTeam(ADMIN_KEY, "live");
        String[] ids = new String[3];
        for (int i = 0; i < 3; i++) {
            ids[i] = api.upload("/v1/datasets?file_name=set-" + i + ".zip", team.key(), zip().clips(10, MP4_49_FRAMES).bytes(), "application/zip")
                    .json().get("id").asString();
        }

        JsonNode first = api.get("/v1/datasets?limit=2", team.key()).json();
        assertThat(first.get("data").valueStream().map(d -> d.get("id").asString())).containsExactly(ids[2], ids[1]);
        JsonNode second = api.get("/v1/datasets?limit=2&cursor=" + first.get("next_cursor").asString(), team.key()).json();
        assertThat(second.get("data").valueStream().map(d -> d.get("id").asString())).containsExactly(ids[0]);
        assertThat(second.get("next_cursor").isNull()).isTrue();
        assertThat(api.get("/v1/datasets?team=" + team.slug(), ADMIN_KEY).json().get("data").size()).isEqualTo(3);
        assertThat(api.get("/v1/datasets?limit=0", team.key()).status()).isEqualTo(400);
        assertThat(api.get("/v1/datasets?cursor=nonsense", team.key()).status()).isEqualTo(400);
    }

    @Test
    void aDeletedDatasetIsGoneFromTheStoreAndTheApiAndTheDeleteIsAudited() {
        TeamKey team = api.newTeam(ADMIN_KEY, "live");
        String id = api.upload("/v1/datasets", team.key(), zip().clips(10, MP4_49_FRAMES).bytes(), "application/zip").json().get("id").asString();

        assertThat(api.send("DELETE", "/v1/datasets/" + id, team.key(), null, java.util.Map.of()).status()).isEqualTo(204);

        assertThat(api.get("/v1/datasets/" + id, team.key()).status()).isEqualTo(404);
        assertThat(api.send("DELETE", "/v1/datasets/" + id, team.key(), null, java.util.Map.of()).status()).isEqualTo(404);
        assertThat(store.size(Datasets.key(id))).isEmpty();
        assertThat(jdbc.sql("select action from audit_log where target = ?").param("dataset:" + id).query(String.class).list())
                .containsExactly("dataset.deleted");
    }

    @Test
    void whatIsNoDatasetIsA4xxProblemAndNothingIsKept() {
        String key = newTeamKey("live");
        long before = datasets();

        Response notAZip = api.upload("/v1/datasets", key, "just some text".getBytes(), "application/zip");
        assertThat(notAZip.status()).isEqualTo(400);
        assertThat(notAZip.json().get("detail").asString()).startsWith("The body is not a readable zip archive");
        byte[] whole = zip().clips(10, MP4_49_FRAMES).bytes();
        Response truncated = api.upload("/v1/datasets", key, java.util.Arrays.copyOf(whole, whole.length / 2), "application/zip");
        assertThat(truncated.status()).isEqualTo(400);
        Response empty = api.upload("/v1/datasets", key, new byte[0], "application/zip");
        assertThat(empty.status()).isEqualTo(400);
        assertThat(empty.json().get("errors").get(0).get("field").asString()).isEqualTo("body");
        Response json = api.upload("/v1/datasets", key, whole, "application/json");
        assertThat(json.status()).isEqualTo(415);
        assertThat(json.header("Content-Type")).startsWith("application/problem+json");
        Response badName = api.upload("/v1/datasets?file_name=a%2Fb.zip", key, whole, "application/zip");
        assertThat(badName.status()).isEqualTo(400);
        assertThat(badName.json().get("errors").get(0).get("field").asString()).isEqualTo("file_name");
        Response admin = api.upload("/v1/datasets", ADMIN_KEY, whole, "application/zip");
        assertThat(admin.status()).isEqualTo(403);
        assertThat(api.upload("/v1/datasets", null, whole, "application/zip").status()).isEqualTo(401);
        Response tooLarge = api.upload("/v1/datasets", key, new byte[(int) DATASETS_MAX_SIZE + 1], "application/zip");
        assertThat(tooLarge.status()).isEqualTo(413);
        assertThat(tooLarge.json().get("detail").asString()).contains("gateway.datasets.max-size");
        Response tooLargeChunked = api.uploadChunked("/v1/datasets", key, new byte[(int) DATASETS_MAX_SIZE + 1], "application/zip");
        assertThat(tooLargeChunked.status()).as("found while reading").isEqualTo(413);
        assertThat(api.uploadChunked("/v1/datasets", key, whole, "application/zip").status()).as("a chunked upload within the limit").isEqualTo(201);

        assertThat(datasets()).as("only the chunked upload within the limit").isEqualTo(before + 1);
    }

    private long datasets() {
        return jdbc.sql("select count(*) from dataset").query(Long.class).single();
    }
}
