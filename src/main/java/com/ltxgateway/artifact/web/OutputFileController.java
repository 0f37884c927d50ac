package com.ltxgateway.artifact.web;

import java.util.concurrent.TimeUnit;

import com.ltxgateway.access.Caller;
import com.ltxgateway.artifact.OutputFiles;
import com.ltxgateway.artifact.OutputFiles.OutputFile;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.core.io.Resource;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

@RestController
@Tag(name = "Trainings")
class OutputFileController {

    private final OutputFiles files;

    OutputFileController(OutputFiles files) {
        this.files = files;
    }

    @GetMapping("/v1/trainings/{id}/files/{name}")
    @Operation(summary = "Download the gateway's copy of an output file",
            description = "The bytes as stored when the training succeeded, also after fal's copy expired. Range requests are"
                    + " answered with the range (206); the ETag is the file's SHA-256. 404 for another team's training, an"
                    + " output without that file, or a file the gateway holds no copy of (see the output's stored and url)."
                    + " With an S3 store configured for presigned downloads the answer is a 307 redirect to a short-lived"
                    + " URL of the bucket, which answers ranges itself.")
    @ApiResponse(responseCode = "200", description = "The file", content = @Content(mediaType = MediaType.APPLICATION_OCTET_STREAM_VALUE,
            schema = @Schema(type = "string", format = "binary")))
    @ApiResponse(responseCode = "206", description = "The range asked for", content = @Content(
            mediaType = MediaType.APPLICATION_OCTET_STREAM_VALUE, schema = @Schema(type = "string", format = "binary")))
    @ApiResponse(responseCode = "307", description = "Download it from the store's presigned URL in Location",
            headers = @Header(name = HttpHeaders.LOCATION, schema = @Schema(type = "string", format = "uri")))
    ResponseEntity<Resource> download(@AuthenticationPrincipal Caller caller, @PathVariable String id,
            @Parameter(description = "lora_file, config_file, video, audio or debug_dataset") @PathVariable String name) {
        OutputFile file = files.find(caller, id, name);
        if (file.directLink() != null) {
            // The link expires: nothing may keep this answer.
            return ResponseEntity.status(HttpStatus.TEMPORARY_REDIRECT).location(file.directLink())
                    .cacheControl(CacheControl.noStore()).build();
        }
        return file.headers(false)
                // The bytes under this URL never change: private, since they are the team's.
                .cacheControl(CacheControl.maxAge(365, TimeUnit.DAYS).cachePrivate().immutable())
                .body(file.content());
    }
}
