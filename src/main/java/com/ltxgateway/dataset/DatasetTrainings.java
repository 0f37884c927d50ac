package com.ltxgateway.dataset;

import java.net.URI;
import java.sql.Timestamp;
import java.time.Clock;
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
class DatasetTrainings implements TrainingDatasets {

    private static final Logger log = LoggerFactory.getLogger(DatasetTrainings.class);
    /** Clips too short named one by one; past it, counted. */
    private static final int SHORT_CLIPS_NAMED = 10;

    private final Datasets datasets;
    private final JdbcClient jdbc;
    private final ArtifactStore store;
    private final FalStorage falStorage;
    private final DatasetProperties properties;
    private final GatewayProperties gateway;
    private final Clock clock;

    DatasetTrainings(Datasets datasets, JdbcClient jdbc, ArtifactStore store, FalStorage falStorage, DatasetProperties properties,
            GatewayProperties gateway, Clock clock) {
        this.datasets = datasets;
        this.jdbc = jdbc;
        this.store = store;
        this.falStorage = falStorage;
        this.properties = properties;
        this.gateway = gateway;
        this.clock = clock;
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
        List<Clip> tooShort = dataset.clips().stream().filter(clip -> clip.frames() != null && clip.frames() < numberOfFrames).toList();
        tooShort.stream().limit(SHORT_CLIPS_NAMED).forEach(clip -> problems.add("clip " + clip.path() + " has " + clip.frames()
                + " frames, fewer than input.number_of_frames (" + numberOfFrames + "); use longer clips, fewer frames, or input.auto_scale_input"));
        int more = tooShort.size() - SHORT_CLIPS_NAMED;
        if (more > 0) {
            problems.add(more + (more == 1 ? " more clip has" : " more clips have") + " fewer than " + numberOfFrames + " frames");
        }
        return problems;
    }

    @Override
    public String trainingDataUrl(Caller caller, String datasetId) {
        DatasetView dataset = datasets.get(caller, datasetId);
        if (caller.mode() == KeyMode.SANDBOX) {
            return gateway.publicUrl("/v1/datasets/" + datasetId + "/file").toString();
        }
        Timestamp fresh = Timestamp.from(clock.instant().minus(properties.falUploadReuse()));
        Optional<String> uploaded = jdbc.sql("select fal_file_url from dataset where id = ? and fal_uploaded_at > ?")
                .params(datasetId, fresh).query(String.class).optional();
        if (uploaded.isPresent()) {
            return uploaded.get();
        }
        // Two first uses at the same moment may both upload; the later URL is kept, and both are valid.
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
        jdbc.sql("update dataset set fal_file_url = ?, fal_uploaded_at = ? where id = ?")
                .params(fileUrl.toString(), Timestamp.from(clock.instant()), datasetId).update();
        log.info("Dataset {} uploaded to fal's storage ({} bytes)", datasetId, dataset.sizeBytes());
        return fileUrl.toString();
    }
}
