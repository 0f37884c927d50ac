package com.ltxgateway.fal;

import java.io.InputStream;

import com.ltxgateway.LimitedInputStream;
import com.ltxgateway.fal.FalHttp.BodyReader;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.filter.FilteringParserDelegate;
import tools.jackson.core.filter.TokenFilter;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.core.io.buffer.DataBufferLimitException;

/**
 * How much of fal's answers is read, and into what: {@link #capped} everything up to a limit, {@link #tree} a JSON tree
 * without {@code file_data} read as it streams in, {@link #errorFields} only what an error answer says. Each masks
 * the key in what it keeps; each reads a body that {@link FalHttp} hands it on a thread that may block.
 */
final class FalBodies {

    private static final JsonMapper JSON = JsonMapper.shared();
    // Reads one value out of a longer document (Jackson otherwise insists the document ends after it).
    private static final ObjectReader VALUE = JSON.readerFor(JsonNode.class).without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private FalBodies() {
    }


    /**
     * The whole body, at most {@code maxBytes} of it (a larger one fails the call as "response too large"), the key
     * masked, as JSON; null when empty or not JSON.
     */
    static BodyReader<JsonNode> capped(int maxBytes, String key) {
        return (status, body) -> {
            byte[] bytes = body.readNBytes(maxBytes == Integer.MAX_VALUE ? maxBytes : maxBytes + 1);
            if (bytes.length > maxBytes) {
                throw new DataBufferLimitException("answer larger than " + maxBytes + " bytes");
            }
            return parse(FalKeyMask.mask(bytes, key));
        };
    }

    /**
     * The body as a JSON tree, read as it arrives, any {@code file_data} property dropped unread (except where
     * {@code filter} says otherwise) and the key masked in every string; null when empty or not JSON. A body longer
     * than {@code maxBytes} fails the call as "response too large".
     */
    static BodyReader<JsonNode> tree(JsonMapper mapper, TokenFilter filter, long maxBytes, String key) {
        return (status, body) -> {
            try (JsonParser parser = new FilteringParserDelegate(mapper.createParser(limited(body, maxBytes)), filter,
                    TokenFilter.Inclusion.INCLUDE_ALL_AND_PATH, true)) {
                return parser.nextToken() == null ? null : FalKeyMask.mask(mapper.readTree(parser), key);
            }
            catch (JacksonException ex) {
                return null;
            }
        };
    }

    static BodyReader<JsonNode> tree(long maxBytes, String key) {
        return tree(JSON, WITHOUT_FILE_DATA, maxBytes, key);
    }

    /** Drops every {@code file_data} property: inline file contents, which can be megabytes and are never used. */
    static final TokenFilter WITHOUT_FILE_DATA = new SkipProperty("file_data");

    /** Includes everything but properties of one name, wherever they are; empty objects and arrays are kept. */
    static class SkipProperty extends TokenFilter {

        private final String skipped;

        SkipProperty(String skipped) {
            this.skipped = skipped;
        }

        @Override
        public TokenFilter includeProperty(String name) {
            return skipped.equals(name) ? null : this;
        }

        @Override
        public boolean includeEmptyObject(boolean contentsFiltered) {
            return true;
        }

        @Override
        public boolean includeEmptyArray(boolean contentsFiltered) {
            return true;
        }
    }

    /**
     * From an error answer's JSON object only {@code detail} and {@code error_type}, the rest skipped unread, the key
     * masked; null when the body is not a JSON object.
     */
    static JsonNode errorFields(InputStream body, String key) {
        try (JsonParser parser = JSON.createParser(body)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            ObjectNode fields = JSON.createObjectNode();
            while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = parser.currentName();
                parser.nextToken();
                if ("detail".equals(name) || "error_type".equals(name)) {
                    fields.set(name, value(parser));
                }
                else {
                    parser.skipChildren();
                }
            }
            return FalKeyMask.mask(fields, key);
        }
        catch (JacksonException ex) {
            return null;
        }
    }

    /** The value the parser stands at, as a tree; the parser then stands at its last token. */
    static JsonNode value(JsonParser parser) {
        return VALUE.readValue(parser);
    }

    private static InputStream limited(InputStream body, long maxBytes) {
        return maxBytes == Long.MAX_VALUE ? body
                // Unchecked, so the parser passes it on instead of calling the body unparseable.
                : new LimitedInputStream(body, maxBytes, limit -> {
                    throw new DataBufferLimitException("answer larger than " + limit + " bytes");
                });
    }

    /** The body as JSON, or null when there is none or it does not parse (HTML error pages, truncation). */
    private static JsonNode parse(byte[] body) {
        if (body.length == 0) {
            return null;
        }
        try {
            JsonNode node = JSON.readTree(body);
            return node == null || node.isMissingNode() ? null : node;
        }
        catch (JacksonException ex) {
            return null;
        }
    }
}
