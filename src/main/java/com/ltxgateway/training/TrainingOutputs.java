package com.ltxgateway.training;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/** The files a succeeded training's output names, for features that keep or serve them. */
@Service
public class TrainingOutputs {

    /** The output fields that hold files, in the order the API shows them. */
    public static final List<String> FILE_FIELDS = List.of("lora_file", "config_file", "video", "audio", "debug_dataset");

    private final JdbcClient jdbc;
    private final JsonMapper json;

    TrainingOutputs(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /** One output file as fal described it. */
    public record OutputFile(String name, String url, @Nullable String contentType, @Nullable String fileName, @Nullable Long fileSize) {
    }

    /**
     * The files of a training's output: every file field that holds a URL; fields fal left out or null are skipped.
     * Joins the caller's transaction, so inside a status change it reads the output being committed.
     */
    public List<OutputFile> of(String trainingId) {
        Optional<String> output = jdbc.sql("select output from training where id = ?").param(trainingId).query(String.class).optional();
        List<OutputFile> files = new ArrayList<>();
        if (output.isEmpty() || output.get() == null) {
            return files;
        }
        JsonNode root = json.readTree(output.get());
        for (String name : FILE_FIELDS) {
            JsonNode file = root.get(name);
            if (file != null && file.isObject() && file.path("url").isString()) {
                files.add(new OutputFile(name, file.get("url").asString(), text(file, "content_type"), text(file, "file_name"),
                        file.path("file_size").canConvertToLong() ? file.get("file_size").asLong() : null));
            }
        }
        return files;
    }

    /** The event that tells a succeeded training's outputs are settled, with what its receivers need to know. */
    public TrainingOutputsSettled settled(String trainingId) {
        return jdbc.sql("select team_id, webhook_url, finished_at from training where id = ?").param(trainingId)
                .query((rs, n) -> new TrainingOutputsSettled(trainingId, rs.getObject("team_id", UUID.class),
                        rs.getString("webhook_url"), rs.getTimestamp("finished_at").toInstant()))
                .optional().orElseThrow(() -> new TrainingNotFound(trainingId));
    }

    private static @Nullable String text(JsonNode node, String field) {
        return node.path(field).isString() ? node.get(field).asString() : null;
    }
}
