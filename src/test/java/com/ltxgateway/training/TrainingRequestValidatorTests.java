package com.ltxgateway.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.entry;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.Collections;
import java.util.List;
import java.util.UUID;

import com.ltxgateway.access.Caller;
import com.ltxgateway.access.KeyMode;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import com.ltxgateway.FieldViolation;
import com.ltxgateway.net.OutboundUrlPolicy;
import com.ltxgateway.net.OutboundUrlProperties;

import jakarta.validation.Validation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

class TrainingRequestValidatorTests {

    private static final String MINIMAL = """
            {"input": {"training_data_url": "https://example.com/data.zip"}}""";

    private static final String SAMPLE = """
            {"prompt": "a cat", "start_image_url": "https://example.com/a.png",
             "end_image_url": "https://example.com/b.png"}""";

    private final JsonMapper json = JsonMapper.builder().build();

    private final TrainingRequestValidator validator = new TrainingRequestValidator(
            new JsonContract(Validation.buildDefaultValidatorFactory().getValidator()),
            new OutboundUrlPolicy(new OutboundUrlProperties(List.of())),
            new StaticListableBeanFactory().getBeanProvider(TrainingDatasets.class));
    private static final Caller CALLER = new Caller(UUID.randomUUID(), "ltx_live_x", false, UUID.randomUUID(), "team", KeyMode.LIVE);

    @Test
    void minimalBodyGetsEveryDefaultInTheSeedOrder() {
        TrainingRequest request = validator.validate(json.readTree(MINIMAL), CALLER);

        // The seed's "Full Example", which lists every default, plus include_middle_keyframe.
        JsonNode expected = json.readTree("""
                {
                  "training_data_url": "https://example.com/data.zip",
                  "rank": 32,
                  "number_of_steps": 2000,
                  "learning_rate": 0.0002,
                  "number_of_frames": 89,
                  "frame_rate": 24,
                  "resolution": "medium",
                  "aspect_ratio": "1:1",
                  "trigger_phrase": "",
                  "auto_scale_input": false,
                  "split_input_into_scenes": true,
                  "split_input_duration_threshold": 30,
                  "debug_dataset": false,
                  "validation": [],
                  "validation_negative_prompt": "blurry, out of focus, overexposed, underexposed, low contrast, washed out colors, excessive noise, grainy texture, poor lighting, flickering, motion blur, distorted proportions, unnatural skin tones, deformed facial features, asymmetrical face, missing facial features, extra limbs, disfigured hands, wrong hand count, artifacts around text, inconsistent perspective, camera shake, incorrect depth of field, background too sharp, background clutter, distracting reflections, harsh shadows, inconsistent lighting direction, color banding, cartoonish rendering, 3D CGI look, unrealistic materials, uncanny valley effect, incorrect ethnicity, wrong gender, exaggerated expressions, wrong gaze direction, mismatched lip sync, silent or muted audio, distorted voice, robotic voice, echo, background noise, off-sync audio, incorrect dialogue, added dialogue, repetitive speech, jittery movement, awkward pauses, incorrect timing, unnatural transitions, inconsistent framing, tilted camera, flat lighting, inconsistent tone, cinematic oversaturation, stylized filters, or AI artifacts.",
                  "validation_number_of_frames": 89,
                  "validation_frame_rate": 24,
                  "validation_resolution": "high",
                  "validation_aspect_ratio": "1:1",
                  "stg_scale": 1,
                  "include_middle_keyframe": false
                }""");
        assertThat(request.input()).isEqualTo(expected);
        // ObjectNode equality ignores order; the text forwarded to fal does not.
        assertThat(json.writeValueAsString(request.input())).isEqualTo(json.writeValueAsString(expected));
        assertThat(request.numberOfSteps()).isEqualTo(2000);
        assertThat(request.webhookUrl()).isNull();
        assertThat(request.metadata()).isEmpty();
    }

    @Test
    void fullBodyIsKeptAsGivenInTheSeedOrder() {
        String input = """
                {
                  "training_data_url": "http://data.example.com/set.zip?v=2",
                  "rank": 128,
                  "number_of_steps": 100,
                  "learning_rate": 1,
                  "number_of_frames": 121,
                  "frame_rate": 60,
                  "resolution": "high",
                  "aspect_ratio": "16:9",
                  "trigger_phrase": "in the style of ltx",
                  "auto_scale_input": true,
                  "split_input_into_scenes": false,
                  "split_input_duration_threshold": 1.5,
                  "debug_dataset": true,
                  "validation": [
                    {"prompt": "a cat", "start_image_url": "https://example.com/a.png",
                     "end_image_url": "https://example.com/c.png", "middle_image_url": "https://example.com/b.png"}
                  ],
                  "validation_negative_prompt": "blurry",
                  "validation_number_of_frames": 10,
                  "validation_frame_rate": 8,
                  "validation_resolution": "low",
                  "validation_aspect_ratio": "9:16",
                  "stg_scale": 0,
                  "include_middle_keyframe": true
                }""";
        // Given in reverse order, to show the output follows the seed rather than the caller.
        JsonNode given = json.readTree(input);
        List<String> names = List.copyOf(given.propertyNames());
        ObjectNode reversed = json.createObjectNode();
        for (int i = names.size() - 1; i >= 0; i--) {
            reversed.set(names.get(i), given.get(names.get(i)));
        }
        ObjectNode body = json.createObjectNode();
        body.set("input", reversed);
        body.put("webhook_url", "https://hooks.example.com/ltx");
        body.set("metadata", json.readTree("""
                {"team-owner": "video", "a": "1", "z": ""}"""));

        TrainingRequest request = validator.validate(body, CALLER);

        assertThat(json.writeValueAsString(request.input())).isEqualTo(json.writeValueAsString(given));
        assertThat(request.numberOfSteps()).isEqualTo(100);
        assertThat(request.webhookUrl()).isEqualTo("https://hooks.example.com/ltx");
        assertThat(request.metadata()).containsExactly(
                entry("team-owner", "video"), entry("a", "1"), entry("z", ""));
    }

    @Test
    void inputIsANewNodeAndDefaultsAreNotShared() {
        JsonNode body = json.readTree(MINIMAL);

        TrainingRequest first = validator.validate(body, CALLER);
        ((ArrayNode) first.input().get("validation")).add("changed");
        TrainingRequest second = validator.validate(body, CALLER);

        assertThat(first.input()).isNotSameAs(body.get("input"));
        assertThat(body.get("input").size()).isEqualTo(1);
        assertThat(second.input().get("validation")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"32", "\"32\"", "32.0"})
    void rankIsNormalizedToAnInteger(String rank) {
        JsonNode normalized = validator.validate(withInput("rank", rank), CALLER).input().get("rank");

        assertThat(normalized.isInt()).isTrue();
        assertThat(normalized.intValue()).isEqualTo(32);
    }

    @Test
    void integralFloatIsNormalizedToAnInteger() {
        JsonNode steps = validator.validate(withInput("number_of_steps", "2000.0"), CALLER).input().get("number_of_steps");

        assertThat(steps.isInt()).isTrue();
        assertThat(steps.intValue()).isEqualTo(2000);
    }

    @ParameterizedTest
    @MethodSource
    void acceptedAtTheEdges(String field, String value) {
        TrainingRequest request = validator.validate(withInput(field, value), CALLER);

        assertThat(request.input().get(field)).isEqualTo(json.readTree(value));
    }

    static Stream<Arguments> acceptedAtTheEdges() {
        return Stream.of(
                arguments("training_data_url", quoted("https://example.com/" + "a".repeat(2048 - 20))),
                arguments("training_data_url", quoted("HTTP://EXAMPLE.COM")),
                arguments("number_of_steps", "20000"),
                arguments("learning_rate", "0.000001"),
                arguments("number_of_frames", "9"),
                arguments("frame_rate", "8"),
                arguments("split_input_duration_threshold", "60"),
                arguments("validation_number_of_frames", "10"),
                arguments("validation_number_of_frames", "121"),
                arguments("stg_scale", "3.0"),
                // Counted in characters: 1000 emoji are 2000 UTF-16 units.
                arguments("trigger_phrase", quoted("\uD83C\uDFAC".repeat(1000))),
                arguments("validation_negative_prompt", quoted("x".repeat(4000))),
                arguments("validation", "[" + String.join(",", Collections.nCopies(20, SAMPLE)) + "]"));
    }

    @ParameterizedTest(name = "{0} = {1} -> {2}")
    @MethodSource
    void refusedInputValue(String field, String value, String message) {
        assertThat(violationsOf(withInput(field, value)))
                .containsExactly(new FieldViolation("input." + field, message));
    }

    static Stream<Arguments> refusedInputValue() {
        String url = "must be an absolute http or https URL";
        String ranks = "must be one of 8, 16, 32, 64, 128";
        String resolutions = "must be one of low, medium, high";
        String aspectRatios = "must be one of 16:9, 1:1, 9:16";
        return Stream.of(
                arguments("training_data_url", quoted("ftp://example.com/data.zip"), url),
                arguments("training_data_url", quoted("example.com/data.zip"), url),
                arguments("training_data_url", quoted("https:///data.zip"), url),
                arguments("training_data_url", quoted("https://exa mple.com/data.zip"), url),
                arguments("training_data_url", quoted(""), url),
                arguments("training_data_url", quoted("https://example.com/" + "a".repeat(2049 - 20)),
                        "must be at most 2048 characters"),
                arguments("training_data_url", quoted("x".repeat(2049)), "must be at most 2048 characters"),
                arguments("training_data_url", "5", "must be a string"),
                arguments("training_data_url", "{}", "must be a string"),
                arguments("rank", "12", ranks),
                arguments("rank", "\"12\"", ranks),
                arguments("rank", "\"abc\"", ranks),
                arguments("rank", "\"032\"", ranks),
                arguments("rank", "32.5", ranks),
                arguments("rank", "true", ranks),
                arguments("rank", "[32]", ranks),
                arguments("number_of_steps", "99", "must be between 100 and 20000"),
                arguments("number_of_steps", "20001", "must be between 100 and 20000"),
                arguments("number_of_steps", "2000.5", "must be an integer"),
                arguments("number_of_steps", "\"2000\"", "must be an integer"),
                arguments("number_of_steps", "true", "must be an integer"),
                arguments("number_of_steps", "3000000000", "must be between 100 and 20000"),
                arguments("number_of_steps", "-3000000000", "must be between 100 and 20000"),
                arguments("number_of_steps", "99999999999999999999999", "must be between 100 and 20000"),
                arguments("number_of_steps", "1" + "0".repeat(400), "must be between 100 and 20000"),
                arguments("number_of_steps", "1e10", "must be between 100 and 20000"),
                arguments("number_of_steps", "1e400", "must be between 100 and 20000"),
                arguments("learning_rate", "0", "must be between 0.000001 and 1"),
                arguments("learning_rate", "1.01", "must be between 0.000001 and 1"),
                arguments("learning_rate", "1e400", "must be between 0.000001 and 1"),
                arguments("learning_rate", "\"0.1\"", "must be a number"),
                arguments("number_of_frames", "10", "must satisfy number_of_frames % 8 == 1 (9, 17, 25, ... 121)"),
                arguments("number_of_frames", "88", "must satisfy number_of_frames % 8 == 1 (9, 17, 25, ... 121)"),
                arguments("number_of_frames", "1", "must be between 9 and 121"),
                arguments("number_of_frames", "129", "must be between 9 and 121"),
                arguments("number_of_frames", "89.5", "must be an integer"),
                // Out of range and no 8k + 1 either: the range is the one to fix first.
                arguments("number_of_frames", "0", "must be between 9 and 121"),
                arguments("number_of_frames", "200", "must be between 9 and 121"),
                arguments("frame_rate", "7", "must be between 8 and 60"),
                arguments("frame_rate", "61", "must be between 8 and 60"),
                arguments("resolution", "\"ultra\"", resolutions),
                arguments("resolution", "\"MEDIUM\"", resolutions),
                arguments("resolution", "1", resolutions),
                arguments("aspect_ratio", "\"4:3\"", aspectRatios),
                arguments("trigger_phrase", quoted("x".repeat(1001)), "must be at most 1000 characters"),
                arguments("trigger_phrase", "5", "must be a string"),
                arguments("auto_scale_input", "\"true\"", "must be a boolean"),
                arguments("split_input_into_scenes", "1", "must be a boolean"),
                arguments("debug_dataset", "\"false\"", "must be a boolean"),
                arguments("include_middle_keyframe", "0", "must be a boolean"),
                arguments("split_input_duration_threshold", "0.5", "must be between 1 and 60"),
                arguments("split_input_duration_threshold", "61", "must be between 1 and 60"),
                arguments("split_input_duration_threshold", "\"30\"", "must be a number"),
                arguments("validation", "{}", "must be an array"),
                arguments("validation", "\"none\"", "must be an array"),
                arguments("validation", "[" + String.join(",", Collections.nCopies(21, SAMPLE)) + "]",
                        "must have at most 20 items"),
                arguments("validation_negative_prompt", quoted("x".repeat(4001)), "must be at most 4000 characters"),
                arguments("validation_negative_prompt", "[]", "must be a string"),
                arguments("validation_number_of_frames", "8", "must be between 9 and 121"),
                arguments("validation_number_of_frames", "122", "must be between 9 and 121"),
                arguments("validation_frame_rate", "61", "must be between 8 and 60"),
                arguments("validation_resolution", "\"4k\"", resolutions),
                arguments("validation_aspect_ratio", "\"16:10\"", aspectRatios),
                arguments("stg_scale", "-0.1", "must be between 0 and 3"),
                arguments("stg_scale", "3.5", "must be between 0 and 3"),
                arguments("stg_scale", "\"1\"", "must be a number"),
                arguments("stg_scale", "false", "must be a number"),
                arguments("seed", "42", "unknown field"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"rank", "number_of_steps", "learning_rate", "number_of_frames",
        "frame_rate", "resolution", "aspect_ratio", "trigger_phrase", "auto_scale_input", "split_input_into_scenes",
        "split_input_duration_threshold", "debug_dataset", "validation", "validation_negative_prompt",
        "validation_number_of_frames", "validation_frame_rate", "validation_resolution", "validation_aspect_ratio",
        "stg_scale", "include_middle_keyframe"})
    void nullInputValueIsRefused(String field) {
        assertThat(violationsOf(withInput(field, "null")))
                .containsExactly(new FieldViolation("input." + field, "must not be null"));
    }

    @Test
    void trainingDataUrlIsRequiredUnlessADatasetIsNamed() {
        assertThat(violationsOf(json.readTree("""
                {"input": {"rank": 16}}""")))
                .containsExactly(new FieldViolation("input.training_data_url", "is required unless the training names a dataset_id"));
        assertThat(violationsOf(withInput("training_data_url", "null")))
                .containsExactly(new FieldViolation("input.training_data_url", "is required unless the training names a dataset_id"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"[]", "\"input\"", "42", "null", "true"})
    void bodyMustBeAnObject(String body) {
        assertThat(violationsOf(json.readTree(body))).containsExactly(new FieldViolation("", "must be an object"));
    }

    @ParameterizedTest
    @MethodSource
    void refusedBody(String body, List<FieldViolation> violations) {
        assertThat(violationsOf(json.readTree(body))).containsExactlyElementsOf(violations);
    }

    static Stream<Arguments> refusedBody() {
        return Stream.of(
                arguments("{}", List.of(new FieldViolation("input", "is required"))),
                arguments("""
                        {"input": null}""", List.of(new FieldViolation("input", "must not be null"))),
                arguments("""
                        {"input": "https://example.com/data.zip"}""",
                        List.of(new FieldViolation("input", "must be an object"))),
                arguments("""
                        {"inputs": {"training_data_url": "https://example.com/data.zip"}}""",
                        List.of(new FieldViolation("inputs", "unknown field"),
                                new FieldViolation("input", "is required"))),
                arguments("""
                        {"input": {"training_data_url": "https://example.com/data.zip"}, "priority": "high"}""",
                        List.of(new FieldViolation("priority", "must be one of normal, low"))),
                arguments("""
                        {"input": {"training_data_url": "https://example.com/data.zip"}, "urgency": "high"}""",
                        List.of(new FieldViolation("urgency", "unknown field"))));
    }

    @Test
    void nullWebhookUrlAndMetadataMeanAbsent() {
        TrainingRequest request = validator.validate(json.readTree("""
                {"input": {"training_data_url": "https://example.com/data.zip"},
                 "webhook_url": null, "metadata": null}"""), CALLER);

        assertThat(request.webhookUrl()).isNull();
        assertThat(request.metadata()).isEmpty();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource
    void refusedWebhookUrl(String value, String message) {
        assertThat(violationsOf(withBody("webhook_url", value)))
                .containsExactly(new FieldViolation("webhook_url", message));
    }

    static Stream<Arguments> refusedWebhookUrl() {
        return Stream.of(
                arguments(quoted("ftp://hooks.example.com"), "must be an absolute http or https URL"),
                arguments(quoted("/hooks/ltx"), "must be an absolute http or https URL"),
                arguments(quoted("mailto:team@example.com"), "must be an absolute http or https URL"),
                arguments(quoted("https://hooks.example.com/" + "a".repeat(2049 - 26)),
                        "must be at most 2048 characters"),
                arguments("42", "must be a string"),
                arguments(quoted("http://169.254.169.254/latest/meta-data/"), "must not point at a link-local address"),
                arguments(quoted("https://10.1.2.3/hooks"), "must not point at a private address"),
                arguments(quoted("http://[::1]:8080/hooks"), "must not point at a loopback address"),
                arguments(quoted("http://localhost:8080/hooks"), "must not point at a loopback address"));
    }

    @Test
    void metadataAtItsLimitsIsAccepted() {
        ObjectNode metadata = json.createObjectNode();
        IntStream.range(0, 15).forEach(i -> metadata.put("key-" + i, "value"));
        metadata.put("k".repeat(64), "v".repeat(512));

        TrainingRequest request = validator.validate(withBody("metadata", metadata.toString()), CALLER);

        assertThat(request.metadata()).hasSize(16).containsEntry("k".repeat(64), "v".repeat(512));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource
    void refusedMetadata(String metadata, List<FieldViolation> violations) {
        assertThat(violationsOf(withBody("metadata", metadata))).containsExactlyElementsOf(violations);
    }

    static Stream<Arguments> refusedMetadata() {
        ObjectNode tooMany = JsonMapper.builder().build().createObjectNode();
        IntStream.range(0, 17).forEach(i -> tooMany.put("key-" + i, "value"));
        String longKey = "k".repeat(65);
        return Stream.of(
                arguments(tooMany.toString(), List.of(new FieldViolation("metadata", "must have at most 16 entries"))),
                arguments("{\"" + longKey + "\": \"v\"}",
                        List.of(new FieldViolation("metadata." + longKey, "key must be 1 to 64 characters"))),
                arguments("{\"\": \"v\"}", List.of(new FieldViolation("metadata.", "key must be 1 to 64 characters"))),
                arguments("{\"team\": " + quoted("v".repeat(513)) + "}",
                        List.of(new FieldViolation("metadata.team", "must be at most 512 characters"))),
                arguments("{\"team\": 5}", List.of(new FieldViolation("metadata.team", "must be a string"))),
                arguments("{\"team\": null}", List.of(new FieldViolation("metadata.team", "must be a string"))),
                arguments("{\"team\": {\"name\": \"video\"}}",
                        List.of(new FieldViolation("metadata.team", "must be a string"))),
                arguments("[\"team\"]", List.of(new FieldViolation("metadata", "must be an object"))),
                arguments("\"team=video\"", List.of(new FieldViolation("metadata", "must be an object"))));
    }

    @Test
    void nullMiddleImageUrlMeansAbsent() {
        TrainingRequest request = validator.validate(withInput("validation", """
                [{"prompt": "a cat", "start_image_url": "https://example.com/a.png",
                  "end_image_url": "https://example.com/b.png", "middle_image_url": null}]"""), CALLER);

        assertThat(request.input().get("validation")).isEqualTo(json.readTree("[" + SAMPLE + "]"));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource
    void refusedValidationSample(String sample, List<FieldViolation> violations) {
        assertThat(violationsOf(withInput("validation", "[" + SAMPLE + ", " + sample + "]")))
                .containsExactlyElementsOf(violations);
    }

    static Stream<Arguments> refusedValidationSample() {
        String at = "input.validation[1].";
        return Stream.of(
                arguments("{}", List.of(new FieldViolation(at + "prompt", "is required"),
                        new FieldViolation(at + "start_image_url", "is required"),
                        new FieldViolation(at + "end_image_url", "is required"))),
                arguments("""
                        {"prompt": "", "start_image_url": "a.png", "end_image_url": null, "middle_image_url": 3,
                         "seed": 1}""",
                        List.of(new FieldViolation(at + "seed", "unknown field"),
                                new FieldViolation(at + "prompt", "must not be empty"),
                                new FieldViolation(at + "start_image_url", "must be an absolute http or https URL"),
                                new FieldViolation(at + "end_image_url", "must not be null"),
                                new FieldViolation(at + "middle_image_url", "must be a string"))),
                arguments("""
                        {"prompt": %s, "start_image_url": "https://example.com/a.png",
                         "end_image_url": "https://example.com/b.png"}""".formatted(quoted("p".repeat(2001))),
                        List.of(new FieldViolation(at + "prompt", "must be at most 2000 characters"))),
                arguments("\"a cat\"", List.of(new FieldViolation("input.validation[1]", "must be an object"))),
                arguments("null", List.of(new FieldViolation("input.validation[1]", "must be an object"))));
    }

    @Test
    void middleKeyframeIsRequiredOnEveryItemWhenIncluded() {
        JsonNode body = json.readTree("""
                {"input": {
                  "training_data_url": "https://example.com/data.zip",
                  "include_middle_keyframe": true,
                  "validation": [
                    {"prompt": "a", "start_image_url": "https://example.com/a.png",
                     "middle_image_url": "https://example.com/m.png", "end_image_url": "https://example.com/b.png"},
                    {"prompt": "b", "start_image_url": "https://example.com/a.png",
                     "end_image_url": "https://example.com/b.png"},
                    {"prompt": "c", "start_image_url": "https://example.com/a.png",
                     "middle_image_url": null, "end_image_url": "https://example.com/b.png"}
                  ]}}""");

        assertThat(violationsOf(body)).containsExactly(
                new FieldViolation("input.validation[1].middle_image_url",
                        "is required on every item when include_middle_keyframe is true"),
                new FieldViolation("input.validation[2].middle_image_url",
                        "is required on every item when include_middle_keyframe is true"));
    }

    @Test
    void middleKeyframeIsOptionalOtherwise() {
        TrainingRequest request = validator.validate(withInput("validation", "[" + SAMPLE + "]"), CALLER);

        assertThat(request.input().get("validation")).hasSize(1);
    }

    @Test
    void everyViolationIsReportedAtOnce() {
        JsonNode body = json.readTree("""
                {
                  "input": {
                    "training_data_url": "s3://bucket/data.zip",
                    "rank": 12,
                    "number_of_frames": 10,
                    "learning_rate": null,
                    "include_middle_keyframe": true,
                    "validation": [
                      {"prompt": "a", "start_image_url": "https://example.com/a.png",
                       "middle_image_url": "https://example.com/m.png", "end_image_url": "https://example.com/b.png"},
                      {"prompt": "b", "start_image_url": "https://example.com/a.png"}
                    ],
                    "lora_name": "x"
                  },
                  "webhook_url": "hooks.example.com",
                  "metadata": {"team-owner": 7},
                  "callback": "https://example.com"
                }""");

        TrainingRequestInvalid invalid =
                catchThrowableOfType(TrainingRequestInvalid.class, () -> validator.validate(body, CALLER));

        assertThat(invalid).hasMessage("The request has 10 invalid fields");
        assertThat(invalid.violations()).containsExactlyInAnyOrder(
                new FieldViolation("callback", "unknown field"),
                new FieldViolation("input.lora_name", "unknown field"),
                new FieldViolation("input.training_data_url", "must be an absolute http or https URL"),
                new FieldViolation("input.rank", "must be one of 8, 16, 32, 64, 128"),
                new FieldViolation("input.learning_rate", "must not be null"),
                new FieldViolation("input.number_of_frames",
                        "must satisfy number_of_frames % 8 == 1 (9, 17, 25, ... 121)"),
                new FieldViolation("input.validation[1].end_image_url", "is required"),
                new FieldViolation("input.validation[1].middle_image_url",
                        "is required on every item when include_middle_keyframe is true"),
                new FieldViolation("webhook_url", "must be an absolute http or https URL"),
                new FieldViolation("metadata.team-owner", "must be a string"));
    }

    private List<FieldViolation> violationsOf(JsonNode body) {
        TrainingRequestInvalid invalid =
                catchThrowableOfType(TrainingRequestInvalid.class, () -> validator.validate(body, CALLER));
        assertThat(invalid).as("violations of %s", body).isNotNull();
        return invalid.violations();
    }

    /** The minimal body with {@code field} of the input set to the JSON {@code value}. */
    private JsonNode withInput(String field, String value) {
        JsonNode body = json.readTree(MINIMAL);
        ((ObjectNode) body.get("input")).set(field, json.readTree(value));
        return body;
    }

    /** The minimal body with the top-level {@code field} set to the JSON {@code value}. */
    private JsonNode withBody(String field, String value) {
        ObjectNode body = (ObjectNode) json.readTree(MINIMAL);
        body.set(field, json.readTree(value));
        return body;
    }

    private static String quoted(String text) {
        return "\"" + text + "\"";
    }
}
