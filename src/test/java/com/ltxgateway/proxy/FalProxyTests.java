package com.ltxgateway.proxy;

import java.util.HashMap;
import java.util.Map;

import com.ltxgateway.support.Api.Response;
import com.ltxgateway.support.GatewayTestSupport;

import tools.jackson.databind.JsonNode;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * fal's server-proxy protocol as fal's clients speak it, request by request: every answer is the gateway's, in fal's
 * shapes. The real {@code @fal-ai/client} drives the same endpoint in {@link FalJsClientTests}.
 */
class FalProxyTests extends GatewayTestSupport {

    private static final String QUEUE = "https://queue.fal.run/fal-ai/ltx23-trainer-v2";
    private static final String SUBMIT = QUEUE + "/interpolate";

    @Test
    void aSubmitIsATrainingFollowedThroughStatusAndResultInFalsShapes() {
        String key = newTeamKey("sandbox");

        Response submitted = proxy("POST", SUBMIT, key, "{\"training_data_url\": \"https://example.com/clips.zip\", \"number_of_steps\": 100}", Map.of());

        assertThat(submitted.status()).as(submitted.text()).isEqualTo(200);
        JsonNode answer = submitted.json();
        String id = answer.get("request_id").asString();
        assertThat(id).startsWith("trn_");
        assertThat(answer.get("status").asString()).isEqualTo("IN_QUEUE");
        assertThat(answer.get("status_url").asString()).isEqualTo(QUEUE + "/requests/" + id + "/status");
        assertThat(answer.get("response_url").asString()).isEqualTo(QUEUE + "/requests/" + id);
        assertThat(answer.get("cancel_url").asString()).isEqualTo(QUEUE + "/requests/" + id + "/cancel");
        assertThat(api.get("/v1/trainings/" + id, key).json().get("input").get("number_of_steps").asInt()).as("a training of the team").isEqualTo(100);

        Response queued = proxy("GET", QUEUE + "/requests/" + id + "/status", key, null, Map.of());
        assertThat(queued.status()).isEqualTo(202);
        assertThat(queued.json().get("status").asString()).isIn("IN_QUEUE", "IN_PROGRESS");

        Response[] done = new Response[1];
        Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> {
            done[0] = proxy("GET", QUEUE + "/requests/" + id + "/status?logs=1", key, null, Map.of());
            return done[0].status() == 200;
        });
        assertThat(done[0].json().get("status").asString()).isEqualTo("COMPLETED");
        assertThat(done[0].json().get("logs").size()).isPositive();
        assertThat(done[0].json().get("logs").get(0).has("timestamp")).isTrue();

        awaitTraining(key, id, t -> t.get("output").get("lora_file").get("stored").asBoolean());
        Response result = proxy("GET", QUEUE + "/requests/" + id, key, null, Map.of());
        assertThat(result.status()).isEqualTo(200);
        assertThat(result.json().get("lora_file").get("url").asString()).isEqualTo("http://localhost:8080/v1/trainings/" + id + "/files/lora_file");
        assertThat(result.json().has("audio")).as("absent files left out").isFalse();

        Response lateCancel = proxy("PUT", QUEUE + "/requests/" + id + "/cancel", key, null, Map.of());
        assertThat(lateCancel.status()).isEqualTo(400);
        assertThat(lateCancel.json().get("status").asString()).isEqualTo("ALREADY_COMPLETED");
    }

    @Test
    void aCancelIsTheTrainingsCancelAndItsResultIsFalsCancelledRequest() {
        String key = newTeamKey("live");
        FAL.queueDuration(java.time.Duration.ofSeconds(30));
        try {
            String id = proxy("POST", SUBMIT, key, "{\"training_data_url\": \"https://example.com/cancel.zip\"}", Map.of()).json().get("request_id").asString();

            Response canceled = proxy("PUT", QUEUE + "/requests/" + id + "/cancel", key, null, Map.of());

            assertThat(canceled.status()).isEqualTo(202);
            assertThat(canceled.json().get("status").asString()).isEqualTo("CANCELLATION_REQUESTED");
            awaitStatus(key, id, "canceled");
            Response status = proxy("GET", QUEUE + "/requests/" + id + "/status", key, null, Map.of());
            assertThat(status.json().get("status").asString()).isEqualTo("COMPLETED");
            assertThat(status.json().get("error_type").asString()).isEqualTo("request_cancelled");
            assertThat(proxy("GET", QUEUE + "/requests/" + id, key, null, Map.of()).status()).isEqualTo(400);
        }
        finally {
            FAL.runsAsDefault();
        }
    }

    @Test
    void invalidInputIsFals422WithEveryFieldLocatedAndNothingIsStored() {
        String key = newTeamKey("sandbox");

        Response invalid = proxy("POST", SUBMIT + "?fal_webhook=ftp%3A%2F%2Fx", key,
                "{\"training_data_url\": \"ftp://x\", \"number_of_frames\": 90, \"validation\": [{\"prompt\": \"p\"}]}", Map.of());

        assertThat(invalid.status()).isEqualTo(422);
        assertThat(invalid.json().get("detail").valueStream().map(d -> d.get("loc").toString() + " " + d.get("type").asString()))
                .contains("[\"body\",\"training_data_url\"] value_error", "[\"body\",\"number_of_frames\"] value_error",
                        "[\"body\",\"validation\",0,\"start_image_url\"] value_error", "[\"query\",\"fal_webhook\"] value_error");
        assertThat(api.get("/v1/trainings", key).json().get("data").isEmpty()).isTrue();
    }

    @Test
    void anIdempotencyKeyMakesARetriedSubmitTheSameTraining() {
        String key = newTeamKey("sandbox");
        String body = "{\"training_data_url\": \"https://example.com/idem.zip\"}";

        String first = proxy("POST", SUBMIT, key, body, Map.of("x-idempotency-key", "proxy-once")).json().get("request_id").asString();
        String second = proxy("POST", SUBMIT, key, body, Map.of("x-idempotency-key", "proxy-once")).json().get("request_id").asString();

        assertThat(second).isEqualTo(first);
    }

    @Test
    void whatIsNotServedIsA400NamingItAndNoKeyIsA401() {
        String key = newTeamKey("sandbox");

        assertThat(detail(proxy("POST", null, key, "{}", Map.of()))).contains("x-fal-target-url header is missing");
        assertThat(detail(proxy("POST", "https://queue.fal.run/fal-ai/flux/dev", key, "{}", Map.of())))
                .contains("serves fal's queue for fal-ai/ltx23-trainer-v2/interpolate only");
        assertThat(detail(proxy("POST", "https://fal.run/fal-ai/ltx23-trainer-v2/interpolate", key, "{}", Map.of())))
                .contains("this gateway does not serve https://fal.run");
        assertThat(detail(proxy("GET", SUBMIT, key, null, Map.of()))).contains("a submit is POST, not GET");
        assertThat(proxy("POST", SUBMIT, null, "{}", Map.of()).status()).isEqualTo(401);
        assertThat(proxy("POST", SUBMIT, "ltx_live_unknown", "{}", Map.of()).status()).isEqualTo(401);
        assertThat(proxy("GET", QUEUE + "/requests/trn_unknown/status", key, null, Map.of()).status()).isEqualTo(404);
        assertThat(proxy("POST", SUBMIT, ADMIN_KEY, "{\"training_data_url\": \"https://example.com/a.zip\"}", Map.of()).status())
                .as("admin keys own no trainings").isEqualTo(403);
    }

    @Test
    void anUploadInPartsThroughFalsStorageProtocolBecomesOneDatasetOnce() {
        String key = newTeamKey("sandbox");
        byte[] zip = com.ltxgateway.dataset.TestZips.zip().clips(10, com.ltxgateway.dataset.TestZips.MP4_49_FRAMES).bytes();

        JsonNode initiated = proxy("POST", "https://rest.fal.ai/storage/upload/initiate-multipart?storage_type=fal-cdn-v3", key,
                "{\"content_type\": \"application/zip\", \"file_name\": \"parts.zip\"}", Map.of()).json();
        String uploadUrl = initiated.get("upload_url").asString();
        String path = java.net.URI.create(uploadUrl).getPath();
        StringBuilder parts = new StringBuilder();
        int partSize = 8 * 1024;
        for (int offset = 0, number = 1; offset < zip.length; offset += partSize, number++) {
            Response part = api.uploadRaw("PUT", path + "/" + number, java.util.Arrays.copyOfRange(zip, offset, Math.min(zip.length, offset + partSize)));
            assertThat(part.status()).as(part.text()).isEqualTo(200);
            assertThat(part.json().get("partNumber").asInt()).isEqualTo(number);
            parts.append(parts.isEmpty() ? "" : ",").append("{\"partNumber\": ").append(number).append(", \"etag\": \"")
                    .append(part.json().get("etag").asString()).append("\"}");
        }
        assertThat(api.send("POST", path + "/complete", null, "{\"parts\": [" + parts + "]}", Map.of()).status()).isEqualTo(200);

        String dataset = initiated.get("file_url").asString().replaceAll(".*/(ds_[0-9a-z]+)/file", "$1");
        JsonNode uploaded = api.get("/v1/datasets/" + dataset, key).json();
        assertThat(uploaded.get("file_name").asString()).isEqualTo("parts.zip");
        assertThat(uploaded.get("size_bytes").asLong()).isEqualTo(zip.length);
        assertThat(uploaded.get("status").asString()).isEqualTo("ready");
        assertThat(api.send("POST", path + "/complete", null, "{\"parts\": [" + parts + "]}", Map.of()).status())
                .as("a ticket is used once").isEqualTo(404);
        assertThat(api.uploadRaw("PUT", path, zip).status()).isEqualTo(404);
        assertThat(api.uploadRaw("PUT", "/api/fal/storage/uploads/not-a-token", zip).status()).isEqualTo(404);
    }

    private static String detail(Response response) {
        assertThat(response.status()).as(response.text()).isEqualTo(400);
        return response.json().get("detail").asString();
    }

    /** A call as fal's client makes it through a proxy: the team key as {@code Key}, fal's URL in x-fal-target-url. */
    private Response proxy(String method, String target, String key, String body, Map<String, String> headers) {
        Map<String, String> all = new HashMap<>(headers);
        if (target != null) {
            all.put("x-fal-target-url", target);
        }
        if (key != null) {
            all.put("Authorization", "Key " + key);
        }
        return api.send(method, "/api/fal/proxy", null, body, all);
    }
}
