package com.ltxgateway.artifact;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.util.List;

import com.ltxgateway.GatewayProperties;
import com.ltxgateway.access.Caller;
import com.ltxgateway.artifact.OutputCopyRows.StoredCopy;
import com.ltxgateway.training.TrainingOutputs;
import com.ltxgateway.training.TrainingService;

import org.jspecify.annotations.Nullable;
import org.springframework.core.io.Resource;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Service;

/** The stored copies of output files, for the callers who may see their trainings. */
@Service
public class OutputFiles {

    private final OutputCopyRows rows;
    private final ArtifactStore store;
    private final TrainingService trainings;
    private final ArtifactProperties properties;
    private final GatewayProperties gateway;

    OutputFiles(OutputCopyRows rows, ArtifactStore store, TrainingService trainings, ArtifactProperties properties,
            GatewayProperties gateway) {
        this.gateway = gateway;
        this.rows = rows;
        this.store = store;
        this.trainings = trainings;
        this.properties = properties;
    }

    /**
     * What the store holds and which copies are in trouble, for the dashboard.
     *
     * @param troubles the newest copies lost, refused or failing
     */
    public record Overview(long stored, long storedBytes, long pending, long failing, long lost, long refused,
            List<Trouble> troubles) {
    }

    /** A copy that is lost, refused or failing. */
    public record Trouble(String trainingId, String name, String state, int attempts, @Nullable String lastError, Instant at) {
    }

    public Overview overview(int troubles) {
        OutputCopyRows.Summary summary = rows.summary();
        return new Overview(summary.stored(), summary.storedBytes(), summary.pending(), summary.failing(), summary.lost(),
                summary.refused(), rows.troubles(troubles).stream()
                        .map(t -> new Trouble(t.trainingId(), t.name(), t.state(), t.attempts(), t.lastError(), t.at())).toList());
    }

    /**
     * A stored output file.
     *
     * @param content its bytes; read from the store when the answer is written, from the offset a range asks for
     * @param directLink a short-lived URL the store serves the file from itself, when the store is configured for
     * that; null when the gateway streams the file
     */
    public record OutputFile(String name, String contentType, String fileName, long size, String sha256, Resource content,
            @Nullable URI directLink) {

        /**
         * The answer's headers: type, the digest as ETag (so If-None-Match gets 304), and the file name, to save
         * ({@code attachment}) or to show ({@code inline}). Spring answers a Range with the range from the resource.
         */
        public ResponseEntity.BodyBuilder headers(boolean inline) {
            ContentDisposition.Builder disposition = inline ? ContentDisposition.inline() : ContentDisposition.attachment();
            return ResponseEntity.ok()
                    .contentType(MediaType.parseMediaType(contentType))
                    .eTag("\"" + sha256 + "\"")
                    .header(HttpHeaders.CONTENT_DISPOSITION, disposition.filename(fileName).build().toString());
        }
    }

    /**
     * Whether a page may link an output's URL as fal gave it: http(s) on one of the hosts outputs are copied from
     * ({@code gateway.artifacts.source-hosts}), or the gateway's own (the sandbox serves its files). Anything else (a
     * {@code javascript:} URL, an unexpected host) is shown as text, never as a link or a media source.
     */
    public boolean linkable(@Nullable String url) {
        if (url == null) {
            return false;
        }
        try {
            URI uri = new URI(url);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
            if (!scheme.equals("https") && !scheme.equals("http")) {
                return false;
            }
            return properties.allowsSource(uri.getHost()) || gateway.isPublic(uri);
        }
        catch (URISyntaxException e) {
            return false;
        }
    }

    /**
     * @throws com.ltxgateway.training.TrainingNotFound when the caller may not see the training
     * @throws OutputFileNotStored when the output has no such file or the gateway holds no copy of it
     */
    public OutputFile find(Caller caller, String trainingId, String name) {
        trainings.requireVisible(caller, trainingId);
        OutputFile file = stored(trainingId, name);
        return properties.presignedDownloads()
                .flatMap(validFor -> store.downloadLink(ArtifactKey.of(trainingId, name), file.fileName(), file.contentType(), validFor))
                .map(link -> new OutputFile(file.name(), file.contentType(), file.fileName(), file.size(), file.sha256(), file.content(), link))
                .orElse(file);
    }

    /**
     * For admins, who see every team's trainings (the dashboard, whose pages only load media from the gateway
     * itself: always streamed).
     *
     * @throws OutputFileNotStored when the output has no such file or the gateway holds no copy of it
     */
    public OutputFile findForAdmin(String trainingId, String name) {
        return stored(trainingId, name);
    }

    private OutputFile stored(String trainingId, String name) {
        if (!TrainingOutputs.FILE_FIELDS.contains(name)) {
            throw new OutputFileNotStored(trainingId, name);
        }
        StoredCopy copy = rows.findStored(trainingId, name).orElseThrow(() -> new OutputFileNotStored(trainingId, name));
        ArtifactKey key = ArtifactKey.of(trainingId, name);
        // The store is asked before the answer starts: an object gone from it (a filesystem store this replica does
        // not share, a bucket emptied by hand) is a 404, not a download that breaks off.
        if (store.size(key).isEmpty()) {
            throw new OutputFileNotStored(trainingId, name);
        }
        return new OutputFile(name, copy.contentType() == null ? "application/octet-stream" : copy.contentType(),
                copy.fileName() == null ? name : copy.fileName(), copy.size(), copy.sha256(), new StoredArtifact(store, key, copy.size()), null);
    }
}
