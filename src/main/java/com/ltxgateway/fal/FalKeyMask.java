package com.ltxgateway.fal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Keeps a fal key out of whatever is taken from fal's answers: fal echoes what it was sent in places (error details,
 * logs), so every string that may reach a log line, an outcome or the database has the key masked first.
 */
final class FalKeyMask {

    static final String REDACTED = "[redacted]";
    // Long enough that masking cannot hit ordinary words in a body; real fal keys are far longer.
    private static final int MIN_REDACTABLE_KEY_LENGTH = 8;
    private static final JsonMapper JSON = JsonMapper.shared();

    private FalKeyMask() {
    }


    private static boolean maskable(String key) {
        return key != null && key.length() >= MIN_REDACTABLE_KEY_LENGTH;
    }

    static String mask(String text, String key) {
        return text != null && maskable(key) && text.contains(key) ? text.replace(key, REDACTED) : text;
    }

    static byte[] mask(byte[] body, String key) {
        if (!maskable(key) || body.length < key.length()) {
            return body;
        }
        String text = new String(body, StandardCharsets.UTF_8);
        return text.contains(key) ? text.replace(key, REDACTED).getBytes(StandardCharsets.UTF_8) : body;
    }

    /** The tree with the key masked in every string and property name; containers are changed in place. */
    static JsonNode mask(JsonNode node, String key) {
        if (node == null || !maskable(key)) {
            return node;
        }
        if (node.isString()) {
            String text = node.stringValue();
            return text.contains(key) ? JSON.getNodeFactory().stringNode(text.replace(key, REDACTED)) : node;
        }
        if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                JsonNode item = array.get(i);
                JsonNode masked = mask(item, key);
                if (masked != item) {
                    array.set(i, masked);
                }
            }
        }
        else if (node instanceof ObjectNode object) {
            List<Map.Entry<String, JsonNode>> properties = new ArrayList<>(object.properties());
            boolean renamed = properties.stream().anyMatch(property -> property.getKey().contains(key));
            if (renamed) {
                object.removeAll();
            }
            for (Map.Entry<String, JsonNode> property : properties) {
                JsonNode masked = mask(property.getValue(), key);
                if (renamed) {
                    object.set(mask(property.getKey(), key), masked);
                }
                else if (masked != property.getValue()) {
                    object.set(property.getKey(), masked);
                }
            }
        }
        return node;
    }
}
