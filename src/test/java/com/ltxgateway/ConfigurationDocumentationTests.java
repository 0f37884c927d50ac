package com.ltxgateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md against the metadata the configuration processor writes from the {@code gateway.*}
 * records: every setting the code reads is in the table, under its environment variable and with its default, and
 * the table names no setting the code does not read.
 */
class ConfigurationDocumentationTests {

    private static final Pattern ROW = Pattern.compile("^\\| `(gateway\\.[a-z0-9.-]+)` \\| `([A-Z0-9_]+)` \\| ([^|]+) \\|", Pattern.MULTILINE);

    private final Map<String, JsonNode> metadata = readMetadata();
    private final Map<String, Row> documented = readTable();

    record Row(String environmentVariable, String defaultValue) {
    }

    @Test
    void everySettingIsDocumentedAndEveryDocumentedSettingExists() {
        assertThat(documented.keySet()).as("settings in docs/configuration.md")
                .containsExactlyInAnyOrderElementsOf(metadata.keySet());
    }

    @Test
    void eachSettingIsDocumentedWithItsEnvironmentVariable() throws IOException {
        String applicationYaml = Files.readString(Path.of("src/main/resources/application.yaml"));
        documented.forEach((name, row) -> {
            String relaxed = name.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
            if (!row.environmentVariable().equals(relaxed)) {
                assertThat(applicationYaml).as("%s is documented as %s, which only a placeholder can bind", name,
                        row.environmentVariable()).contains("${" + row.environmentVariable());
            }
        });
    }

    @Test
    void eachDefaultIsTheOneTheCodeApplies() {
        metadata.forEach((name, property) -> {
            JsonNode value = property.get("defaultValue");
            if (value != null && documented.containsKey(name)) {
                assertThat(documented.get(name).defaultValue()).as("default of %s", name).contains("`" + text(value) + "`");
            }
        });
    }

    /** A list is written as the environment variable takes it: comma-separated, without brackets or spaces. */
    private static String text(JsonNode value) {
        if (value.isArray()) {
            return StreamSupport.stream(value.spliterator(), false).map(JsonNode::asString).collect(Collectors.joining(","));
        }
        String text = value.asString();
        return text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1).replace(" ", "") : text;
    }

    private static Map<String, JsonNode> readMetadata() {
        try (InputStream in = ConfigurationDocumentationTests.class.getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            assertThat(in).as("the configuration processor's metadata").isNotNull();
            Map<String, JsonNode> properties = new LinkedHashMap<>();
            for (JsonNode property : JsonMapper.shared().readTree(in).get("properties")) {
                if (property.get("name").asString().startsWith("gateway.")) {
                    properties.put(property.get("name").asString(), property);
                }
            }
            return properties;
        }
        catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, Row> readTable() {
        try {
            Matcher rows = ROW.matcher(Files.readString(Path.of("docs/configuration.md")));
            Map<String, Row> table = new LinkedHashMap<>();
            while (rows.find()) {
                assertThat(table.put(rows.group(1), new Row(rows.group(2), rows.group(3).strip())))
                        .as("%s documented twice", rows.group(1)).isNull();
            }
            return table;
        }
        catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
