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

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * The files a simulated training "produces", served by the gateway itself. They are small but real of their
 * kind (a safetensors header, a JSON config, a zip), so clients can exercise their download code.
 */
@RestController
class SandboxFiles {

    static final String PATH = "/sandbox/files";

    private final SandboxRequests requests;

    SandboxFiles(SandboxRequests requests) {
        this.requests = requests;
    }

    static Map<String, Object> outputs(SimulatedRequest request, JsonNode input, GatewayProperties gateway) {
        Map<String, Object> output = new LinkedHashMap<>();
        output.put("lora_file", file(gateway, request.id(), SandboxFile.LORA, loraBytes(request.id()).length));
        output.put("config_file", file(gateway, request.id(), SandboxFile.CONFIG, configBytes(request.id()).length));
        if (input.path("debug_dataset").asBoolean(false)) {
            output.put("debug_dataset", file(gateway, request.id(), SandboxFile.DEBUG_DATASET, datasetBytes().length));
        }
        return output;
    }

    @GetMapping(PATH + "/{id}/{name}")
    ResponseEntity<byte[]> download(@PathVariable UUID id, @PathVariable String name) {
        SandboxFile file = SandboxFile.named(name);
        if (file == null || requests.find(id).isEmpty()) {
            return ResponseEntity.notFound().build();
        }
        byte[] bytes = switch (file) {
            case LORA -> loraBytes(id);
            case CONFIG -> configBytes(id);
            case DEBUG_DATASET -> datasetBytes();
        };
        return ResponseEntity.ok()
                .contentType(MediaType.parseMediaType(file.contentType))
                .header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"" + file.fileName + "\"")
                .body(bytes);
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

    enum SandboxFile {
        LORA("lora.safetensors", "application/octet-stream"),
        CONFIG("config.json", "application/json"),
        DEBUG_DATASET("debug_dataset.zip", "application/zip");

        final String fileName;
        final String contentType;

        SandboxFile(String fileName, String contentType) {
            this.fileName = fileName;
            this.contentType = contentType;
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
