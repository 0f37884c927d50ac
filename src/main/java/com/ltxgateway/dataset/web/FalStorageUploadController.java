package com.ltxgateway.dataset.web;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import com.ltxgateway.dataset.FalStorageUploads;

import io.swagger.v3.oas.annotations.Hidden;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * Where fal's clients put the bytes of {@code fal.storage.upload} after initiating it through the proxy facade: the
 * URL's token is the credential, as fal's signed upload URLs are. Answered as fal's storage answers.
 */
@RestController
@Hidden
class FalStorageUploadController {

    private final FalStorageUploads uploads;

    FalStorageUploadController(FalStorageUploads uploads) {
        this.uploads = uploads;
    }

    @PutMapping("/api/fal/storage/uploads/{token}")
    Map<String, Object> put(@PathVariable String token, HttpServletRequest request) throws IOException {
        uploads.put(token, request.getInputStream(), request.getContentLengthLong());
        return Map.of();
    }

    @PutMapping("/api/fal/storage/uploads/{token}/{partNumber:[0-9]+}")
    FalStorageUploads.Part part(@PathVariable String token, @PathVariable int partNumber, HttpServletRequest request) throws IOException {
        return uploads.putPart(token, partNumber, request.getInputStream());
    }

    record Completion(List<FalStorageUploads.Part> parts) {
    }

    @PostMapping("/api/fal/storage/uploads/{token}/complete")
    Map<String, Object> complete(@PathVariable String token, @RequestBody Completion completion) throws IOException {
        uploads.completeMultipart(token, completion.parts() == null ? List.of() : completion.parts());
        return Map.of();
    }
}
