package com.ltxgateway.sandbox;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import com.ltxgateway.GatewayProperties;

import tools.jackson.databind.JsonNode;

import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.core.io.Resource;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * The files a simulated training "produces", served by the gateway itself. They are small but real of their
 * kind (a safetensors header, a JSON config, a zip, a playable MP4), so clients can exercise their download code
 * and pages can play the validation video.
 */
@RestController
@ConditionalOnBooleanProperty(name = "gateway.sandbox.enabled", matchIfMissing = true)
class SandboxFiles {

    static final String PATH = "/sandbox/files";
    /** Two seconds of a test pattern, H.264 baseline with its index up front, so browsers play it as it loads. */
    private static final byte[] VALIDATION_VIDEO = resource("/sandbox/validation.mp4");

    private final SandboxRequests requests;

    SandboxFiles(SandboxRequests requests) {
        this.requests = requests;
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

    /** A resource body, so range requests (which video elements make) are answered with the range. */
    @GetMapping(PATH + "/{id}/{name}")
    ResponseEntity<Resource> download(@PathVariable UUID id, @PathVariable String name) {
        SandboxFile file = SandboxFile.named(name);
        if (file == null || requests.find(id).isEmpty()) {
            return ResponseEntity.notFound().build();
        }
        byte[] bytes = switch (file) {
            case LORA -> loraBytes(id);
            case CONFIG -> configBytes(id);
            case DEBUG_DATASET -> datasetBytes();
            case VIDEO -> VALIDATION_VIDEO;
        };
        return ResponseEntity.ok()
                .contentType(MediaType.parseMediaType(file.contentType))
                .header(HttpHeaders.CONTENT_DISPOSITION, file.disposition + "; filename=\"" + file.fileName + "\"")
                .body(new ByteArrayResource(bytes));
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
        try (var in = SandboxFiles.class.getResourceAsStream(path)) {
            return in.readAllBytes();
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    enum SandboxFile {
        LORA("lora.safetensors", "application/octet-stream", "attachment"),
        CONFIG("config.json", "application/json", "attachment"),
        DEBUG_DATASET("debug_dataset.zip", "application/zip", "attachment"),
        VIDEO("validation.mp4", "video/mp4", "inline");

        final String fileName;
        final String contentType;
        final String disposition;

        SandboxFile(String fileName, String contentType, String disposition) {
            this.fileName = fileName;
            this.contentType = contentType;
            this.disposition = disposition;
        }

        static SandboxFile named(String name) {
            for (SandboxFile file : values()) {
                if (file.fileName.equals(name)) {
                    return file;
                }
            }
            return null;
        }
    }
}
