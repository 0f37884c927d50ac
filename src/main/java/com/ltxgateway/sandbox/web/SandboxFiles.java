package com.ltxgateway.sandbox.web;

import com.ltxgateway.sandbox.SandboxOutputs;
import com.ltxgateway.sandbox.SandboxOutputs.SandboxFile;
import com.ltxgateway.sandbox.SandboxRequests;
import java.util.UUID;

import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.core.io.Resource;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/** Serves the files of simulated trainings ({@link SandboxOutputs}). */
@RestController
@ConditionalOnBooleanProperty(name = "gateway.sandbox.enabled", matchIfMissing = true)
class SandboxFiles {

    private final SandboxRequests requests;

    SandboxFiles(SandboxRequests requests) {
        this.requests = requests;
    }

    /** A resource body, so range requests (which video elements make) are answered with the range. */
    @GetMapping(SandboxOutputs.PATH + "/{id}/{name}")
    ResponseEntity<Resource> download(@PathVariable UUID id, @PathVariable String name) {
        SandboxFile file = SandboxFile.named(name);
        if (file == null || requests.find(id).isEmpty()) {
            return ResponseEntity.notFound().build();
        }
        return ResponseEntity.ok()
                .contentType(MediaType.parseMediaType(file.contentType()))
                .header(HttpHeaders.CONTENT_DISPOSITION, file.disposition() + "; filename=\"" + file.fileName() + "\"")
                .body(new ByteArrayResource(SandboxOutputs.bytes(id, file)));
    }
}
