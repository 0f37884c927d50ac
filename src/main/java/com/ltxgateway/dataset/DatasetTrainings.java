package com.ltxgateway.dataset;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.ltxgateway.GatewayProperties;
import com.ltxgateway.access.Caller;
import com.ltxgateway.access.KeyMode;
import com.ltxgateway.artifact.ArtifactStore;
import com.ltxgateway.dataset.DatasetInspection.Clip;
import com.ltxgateway.fal.FalOutcome;
import com.ltxgateway.fal.FalStorage;
import com.ltxgateway.net.OutboundCallFailed;
import com.ltxgateway.net.OutboundHttp;
import com.ltxgateway.net.OutboundTimeouts;
import com.ltxgateway.net.OutboundUrlPolicy;
import com.ltxgateway.training.TrainingDatasets;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Datasets as trainings use them: checked against the training's frames, then handed to fal. A live training's zip
 * is uploaded to fal's storage once and fal's URL reused for {@code gateway.datasets.fal-upload-reuse}; a sandbox
 * training's is served by the gateway ({@code GET /v1/datasets/{id}/file}).
 */
@Component
class DatasetTrainings implements TrainingDatasets, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DatasetTrainings.class);
    /** How often a create waiting for another's upload of its dataset looks for the URL. */
    private static final Duration UPLOAD_WAIT_POLL = Duration.ofMillis(200);
    /** Clips too short named one by one; past it, counted. */
    private static final int SHORT_CLIPS_NAMED = 10;

    private final Datasets datasets;
    private final JdbcClient jdbc;
    private final ArtifactStore store;
    private final FalStorage falStorage;
    private final DatasetProperties properties;
    private final GatewayProperties gateway;
    private final Clock clock;
    private final OutboundHttp http;
    private final OutboundUrlPolicy policy;

    DatasetTrainings(Datasets datasets, JdbcClient jdbc, ArtifactStore store, FalStorage falStorage, DatasetProperties properties,
            GatewayProperties gateway, OutboundUrlPolicy policy, Clock clock) {
        this.policy = policy;
        this.http = OutboundHttp.pooled("dataset-preflight", new OutboundTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(60)), policy);
        this.datasets = datasets;
        this.jdbc = jdbc;
        this.store = store;
        this.falStorage = falStorage;
        this.properties = properties;
        this.gateway = gateway;
        this.clock = clock;
    }

    @Override
    public void close() {
        http.close();
    }

    @Override
    public List<String> problems(Caller caller, String datasetId, int numberOfFrames, boolean autoScaleInput) {
        Optional<DatasetView> found = datasets.find(caller, datasetId);
        if (found.isEmpty()) {
            return List.of("no dataset '" + datasetId + "'");
        }
        DatasetView dataset = found.get();
        List<String> problems = new ArrayList<>();
        if (dataset.status().equals("invalid")) {
            dataset.problems().forEach(problem -> problems.add("dataset " + datasetId + " is invalid: "
                    + (problem.path().isEmpty() ? "" : problem.path() + ": ") + problem.message()));
            return problems;
        }
        if (autoScaleInput) {
            return problems;
        }
        List<Clip> tooShort = tooShort(dataset.clips(), numberOfFrames);
        tooShort.stream().limit(SHORT_CLIPS_NAMED).forEach(clip -> problems.add("clip " + clip.path() + " " + tooShort(clip, numberOfFrames)));
        int more = tooShort.size() - SHORT_CLIPS_NAMED;
        if (more > 0) {
            problems.add(more + (more == 1 ? " more clip has" : " more clips have") + " fewer than " + numberOfFrames + " frames");
        }
        return problems;
    }

    @Override
    public Optional<String> datasetOf(String url) {
        String prefix = gateway.publicUrl("/v1/datasets/").toString();
        if (!url.startsWith(prefix) || !url.endsWith("/file")) {
            return Optional.empty();
        }
        String id = url.substring(prefix.length(), url.length() - "/file".length());
        return id.matches("ds_[0-9a-z]{26}") ? Optional.of(id) : Optional.empty();
    }

    private static List<Clip> tooShort(List<Clip> clips, int numberOfFrames) {
        return clips.stream().filter(clip -> clip.frames() != null && clip.frames() < numberOfFrames).toList();
    }

    private static String tooShort(Clip clip, int numberOfFrames) {
        return "has " + clip.frames() + " frames, fewer than input.number_of_frames (" + numberOfFrames
                + "); use longer clips, fewer frames, or input.auto_scale_input";
    }

    @Override
    public Preflight preflight(String url, int numberOfFrames, boolean autoScaleInput) {
        Path zip;
        try {
            zip = Files.createTempFile("preflight-", ".zip");
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            long limit = properties.maxSize().toBytes();
            Optional<String> refusal = policy.refusal(url);
            if (refusal.isPresent()) {
                return unreachable("the URL leads to an address the gateway does not call (" + refusal.get() + ")");
            }
            OutboundHttp.Download download;
            try {
                download = http.download(URI.create(url), zip, limit, properties.preflightTimeout());
            }
            catch (OutboundCallFailed e) {
                return unreachable(e.refused() ? "the URL leads to an address the gateway does not call (" + e.reason() + ")"
                        : "the zip could not be downloaded: " + e.reason());
            }
            if (!download.is2xx()) {
                return unreachable("the URL answered HTTP " + download.status() + ": fal could not download it either");
            }
            if (download.tooLarge()) {
                return unreachable("the zip is larger than " + limit + " bytes (gateway.datasets.max-size)");
            }
            DatasetInspection inspection;
            try {
                inspection = datasets.inspect(zip);
            }
            catch (DatasetInspector.NotAZip e) {
                return new Preflight("invalid", download.bytes(), download.sha256(), 0, 0, null,
                        List.of(new Problem("", "not a readable zip archive (" + e.getMessage() + ")")));
            }
            List<Problem> problems = new ArrayList<>();
            inspection.problems().forEach(problem -> problems.add(new Problem(problem.path(), problem.message())));
            if (!autoScaleInput) {
                tooShort(inspection.clips(), numberOfFrames).forEach(clip -> problems.add(new Problem(clip.path(), tooShort(clip, numberOfFrames))));
            }
            return new Preflight(problems.isEmpty() ? "ready" : "invalid", download.bytes(), download.sha256(), inspection.clips().size(),
                    inspection.captions(), inspection.shortestClipFrames(), List.copyOf(problems));
        }
        finally {
            try {
                Files.deleteIfExists(zip);
            }
            catch (IOException e) {
                log.warn("Could not delete the pre-flight's temporary file {}", zip, e);
            }
        }
    }

    private static Preflight unreachable(String message) {
        return new Preflight("invalid", null, null, 0, 0, null, List.of(new Problem("", message)));
    }

    @Override
    public String trainingDataUrl(Caller caller, String datasetId) {
        DatasetView dataset = datasets.get(caller, datasetId);
        if (caller.mode() == KeyMode.SANDBOX) {
            return gateway.publicUrl("/v1/datasets/" + datasetId + "/file").toString();
        }
        // A sweep creates many trainings on one new dataset at once: one caller uploads it, the others wait for its URL.
        while (true) {
            Optional<String> uploaded = falFileUrl(datasetId);
            if (uploaded.isPresent()) {
                return uploaded.get();
            }
            if (claimUpload(datasetId, dataset.sizeBytes())) {
                return uploadToFal(dataset, datasetId);
            }
            try {
                Thread.sleep(UPLOAD_WAIT_POLL);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DatasetUploadToFalFailed(datasetId, "interrupted while another request was uploading it");
            }
        }
    }

    private Optional<String> falFileUrl(String datasetId) {
        Timestamp fresh = Timestamp.from(clock.instant().minus(properties.falUploadReuse()));
        return jdbc.sql("select fal_file_url from dataset where id = ? and fal_uploaded_at > ?")
                .params(datasetId, fresh).query(String.class).optional();
    }

    /**
     * Takes the dataset's upload lease unless another caller holds it: a minute and a second per MiB, so an upload
     * whose instance died is taken over once it could not possibly still be running.
     */
    private boolean claimUpload(String datasetId, long sizeBytes) {
        var now = clock.instant();
        Duration lease = Duration.ofMinutes(1).plusSeconds(sizeBytes / (1024 * 1024));
        return jdbc.sql("update dataset set fal_upload_until = ? where id = ? and (fal_upload_until is null or fal_upload_until < ?)")
                .params(Timestamp.from(now.plus(lease)), datasetId, Timestamp.from(now))
                .update() == 1;
    }

    private String uploadToFal(DatasetView dataset, String datasetId) {
        URI uploadedTo = null;
        try {
            FalOutcome<URI> outcome = falStorage.upload(dataset.fileName(), "application/zip", dataset.sizeBytes(),
                    offset -> store.open(Datasets.key(datasetId), offset));
            if (!(outcome instanceof FalOutcome.Success<URI>(URI fileUrl))) {
                String reason = switch (outcome) {
                    case FalOutcome.Rejected<URI> r -> r.error().message();
                    case FalOutcome.Unavailable<URI> u -> u.reason();
                    default -> "unknown";
                };
                log.warn("Upload of dataset {} to fal's storage failed: {}", datasetId, reason);
                throw new DatasetUploadToFalFailed(datasetId, reason);
            }
            uploadedTo = fileUrl;
        }
        finally {
            // The URL with the lease's end: a waiter then finds the URL, or a free lease it may take itself.
            if (uploadedTo != null) {
                jdbc.sql("update dataset set fal_file_url = ?, fal_uploaded_at = ?, fal_upload_until = null where id = ?")
                        .params(uploadedTo.toString(), Timestamp.from(clock.instant()), datasetId).update();
            }
            else {
                jdbc.sql("update dataset set fal_upload_until = null where id = ?").param(datasetId).update();
            }
        }
        log.info("Dataset {} uploaded to fal's storage ({} bytes)", datasetId, dataset.sizeBytes());
        return uploadedTo.toString();
    }
}
