package com.ltxgateway.dataset.web;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;

import com.ltxgateway.InvalidQueryParameter;
import com.ltxgateway.PageCursor;
import com.ltxgateway.access.Caller;
import com.ltxgateway.dataset.DatasetPage;
import com.ltxgateway.dataset.DatasetView;
import com.ltxgateway.dataset.Datasets;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;
import org.springframework.core.io.Resource;
import org.springframework.http.CacheControl;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/v1/datasets")
@Tag(name = "Datasets")
class DatasetController {

    private static final int DEFAULT_LIMIT = 20;
    private static final int MAX_LIMIT = 100;

    private final Datasets datasets;

    DatasetController(Datasets datasets) {
        this.datasets = datasets;
    }

    @PostMapping(consumes = { "application/zip", "application/x-zip-compressed" })
    @Operation(summary = "Upload a training zip; answered 201 with the dataset and what its inspection found",
            description = "The zip is the request body (Content-Type: application/zip), up to gateway.datasets.max-size (413 past"
                    + " it). It is kept in the gateway's store and inspected without being unpacked: status ready, or invalid with"
                    + " every problem named. A body that is not a readable zip is a 400 and nothing is kept.",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
                    content = @Content(mediaType = "application/zip", schema = @Schema(type = "string", format = "binary"))))
    @ApiResponse(responseCode = "201", description = "Kept and inspected", content = @Content(schema = @Schema(implementation = DatasetView.class)))
    ResponseEntity<DatasetView> upload(@AuthenticationPrincipal Caller caller,
            @Parameter(description = "The zip's file name, kept with the dataset; default dataset.zip") @RequestParam(name = "file_name", required = false) @Nullable String fileName,
            HttpServletRequest request) throws IOException {
        DatasetView dataset = datasets.upload(caller, fileName, request.getInputStream(), request.getContentLengthLong());
        return ResponseEntity.created(URI.create("/v1/datasets/" + dataset.id())).body(dataset);
    }

    @GetMapping("/{id}")
    @Operation(summary = "A dataset")
    DatasetView get(@AuthenticationPrincipal Caller caller, @PathVariable String id) {
        return datasets.get(caller, id);
    }

    @GetMapping("/{id}/file")
    @Operation(summary = "Download a dataset's zip",
            description = "As uploaded; range requests answered with the range (206), the ETag is the zip's SHA-256. A sandbox"
                    + " training made from the dataset names this URL as its training_data_url.")
    @ApiResponse(responseCode = "200", description = "The zip", content = @Content(mediaType = "application/zip",
            schema = @Schema(type = "string", format = "binary")))
    ResponseEntity<Resource> file(@AuthenticationPrincipal Caller caller, @PathVariable String id) {
        Datasets.DatasetFile file = datasets.file(caller, id);
        return ResponseEntity.ok()
                .contentType(MediaType.parseMediaType("application/zip"))
                .eTag("\"" + file.sha256() + "\"")
                .header(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment().filename(file.fileName(), StandardCharsets.UTF_8).build().toString())
                .cacheControl(CacheControl.noCache().cachePrivate())
                .body(file.content());
    }

    @GetMapping
    @Operation(summary = "List datasets, newest first: the team's own, or every team's for admin keys")
    DatasetPage list(@AuthenticationPrincipal Caller caller,
            @Parameter(description = "1 to 100, default 20") @RequestParam(required = false) @Nullable String limit,
            @Parameter(description = "next_cursor of the previous page") @RequestParam(required = false) @Nullable String cursor,
            @Parameter(description = "A team slug; admin keys only") @RequestParam(required = false) @Nullable String team) {
        return datasets.list(caller, team == null || team.isEmpty() ? null : team, limit(limit),
                cursor == null || cursor.isEmpty() ? null : PageCursor.decode(cursor));
    }

    @DeleteMapping("/{id}")
    @Operation(summary = "Delete a dataset: its zip leaves the store; answered 204")
    @ApiResponse(responseCode = "204", description = "Deleted")
    ResponseEntity<Void> delete(@AuthenticationPrincipal Caller caller, @PathVariable String id) {
        datasets.delete(caller, id);
        return ResponseEntity.noContent().build();
    }

    private static int limit(@Nullable String value) {
        if (value == null) {
            return DEFAULT_LIMIT;
        }
        try {
            int limit = Integer.parseInt(value);
            if (limit >= 1 && limit <= MAX_LIMIT) {
                return limit;
            }
        }
        catch (NumberFormatException e) {
            // named below
        }
        throw new InvalidQueryParameter("limit", "limit must be an integer from 1 to " + MAX_LIMIT);
    }
}
