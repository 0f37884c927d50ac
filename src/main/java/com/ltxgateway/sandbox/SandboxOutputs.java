package com.ltxgateway.sandbox;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import com.ltxgateway.GatewayProperties;

import tools.jackson.databind.JsonNode;

/**
 * The files a simulated training "produces". They are small but real of their kind (a safetensors header, a JSON
 * config, a zip, a playable MP4), so clients can exercise their download code and pages can play the validation
 * video; the simulator's web layer serves them under {@link #PATH}.
 */
public final class SandboxOutputs {

    public static final String PATH = "/sandbox/files";
    /** Two seconds of a test pattern, H.264 baseline with its index up front, so browsers play it as it loads. */
    private static final byte[] VALIDATION_VIDEO = resource("/sandbox/validation.mp4");

    private SandboxOutputs() {
    }

    static Map<String, Object> outputs(SimulatedRequest request, JsonNode input, GatewayProperties gateway) {
        Map<String, Object> output = new LinkedHashMap<>();
        output.put("lora_file", file(gateway, request.id(), SandboxFile.LORA, loraBytes(request.id()).length));
        output.put("config_file", file(gateway, request.id(), SandboxFile.CONFIG, configBytes(request.id()).length));
        // Like fal: a validation video only when there were validation samples to render.
        if (!input.path("validation").isEmpty()) {
            output.put("video", file(gateway, request.id(), SandboxFile.VIDEO, VALIDATION_VIDEO.length));
        }
        if (input.path("debug_dataset").asBoolean(false)) {
            output.put("debug_dataset", file(gateway, request.id(), SandboxFile.DEBUG_DATASET, datasetBytes().length));
        }
        return output;
    }

    /**
     * The bytes behind {@code url} when it is one of the simulator's files, as {@link #PATH} on this gateway serves
     * them: a sandbox training's outputs are copied from here, not fetched over the network.
     */
    public static Optional<byte[]> at(String url, GatewayProperties gateway) {
        String base = gateway.publicUrl(PATH + "/").toString();
        if (!url.startsWith(base)) {
            return Optional.empty();
        }
        String[] parts = url.substring(base.length()).split("/", -1);
        if (parts.length != 2 || SandboxFile.named(parts[1]) == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(bytes(UUID.fromString(parts[0]), SandboxFile.named(parts[1])));
        }
        catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The bytes of one of a request's files. */
    public static byte[] bytes(UUID id, SandboxFile file) {
        return switch (file) {
            case LORA -> loraBytes(id);
            case CONFIG -> configBytes(id);
            case DEBUG_DATASET -> datasetBytes();
            case VIDEO -> VALIDATION_VIDEO;
        };
    }

    private static Map<String, Object> file(GatewayProperties gateway, UUID id, SandboxFile file, int size) {
        Map<String, Object> node = new LinkedHashMap<>();
        node.put("url", gateway.publicUrl(PATH + "/" + id + "/" + file.fileName).toString());
        node.put("content_type", file.contentType);
        node.put("file_name", file.fileName);
        node.put("file_size", size);
        return node;
    }

    /** A safetensors file with no tensors: an 8-byte little-endian header length, then the JSON header. */
    private static byte[] loraBytes(UUID id) {
        byte[] header = ("{\"__metadata__\":{\"format\":\"pt\",\"sandbox_request\":\"" + id + "\"}}").getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + header.length).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).put(header).array();
    }

    private static byte[] configBytes(UUID id) {
        return ("{\"base_model\":\"ltx-2.3\",\"mode\":\"interpolate\",\"lora\":\"lora.safetensors\",\"sandbox_request\":\""
                + id + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] datasetBytes() {
        var bytes = new ByteArrayOutputStream();
        try (var zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry("README.txt"));
            zip.write("Preprocessed training data of a sandbox training.\n".getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static byte[] resource(String path) {
        try (var in = SandboxOutputs.class.getResourceAsStream(path)) {
            return in.readAllBytes();
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public enum SandboxFile {
        LORA("lora.safetensors", "application/octet-stream", "attachment"),
        CONFIG("config.json", "application/json", "attachment"),
        DEBUG_DATASET("debug_dataset.zip", "application/zip", "attachment"),
        VIDEO("validation.mp4", "video/mp4", "inline");

        private final String fileName;
        private final String contentType;
        private final String disposition;

        SandboxFile(String fileName, String contentType, String disposition) {
            this.fileName = fileName;
            this.contentType = contentType;
            this.disposition = disposition;
        }

        public String fileName() {
            return fileName;
        }

        public String contentType() {
            return contentType;
        }

        /** {@code attachment}, or {@code inline} for what a page shows. */
        public String disposition() {
            return disposition;
        }

        public static SandboxFile named(String name) {
            for (SandboxFile file : values()) {
                if (file.fileName.equals(name)) {
                    return file;
                }
            }
            return null;
        }
    }

}
