package com.ltxgateway.training;

import java.math.BigDecimal;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import com.ltxgateway.FieldViolation;
import com.ltxgateway.net.OutboundUrlPolicy;

import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Checks a {@code POST /v1/trainings} body against the seed's input schema before anything is stored or sent to
 * fal, and applies the schema's defaults, so what is stored is exactly what fal runs. Violations are collected
 * rather than thrown one by one, so a caller sees all of them in a single answer.
 */
@Component
class TrainingRequestValidator {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private static final int MAX_URL_LENGTH = 2048;

    private static final String UNSTORABLE_TEXT = "must not contain U+0000 or unpaired surrogate characters";

    private static final String DEFAULT_NEGATIVE_PROMPT = "blurry, out of focus, overexposed, underexposed, "
            + "low contrast, washed out colors, excessive noise, grainy texture, poor lighting, flickering, "
            + "motion blur, distorted proportions, unnatural skin tones, deformed facial features, asymmetrical face, "
            + "missing facial features, extra limbs, disfigured hands, wrong hand count, artifacts around text, "
            + "inconsistent perspective, camera shake, incorrect depth of field, background too sharp, "
            + "background clutter, distracting reflections, harsh shadows, inconsistent lighting direction, "
            + "color banding, cartoonish rendering, 3D CGI look, unrealistic materials, uncanny valley effect, "
            + "incorrect ethnicity, wrong gender, exaggerated expressions, wrong gaze direction, mismatched lip sync, "
            + "silent or muted audio, distorted voice, robotic voice, echo, background noise, off-sync audio, "
            + "incorrect dialogue, added dialogue, repetitive speech, jittery movement, awkward pauses, "
            + "incorrect timing, unnatural transitions, inconsistent framing, tilted camera, flat lighting, "
            + "inconsistent tone, cinematic oversaturation, stylized filters, or AI artifacts.";

    private static final Rule VALIDATION_SAMPLE = object(List.of(
            required("prompt", text(2000).and(prompt -> !prompt.stringValue().isEmpty(), "must not be empty")),
            required("start_image_url", httpUrl()),
            required("end_image_url", httpUrl()),
            optional("middle_image_url", httpUrl())));

    // In the seed schema's order, which is the order fal documents and receives.
    private static final Rule INPUT = object(List.of(
            required("training_data_url", httpUrl()),
            withDefault("rank", oneOf(8, 16, 32, 64, 128), NODES.numberNode(32)),
            withDefault("number_of_steps", integer(100, 20000), NODES.numberNode(2000)),
            withDefault("learning_rate", number(0.000001, 1), NODES.numberNode(0.0002)),
            withDefault("number_of_frames", integer(9, 121).and(frames -> frames.intValue() % 8 == 1,
                    "must satisfy number_of_frames % 8 == 1 (9, 17, 25, ... 121)"), NODES.numberNode(89)),
            withDefault("frame_rate", integer(8, 60), NODES.numberNode(24)),
            withDefault("resolution", oneOf("low", "medium", "high"), NODES.stringNode("medium")),
            withDefault("aspect_ratio", oneOf("16:9", "1:1", "9:16"), NODES.stringNode("1:1")),
            withDefault("trigger_phrase", text(1000), NODES.stringNode("")),
            withDefault("auto_scale_input", bool(), NODES.booleanNode(false)),
            withDefault("split_input_into_scenes", bool(), NODES.booleanNode(true)),
            withDefault("split_input_duration_threshold", number(1, 60), NODES.numberNode(30)),
            withDefault("debug_dataset", bool(), NODES.booleanNode(false)),
            withDefault("validation", array(20, VALIDATION_SAMPLE), NODES.arrayNode()),
            withDefault("validation_negative_prompt", text(4000), NODES.stringNode(DEFAULT_NEGATIVE_PROMPT)),
            withDefault("validation_number_of_frames", integer(9, 121), NODES.numberNode(89)),
            withDefault("validation_frame_rate", integer(8, 60), NODES.numberNode(24)),
            withDefault("validation_resolution", oneOf("low", "medium", "high"), NODES.stringNode("high")),
            withDefault("validation_aspect_ratio", oneOf("16:9", "1:1", "9:16"), NODES.stringNode("1:1")),
            withDefault("stg_scale", number(0, 3), NODES.numberNode(1)),
            withDefault("include_middle_keyframe", bool(), NODES.booleanNode(false))));

    private final Rule bodyRule;

    TrainingRequestValidator(OutboundUrlPolicy outboundUrls) {
        this.bodyRule = object(List.of(
                required("input", INPUT),
                optional("webhook_url", webhookUrl(outboundUrls)),
                optional("metadata", map(16, 64, text(512)))));
    }

    /** Returns the request ready to store and forward, or throws naming every violation in {@code body}. */
    TrainingRequest validate(JsonNode body) {
        Violations violations = new Violations();
        Optional<JsonNode> valid = bodyRule.check("", body, violations);
        requireMiddleKeyframes(body.path("input"), violations);
        if (violations.count() > 0) {
            throw new TrainingRequestInvalid(violations.found);
        }
        return toRequest((ObjectNode) valid.orElseThrow());
    }

    private static TrainingRequest toRequest(ObjectNode body) {
        ObjectNode input = (ObjectNode) body.get("input");
        Map<String, String> metadata = new LinkedHashMap<>();
        body.path("metadata").properties()
                .forEach(entry -> metadata.put(entry.getKey(), entry.getValue().stringValue()));
        return new TrainingRequest(input, input.get("number_of_steps").intValue(),
                body.path("webhook_url").stringValue(null), Collections.unmodifiableMap(metadata));
    }

    /**
     * A model trained with a middle keyframe can only render validation samples that have one. Checked on the
     * raw input, so this violation is reported together with any others in the same input.
     */
    private static void requireMiddleKeyframes(JsonNode input, Violations violations) {
        JsonNode includeMiddleKeyframe = input.path("include_middle_keyframe");
        JsonNode samples = input.path("validation");
        if (!includeMiddleKeyframe.isBoolean() || !includeMiddleKeyframe.booleanValue() || !samples.isArray()) {
            return;
        }
        for (int i = 0; i < samples.size(); i++) {
            JsonNode middle = samples.get(i).path("middle_image_url");
            if (samples.get(i).isObject() && (middle.isMissingNode() || middle.isNull())) {
                violations.refuse(item("input.validation", i) + ".middle_image_url",
                        "is required on every item when include_middle_keyframe is true");
            }
        }
    }

    /** Checks one value at {@code field}: what to forward, or nothing once it has reported why it is refused. */
    @FunctionalInterface
    private interface Rule {

        Optional<JsonNode> check(String field, JsonNode value, Violations violations);

        default Rule and(Predicate<JsonNode> test, String message) {
            return (field, value, violations) -> check(field, value, violations)
                    .flatMap(checked -> test.test(checked) ? Optional.of(checked) : violations.refuse(field, message));
        }
    }

    private enum Presence { REQUIRED, DEFAULTED, OPTIONAL }

    /** A property of a JSON object; {@code fallback} is forwarded when a {@code DEFAULTED} one is absent. */
    private record Field(String name, Presence presence, JsonNode fallback, Rule rule) {

        /** What to forward for this property of {@code object}, if anything. */
        Optional<JsonNode> check(String path, JsonNode object, Violations violations) {
            String field = child(path, name);
            JsonNode given = object.path(name);
            if (given.isMissingNode() || (given.isNull() && presence == Presence.OPTIONAL)) {
                return switch (presence) {
                    case REQUIRED -> violations.refuse(field, "is required");
                    // A copy, because the default is shared and an ArrayNode can be changed by whoever gets it.
                    case DEFAULTED -> Optional.of(fallback.deepCopy());
                    case OPTIONAL -> Optional.empty();
                };
            }
            if (given.isNull()) {
                return violations.refuse(field, "must not be null");
            }
            return rule.check(field, given, violations);
        }
    }

    private static Field required(String name, Rule rule) {
        return new Field(name, Presence.REQUIRED, null, rule);
    }

    private static Field withDefault(String name, Rule rule, JsonNode fallback) {
        return new Field(name, Presence.DEFAULTED, fallback, rule);
    }

    /** Absent and null both mean "not given". */
    private static Field optional(String name, Rule rule) {
        return new Field(name, Presence.OPTIONAL, null, rule);
    }

    private static Rule object(List<Field> fields) {
        Set<String> known = fields.stream().map(Field::name).collect(Collectors.toUnmodifiableSet());
        return (path, value, violations) -> {
            if (!value.isObject()) {
                return violations.refuse(path, "must be an object");
            }
            int before = violations.count();
            value.propertyNames().stream()
                    .filter(name -> !known.contains(name))
                    .forEach(name -> violations.refuse(child(path, name), "unknown field"));
            ObjectNode checked = NODES.objectNode();
            fields.forEach(field -> field.check(path, value, violations).ifPresent(v -> checked.set(field.name(), v)));
            return violations.count() == before ? Optional.of(checked) : Optional.empty();
        };
    }

    private static Rule array(int maxItems, Rule itemRule) {
        return (path, value, violations) -> {
            if (!value.isArray()) {
                return violations.refuse(path, "must be an array");
            }
            int before = violations.count();
            if (value.size() > maxItems) {
                violations.refuse(path, "must have at most " + maxItems + " items");
            }
            ArrayNode checked = NODES.arrayNode();
            for (int i = 0; i < value.size(); i++) {
                itemRule.check(item(path, i), value.get(i), violations).ifPresent(checked::add);
            }
            return violations.count() == before ? Optional.of(checked) : Optional.empty();
        };
    }

    /** An object used as a map from free-form keys to values. */
    private static Rule map(int maxEntries, int maxKeyLength, Rule valueRule) {
        return (path, value, violations) -> {
            if (!value.isObject()) {
                return violations.refuse(path, "must be an object");
            }
            int before = violations.count();
            if (value.size() > maxEntries) {
                violations.refuse(path, "must have at most " + maxEntries + " entries");
            }
            ObjectNode checked = NODES.objectNode();
            for (Map.Entry<String, JsonNode> entry : value.properties()) {
                String field = child(path, entry.getKey());
                if (entry.getKey().isEmpty() || length(entry.getKey()) > maxKeyLength) {
                    violations.refuse(field, "key must be 1 to " + maxKeyLength + " characters");
                }
                else if (!isStorable(entry.getKey())) {
                    violations.refuse(field, "key " + UNSTORABLE_TEXT);
                }
                valueRule.check(field, entry.getValue(), violations).ifPresent(v -> checked.set(entry.getKey(), v));
            }
            return violations.count() == before ? Optional.of(checked) : Optional.empty();
        };
    }

    private static Rule text(int maxLength) {
        return (field, value, violations) -> {
            if (!value.isString()) {
                return violations.refuse(field, "must be a string");
            }
            if (!isStorable(value.stringValue())) {
                return violations.refuse(field, UNSTORABLE_TEXT);
            }
            if (length(value.stringValue()) > maxLength) {
                return violations.refuse(field, "must be at most " + maxLength + " characters");
            }
            return Optional.of(value);
        };
    }

    private static Rule httpUrl() {
        return text(MAX_URL_LENGTH).and(url -> isHttpUrl(url.stringValue()), "must be an absolute http or https URL");
    }

    /** The gateway will call it, so it must not lead into the company's own network. */
    private static Rule webhookUrl(OutboundUrlPolicy outboundUrls) {
        Rule url = httpUrl();
        return (field, value, violations) -> url.check(field, value, violations).flatMap(checked -> {
            Optional<String> refusal = outboundUrls.refusal(checked.stringValue());
            return refusal.isPresent() ? violations.refuse(field, refusal.get()) : Optional.of(checked);
        });
    }

    private static Rule bool() {
        return (field, value, violations) -> value.isBoolean() ? Optional.of(value)
                : violations.refuse(field, "must be a boolean");
    }

    private static Rule number(double min, double max) {
        return (field, value, violations) -> value.isNumber() ? inRange(field, value, min, max, violations)
                : violations.refuse(field, "must be a number");
    }

    /**
     * Accepts an integral float such as {@code 2000.0} and forwards it as {@code 2000}. The range goes first so
     * that a literal too large even for a double is reported as out of range rather than as a fraction.
     */
    private static Rule integer(int min, int max) {
        return (field, value, violations) -> {
            if (!value.isNumber()) {
                return violations.refuse(field, "must be an integer");
            }
            return inRange(field, value, min, max, violations).flatMap(number -> number.canConvertToExactIntegral()
                    ? Optional.of(NODES.numberNode(number.intValue()))
                    : violations.refuse(field, "must be an integer"));
        };
    }

    private static Optional<JsonNode> inRange(String field, JsonNode number, double min, double max,
            Violations violations) {
        // Beyond double range the value becomes NaN, which the negated test below refuses like any outlier.
        double value = number.doubleValue(Double.NaN);
        if (!(value >= min && value <= max)) {
            return violations.refuse(field, "must be between " + plain(min) + " and " + plain(max));
        }
        return Optional.of(number);
    }

    private static Rule oneOf(String... allowed) {
        List<String> options = List.of(allowed);
        String message = "must be one of " + String.join(", ", options);
        return (field, value, violations) -> value.isString() && options.contains(value.stringValue())
                ? Optional.of(value) : violations.refuse(field, message);
    }

    /** Also takes the numeral as a string, the form in which fal documents the rank's default ("32"). */
    private static Rule oneOf(int... allowed) {
        String message = "must be one of "
                + IntStream.of(allowed).mapToObj(String::valueOf).collect(Collectors.joining(", "));
        return (field, value, violations) -> {
            String numeral = value.isString() ? value.stringValue()
                    : value.isNumber() && value.canConvertToExactIntegral() ? value.bigIntegerValue().toString()
                    : null;
            for (int option : allowed) {
                if (String.valueOf(option).equals(numeral)) {
                    return Optional.of(NODES.numberNode(option));
                }
            }
            return violations.refuse(field, message);
        };
    }

    private static boolean isHttpUrl(String text) {
        try {
            URI uri = new URI(text);
            return ("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))
                    && uri.getHost() != null;
        }
        catch (URISyntaxException e) {
            return false;
        }
    }

    /**
     * JSON allows both U+0000 and unpaired surrogates in a string, but PostgreSQL's text and jsonb cannot hold
     * U+0000 (the insert fails) and an unpaired surrogate has no UTF-8 form at all.
     */
    private static boolean isStorable(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\u0000') {
                return false;
            }
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            }
            else if (Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    /** In code points, as people (and fal's Python schema) count characters, not in UTF-16 units. */
    private static int length(String text) {
        return text.codePointCount(0, text.length());
    }

    private static String plain(double bound) {
        return BigDecimal.valueOf(bound).stripTrailingZeros().toPlainString();
    }

    private static String child(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    private static String item(String path, int index) {
        return path + "[" + index + "]";
    }

    /** The violations found so far, in the order the body was walked. */
    private static final class Violations {

        private final List<FieldViolation> found = new ArrayList<>();

        /** Records a violation; returns "nothing to forward" so that a rule can end with it. */
        Optional<JsonNode> refuse(String field, String message) {
            found.add(new FieldViolation(field, message));
            return Optional.empty();
        }

        int count() {
            return found.size();
        }
    }
}
