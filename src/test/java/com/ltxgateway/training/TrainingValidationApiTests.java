package com.ltxgateway.training;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.ltxgateway.support.Api.Response;
import com.ltxgateway.support.GatewayTestSupport;

import tools.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Bad training requests are refused before anything is stored, as problems that say what to fix. */
class TrainingValidationApiTests extends GatewayTestSupport {

    private static final String VALID = """
            {"input": {"training_data_url": "https://example.com/clips.zip"}}""";

    @ParameterizedTest
    @ValueSource(strings = { "/v1/trainings", "/v1/trainings/validate" })
    void namesEveryViolationAtOnceWithExactFieldPaths(String path) {
        String key = newTeamKey("sandbox");

        Response response = api.post(path, key, """
                {"input": {
                  "training_data_url": "https://example.com/clips.zip",
                  "rank": 7,
                  "number_of_frames": 10,
                  "include_middle_keyframe": true,
                  "validation": [
                    {"prompt": "a cat", "start_image_url": "https://example.com/1.png",
                     "end_image_url": "https://example.com/2.png", "middle_image_url": "https://example.com/m.png"},
                    {"prompt": "a dog", "start_image_url": "https://example.com/3.png",
                     "end_image_url": "https://example.com/4.png"}
                  ]}}""");

        JsonNode problem = assertValidationProblem(response);
        assertThat(fields(problem)).containsExactlyInAnyOrder("input.rank", "input.number_of_frames",
                "input.validation[1].middle_image_url");
        assertThat(message(problem, "input.rank")).contains("8, 16, 32, 64, 128");
        assertThat(message(problem, "input.number_of_frames")).contains("% 8 == 1");
        assertThat(message(problem, "input.validation[1].middle_image_url")).contains("include_middle_keyframe");
        assertThat(problem.get("detail").asString()).contains("3 invalid fields");
        assertNothingStored(key);
    }

    @Test
    void namesMissingRequiredFields() {
        String key = newTeamKey("sandbox");

        JsonNode problem = assertValidationProblem(api.post("/v1/trainings", key, """
                {"input": {"validation": [{"prompt": "x"}]}}"""));

        assertThat(fields(problem)).containsExactlyInAnyOrder("input.training_data_url",
                "input.validation[0].start_image_url", "input.validation[0].end_image_url");
        assertThat(problem.get("errors").valueStream().map(e -> e.get("field").asString() + " " + e.get("message").asString()))
                .containsExactlyInAnyOrder("input.training_data_url is required unless the training names a dataset_id",
                        "input.validation[0].start_image_url is required", "input.validation[0].end_image_url is required");
        assertThat(fields(assertValidationProblem(api.post("/v1/trainings", key, "{}")))).containsExactly("input");
    }

    @Test
    void refusesUnknownFieldsAtEveryLevel() {
        String key = newTeamKey("sandbox");

        JsonNode problem = assertValidationProblem(api.post("/v1/trainings", key, """
                {"input": {"training_data_url": "https://example.com/clips.zip", "ranks": 32,
                           "validation": [{"prompt": "p", "start_image_url": "https://example.com/1.png",
                                           "end_image_url": "https://example.com/2.png", "extra": 1}]},
                 "urgency": "high"}"""));

        assertThat(fields(problem)).containsExactlyInAnyOrder("urgency", "input.ranks", "input.validation[0].extra");
        assertThat(problem.get("errors").valueStream().map(e -> e.get("message").asString())).containsOnly("unknown field");
        assertNothingStored(key);
    }

    @ParameterizedTest
    @ValueSource(strings = { "[]", "[" + VALID + "]", "\"input\"", "42", "true", "null" })
    void refusesABodyThatIsNotAnObject(String body) {
        String key = newTeamKey("sandbox");

        Response response = api.post("/v1/trainings", key, body);

        assertThat(response.status()).as(response.text()).isEqualTo(400);
        assertProblem(response, 400);
        assertNothingStored(key);
    }

    @Test
    void namesTheProblemWithMalformedJson() {
        String key = newTeamKey("sandbox");

        Response response = api.post("/v1/trainings", key, "{\"input\": {\"training_data_url\": \"https://example.com/x\",\n \"rank\": }}");

        JsonNode problem = assertProblem(response, 400);
        assertThat(problem.get("detail").asString()).contains("not valid JSON").contains("line 2");
        assertNothingStored(key);
    }

    @Test
    void asksForABodyWhenThereIsNone() {
        String key = newTeamKey("sandbox");

        Response response = api.send("POST", "/v1/trainings", key, "", Map.of());

        assertThat(assertProblem(response, 400).get("detail").asString()).isNotBlank();
        assertNothingStored(key);
    }

    @Test
    void refusesOtherContentTypesWith415() {
        String key = newTeamKey("sandbox");

        for (String path : List.of("/v1/trainings", "/v1/trainings/validate")) {
            Response response = api.post(path, key, VALID, Map.of("Content-Type", "text/plain"));
            assertThat(assertProblem(response, 415).get("type").asString()).endsWith("/unsupported-media-type");
        }
        assertNothingStored(key);
    }

    @Test
    void answersUnknownPathsAndMethodsWithProblems() {
        String key = newTeamKey("sandbox");

        assertThat(assertProblem(api.get("/v1/no-such-thing", key), 404).get("type").asString()).endsWith("/not-found");
        assertThat(assertProblem(api.send("PUT", "/v1/trainings", key, VALID, Map.of()), 405).get("type").asString())
                .endsWith("/method-not-allowed");
        assertThat(assertProblem(api.get("/v1/trainings/validate", key), 404).get("type").asString()).endsWith("/not-found");
        assertNothingStored(key);
    }

    @Test
    void refusesABodyOverTheSizeLimitWith413() {
        String key = newTeamKey("sandbox");

        Response response = api.post("/v1/trainings", key, oversizedRequest());

        JsonNode problem = assertProblem(response, 413);
        assertThat(problem.get("detail").asString()).contains("larger than");
        assertNothingStored(key);
    }

    /** Without a Content-Length the limit has to be enforced while the body streams in. */
    @Test
    void refusesAChunkedBodyOverTheSizeLimitWith413() throws Exception {
        String key = newTeamKey("sandbox");
        byte[] body = oversizedRequest().getBytes(StandardCharsets.UTF_8);
        var request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/v1/trainings"))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json")
                .POST(BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)))
                .build();

        HttpResponse<String> response;
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            response = client.send(request, BodyHandlers.ofString());
        }

        assertThat(response.statusCode()).as(response.body()).isEqualTo(413);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        assertNothingStored(key);
    }

    @Test
    void validateAppliesDefaultsAndEstimatesTheCost() {
        String key = newTeamKey("sandbox");

        Response response = api.post("/v1/trainings/validate", key, VALID);

        assertThat(response.status()).as(response.text()).isEqualTo(200);
        JsonNode body = response.json();
        assertThat(body.get("estimated_cost_usd").decimalValue()).isEqualByComparingTo("4.8");
        JsonNode input = body.get("input");
        assertThat(input.get("training_data_url").asString()).isEqualTo("https://example.com/clips.zip");
        assertThat(input.get("rank").intValue()).isEqualTo(32);
        assertThat(input.get("number_of_steps").intValue()).isEqualTo(2000);
        assertThat(input.get("learning_rate").doubleValue()).isEqualTo(0.0002);
        assertThat(input.get("number_of_frames").intValue()).isEqualTo(89);
        assertThat(input.get("frame_rate").intValue()).isEqualTo(24);
        assertThat(input.get("resolution").asString()).isEqualTo("medium");
        assertThat(input.get("aspect_ratio").asString()).isEqualTo("1:1");
        assertThat(input.get("validation_resolution").asString()).isEqualTo("high");
        assertThat(input.get("split_input_into_scenes").booleanValue()).isTrue();
        assertThat(input.get("include_middle_keyframe").booleanValue()).isFalse();
        assertThat(input.get("validation").isArray()).isTrue();
        assertThat(input.get("validation_negative_prompt").asString()).startsWith("blurry");
        assertThat(input.propertyNames()).hasSize(21);
        assertNothingStored(key);
    }

    @Test
    void validateTakesTheRankAsANumeralAndPricesTheSteps() {
        String key = newTeamKey("sandbox");

        Response response = api.post("/v1/trainings/validate", key, """
                {"input": {"training_data_url": "https://example.com/clips.zip", "rank": "64", "number_of_steps": 20000},
                 "metadata": {"owner": "ml"}}""");

        assertThat(response.status()).as(response.text()).isEqualTo(200);
        assertThat(response.json().get("input").get("rank").isNumber()).isTrue();
        assertThat(response.json().get("input").get("rank").intValue()).isEqualTo(64);
        assertThat(response.json().get("estimated_cost_usd").decimalValue()).isEqualByComparingTo("48");
    }

    @Test
    void createStoresTheInputWithDefaultsApplied() {
        String key = newTeamKey("sandbox");

        JsonNode training = create(key, """
                {"input": {"training_data_url": "https://example.com/clips.zip", "number_of_steps": 2000.0},
                 "metadata": {"owner": "ml"}, "webhook_url": null}""");

        assertThat(training.get("input").get("number_of_steps").isIntegralNumber()).isTrue();
        assertThat(training.get("input").get("validation_frame_rate").intValue()).isEqualTo(24);
        assertThat(training.get("estimated_cost_usd").decimalValue()).isEqualByComparingTo("4.8");
        assertThat(training.get("metadata").get("owner").asString()).isEqualTo("ml");
        assertThat(training.get("webhook_url").isNull()).isTrue();
    }

    @Test
    void boundsMetadata() {
        String key = newTeamKey("sandbox");
        var metadata = new StringBuilder("{");
        for (int i = 0; i < 17; i++) {
            metadata.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":\"v\"");
        }
        metadata.append(",\"").append("x".repeat(65)).append("\":\"v\"");
        metadata.append(",\"long\":\"").append("y".repeat(513)).append("\"}");

        JsonNode problem = assertValidationProblem(api.post("/v1/trainings", key,
                "{\"input\": {\"training_data_url\": \"https://example.com/c.zip\"}, \"metadata\": " + metadata + "}"));

        assertThat(fields(problem)).containsExactlyInAnyOrder("metadata", "metadata." + "x".repeat(65), "metadata.long");
        assertNothingStored(key);
    }

    /** Whatever a client sends, a mistake is a 400 problem, never a 500, and nothing is stored. */
    @Test
    void neverAnswers500ToNastyInput() {
        String key = newTeamKey("sandbox");
        String url = "\"training_data_url\": \"https://example.com/clips.zip\"";
        List<String> refused = List.of(
                "{\"input\": " + "[".repeat(5000) + "]".repeat(5000) + "}",
                "{\"input\": {" + url + "}, \"metadata\": {\"k\": " + "{\"a\": ".repeat(300) + "1" + "}".repeat(300) + "}}",
                "{\"input\": {" + url + ", \"number_of_steps\": 1e400}}",
                "{\"input\": {" + url + ", \"number_of_steps\": -1e400}}",
                "{\"input\": {" + url + ", \"learning_rate\": 1e-400}}",
                "{\"input\": {" + url + ", \"number_of_steps\": 123456789012345678901234567890}}",
                "{\"input\": {" + url + ", \"number_of_steps\": " + "9".repeat(5000) + "}}",
                "{\"input\": {" + url + ", \"rank\": 1e308}}",
                "{\"input\": {" + url + ", \"rank\": 32.5}}",
                "{\"input\": {" + url + ", \"rank\": \"32.0\"}}",
                "{\"input\": {" + url + ", \"number_of_frames\": 9.5}}",
                "{\"input\": {" + url + ", \"learning_rate\": NaN}}",
                "{\"input\": {" + url + ", \"stg_scale\": Infinity}}",
                "{\"input\": null}",
                "{\"input\": {\"training_data_url\": null}}",
                "{\"input\": {" + url + ", \"rank\": null}}",
                "{\"input\": {" + url + ", \"validation\": [null]}}",
                "{\"input\": {" + url + ", \"validation\": null, \"include_middle_keyframe\": true}}",
                "{\"input\": {" + url + ", \"include_middle_keyframe\": true, \"validation\": [1, \"x\", []]}}",
                "{\"input\": {" + url + ", \"rank\": true}}",
                "{\"input\": {" + url + ", \"number_of_steps\": \"2000\"}}",
                "{\"input\": {" + url + ", \"auto_scale_input\": \"true\"}}",
                "{\"input\": {" + url + ", \"validation\": {}}}",
                "{\"input\": {" + url + "}, \"metadata\": []}",
                "{\"input\": {" + url + "}, \"metadata\": {\"\": \"v\"}}",
                "{\"input\": {" + url + "}, \"metadata\": {\"k\": null}}",
                "{\"input\": {" + url + "}, \"webhook_url\": 42}",
                "{\"input\": {" + url + "}, \"webhook_url\": \"ftp://example.com/hook\"}",
                "{\"input\": {\"training_data_url\": \"not a url\"}}",
                "{\"input\": {\"training_data_url\": \"https://\"}}",
                "{\"input\": {\"training_data_url\": \"https://example.com/\\ud800\"}}",
                "{\"input\": {\"training_data_url\": \"https://example.com/\\u0000\"}}",
                "{\"input\": {\"training_data_url\": \"https://example.com/" + "a".repeat(3000) + "\"}}",
                "{\"input\": {" + url + ", \"trigger_phrase\": \"" + "t".repeat(1001) + "\"}}",
                "{\"input\": {" + url + "}}, \"trailing\"",
                "{\"input\": {" + url + "}",
                "{'input': {}}",
                "{\"input\": {" + url + ", \"rank\": 8, \"rank\": 8}}",
                "{\"input\": {" + url + "}, \"input\": {" + url + "}}",
                "\u0000",
                "");
        for (String body : refused) {
            Response response = api.post("/v1/trainings", key, body);
            assertThat(response.status()).as(abbreviate(body) + " -> " + response.text()).isEqualTo(400);
            assertThat(response.header("Content-Type")).as(abbreviate(body)).startsWith("application/problem+json");
        }

        Response integralFloat = api.post("/v1/trainings/validate", key, "{\"input\": {" + url + ", \"number_of_frames\": 17.0}}");
        assertThat(integralFloat.status()).as(integralFloat.text()).isEqualTo(200);
        assertThat(integralFloat.json().get("input").get("number_of_frames").isIntegralNumber()).isTrue();
        assertNothingStored(key);
    }

    /**
     * U+0000 and unpaired surrogates are legal in a JSON string, yet PostgreSQL cannot store the one and UTF-8
     * cannot encode the other: they are refused by name like any other invalid value.
     */
    @Test
    void refusesTextThatCannotBeStored() {
        String key = newTeamKey("sandbox");
        List<String> bodies = List.of(
                "{\"input\": {\"training_data_url\": \"https://example.com/clips.zip\", \"trigger_phrase\": \"a\\u0000b\"}}",
                "{\"input\": {\"training_data_url\": \"https://example.com/clips.zip\"}, \"metadata\": {\"k\": \"a\\u0000b\"}}",
                "{\"input\": {\"training_data_url\": \"https://example.com/clips.zip\"}, \"metadata\": {\"a\\u0000b\": \"v\"}}",
                "{\"input\": {\"training_data_url\": \"https://example.com/clips.zip\", \"validation\": [{\"prompt\": \"\\u0000\", "
                        + "\"start_image_url\": \"https://example.com/1.png\", \"end_image_url\": \"https://example.com/2.png\"}]}}",
                "{\"input\": {\"training_data_url\": \"https://example.com/clips.zip\", \"trigger_phrase\": \"\\udc00 lone\"}}",
                "{\"input\": {\"training_data_url\": \"https://example.com/clips.zip\"}, \"metadata\": {\"k\": \"\\ud83d\"}}");
        for (String body : bodies) {
            Response response = api.post("/v1/trainings", key, body);
            assertThat(response.status()).as(body + " -> " + response.text()).isEqualTo(400);
            assertThat(fields(response.json())).hasSize(1);
        }
        assertNothingStored(key);
    }

    private static String oversizedRequest() {
        return "{\"input\": {\"training_data_url\": \"https://example.com/clips.zip\", \"trigger_phrase\": \""
                + "a".repeat(600 * 1024) + "\"}}";
    }

    private void assertNothingStored(String key) {
        Response list = api.get("/v1/trainings", key);
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.json().get("data").size()).as("trainings stored for the team").isZero();
    }

    static JsonNode assertValidationProblem(Response response) {
        JsonNode problem = assertProblem(response, 400);
        assertThat(problem.get("type").asString()).endsWith("/validation-error");
        assertThat(problem.get("errors").isArray()).isTrue();
        problem.get("errors").forEach(error -> {
            assertThat(error.get("field").isString()).isTrue();
            assertThat(error.get("message").asString()).isNotBlank();
        });
        return problem;
    }

    static JsonNode assertProblem(Response response, int status) {
        assertThat(response.status()).as(response.text()).isEqualTo(status);
        assertThat(response.header("Content-Type")).startsWith("application/problem+json");
        JsonNode problem = response.json();
        assertThat(problem.path("type").asString("")).as(response.text()).isNotBlank();
        assertThat(problem.path("title").asString("")).as(response.text()).isNotBlank();
        assertThat(problem.path("status").intValue()).as(response.text()).isEqualTo(status);
        assertThat(problem.path("detail").asString("")).as(response.text()).isNotBlank();
        return problem;
    }

    static List<String> fields(JsonNode problem) {
        return problem.get("errors").valueStream().map(e -> e.get("field").asString()).toList();
    }

    private static String message(JsonNode problem, String field) {
        return problem.get("errors").valueStream().filter(e -> e.get("field").asString().equals(field))
                .map(e -> e.get("message").asString()).findFirst().orElseThrow();
    }

    private static String abbreviate(String body) {
        return body.length() > 120 ? body.substring(0, 120) + "...(" + body.length() + " chars)" : body;
    }
}
