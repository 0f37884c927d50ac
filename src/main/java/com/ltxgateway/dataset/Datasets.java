package com.ltxgateway.dataset;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import com.github.f4b6a3.ulid.UlidCreator;
import com.ltxgateway.LimitedInputStream;
import com.ltxgateway.PageCursor;
import com.ltxgateway.access.Caller;
import com.ltxgateway.access.TeamDirectory;
import com.ltxgateway.access.TeamKeyRequired;
import com.ltxgateway.artifact.ArtifactKey;
import com.ltxgateway.artifact.ArtifactStore;
import com.ltxgateway.artifact.StoredArtifact;
import com.ltxgateway.audit.AuditLog;
import com.ltxgateway.dataset.DatasetInspection.Clip;
import com.ltxgateway.dataset.DatasetInspection.Problem;
import com.ltxgateway.training.TrainingQueries;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.Resource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Datasets of the teams: uploaded into the artifact store, inspected, listed, deleted. An upload is streamed to a
 * temporary file (digested on the way, capped at {@code gateway.datasets.max-size}), inspected there, stored, and only
 * then recorded: a failure at any step leaves nothing behind.
 */
@Service
public class Datasets {

    private static final Logger log = LoggerFactory.getLogger(Datasets.class);
    private static final TypeReference<List<Clip>> CLIPS = new TypeReference<>() {
    };
    private static final TypeReference<List<Problem>> PROBLEMS = new TypeReference<>() {
    };
    static final String DEFAULT_FILE_NAME = "dataset.zip";

    private final JdbcClient jdbc;
    private final ArtifactStore store;
    private final TeamDirectory teams;
    private final TrainingQueries trainings;
    private final AuditLog auditLog;
    private final DatasetProperties properties;
    private final DatasetInspector inspector;
    private final Semaphore inspections;
    private final JsonMapper json;
    private final Clock clock;

    Datasets(JdbcClient jdbc, ArtifactStore store, TeamDirectory teams, TrainingQueries trainings, AuditLog auditLog,
            DatasetProperties properties, JsonMapper json, Clock clock) {
        this.trainings = trainings;
        this.jdbc = jdbc;
        this.store = store;
        this.teams = teams;
        this.auditLog = auditLog;
        this.properties = properties;
        this.inspector = new DatasetInspector(properties);
        this.inspections = new Semaphore(properties.inspections(), true);
        this.json = json;
        this.clock = clock;
    }

    /**
     * Keeps and inspects an uploaded zip.
     *
     * @param contentLength the body's declared length; -1 when not declared
     * @throws DatasetTooLarge past {@code gateway.datasets.max-size}
     * @throws DatasetUploadInvalid for an empty body, a file that is not a readable zip, or an unusable file name
     */
    public DatasetView upload(Caller caller, @Nullable String fileName, InputStream body, long contentLength) throws IOException {
        if (caller.teamId() == null) {
            throw new TeamKeyRequired("Datasets");
        }
        String id = upload(newId(), caller.teamId(), caller.actor(), checkedFileName(fileName), body, contentLength);
        return get(caller, id);
    }

    static String newId() {
        return "ds_" + UlidCreator.getMonotonicUlid().toString().toLowerCase(Locale.ROOT);
    }

    /** Keeps and inspects an uploaded zip as dataset {@code id} of the team; returns the id. */
    String upload(String id, UUID teamId, String actor, String fileName, InputStream body, long contentLength) throws IOException {
        long limit = properties.maxSize().toBytes();
        if (contentLength > limit) {
            throw new DatasetTooLarge(limit);
        }
        Path upload = Files.createTempFile("dataset-", ".zip");
        try {
            String sha256 = receive(body, upload, limit);
            long size = Files.size(upload);
            if (size == 0) {
                throw new DatasetUploadInvalid("body", "The request has no body: send the zip as the body, with Content-Type: application/zip");
            }
            DatasetInspection inspection;
            try {
                inspection = inspect(upload);
            }
            catch (DatasetInspector.NotAZip e) {
                throw new DatasetUploadInvalid("body", "The body is not a readable zip archive (" + e.getMessage() + ")");
            }
            ArtifactKey key = key(id);
            store.put(key, upload, "application/zip");
            try {
                jdbc.sql("""
                        insert into dataset (id, team_id, file_name, size_bytes, sha256, status, clips, captions, problems, created_by, created_at)
                        values (?, ?, ?, ?, ?, ?, cast(? as jsonb), ?, cast(? as jsonb), ?, ?)""")
                        .params(id, teamId, fileName, size, sha256, inspection.status(), json.writeValueAsString(inspection.clips()),
                                inspection.captions(), json.writeValueAsString(inspection.problems()), actor, Timestamp.from(clock.instant()))
                        .update();
            }
            catch (RuntimeException e) {
                deleteQuietly(key);
                throw e;
            }
            log.info("Dataset {} of team {}: {} bytes, {} ({} clips, {} problems)", id, teams.slugOf(teamId).orElse(teamId.toString()), size,
                    inspection.status(), inspection.clips().size(), inspection.problems().size());
            return id;
        }
        finally {
            Files.deleteIfExists(upload);
        }
    }

    /** @throws DatasetNotFound when it does not exist, was deleted, or is another team's */
    @Transactional(readOnly = true)
    public DatasetView get(Caller caller, String id) {
        return find(caller, id).orElseThrow(() -> new DatasetNotFound(id));
    }

    /** Empty when it does not exist, was deleted, or is another team's. */
    Optional<DatasetView> find(Caller caller, String id) {
        return find(caller.admin() ? null : caller.teamId(), id);
    }

    /**
     * For admins, who see every team's datasets (the dashboard).
     *
     * @throws DatasetNotFound when it does not exist or was deleted
     */
    @Transactional(readOnly = true)
    public DatasetView getForAdmin(String id) {
        return find((UUID) null, id).orElseThrow(() -> new DatasetNotFound(id));
    }

    /** {@code visibleTeam} null: any team's. */
    private Optional<DatasetView> find(@Nullable UUID visibleTeam, String id) {
        var query = visibleTeam == null
                ? jdbc.sql("select * from dataset where id = ? and deleted_at is null").param(id)
                : jdbc.sql("select * from dataset where id = ? and deleted_at is null and team_id = ?").params(id, visibleTeam);
        return query.query((rs, n) -> view(rs)).optional();
    }

    /** The dataset's zip, served from the store (ranges too). */
    public record DatasetFile(String fileName, String sha256, Resource content) {
    }

    /** @throws DatasetNotFound when it does not exist, was deleted, or is another team's */
    public DatasetFile file(Caller caller, String id) {
        return file(get(caller, id));
    }

    /** @throws DatasetNotFound when it does not exist or was deleted */
    public DatasetFile fileForAdmin(String id) {
        return file(getForAdmin(id));
    }

    private DatasetFile file(DatasetView dataset) {
        return new DatasetFile(dataset.fileName(), dataset.sha256(), new StoredArtifact(store, key(dataset.id()), dataset.sizeBytes()));
    }

    /**
     * A page of datasets, newest first: the caller's team's, or for admins every team's ({@code team} narrows it).
     */
    @Transactional(readOnly = true)
    public DatasetPage list(Caller caller, @Nullable String team, int limit, @Nullable PageCursor after) {
        return page(caller.admin() ? null : caller.teamId(), team, limit, after);
    }

    /** For admins (the dashboard): every team's, or {@code team}'s. */
    @Transactional(readOnly = true)
    public DatasetPage listForAdmin(@Nullable String team, int limit, @Nullable PageCursor after) {
        return page(null, team, limit, after);
    }

    private DatasetPage page(@Nullable UUID visibleTeam, @Nullable String team, int limit, @Nullable PageCursor after) {
        UUID teamId = visibleTeam;
        if (team != null) {
            UUID filtered = teams.idOf(team).orElse(null);
            if (filtered == null || (teamId != null && !teamId.equals(filtered))) {
                return new DatasetPage(List.of(), null);
            }
            teamId = filtered;
        }
        var sql = new StringBuilder("select * from dataset where deleted_at is null");
        List<Object> parameters = new ArrayList<>();
        if (teamId != null) {
            sql.append(" and team_id = ?");
            parameters.add(teamId);
        }
        if (after != null) {
            sql.append(" and (created_at, id) < (?, ?)");
            parameters.add(Timestamp.from(after.createdAt()));
            parameters.add(after.id());
        }
        sql.append(" order by created_at desc, id desc limit ?");
        parameters.add(limit + 1);
        List<DatasetView> rows = jdbc.sql(sql.toString()).params(parameters).query((rs, n) -> view(rs)).list();
        boolean more = rows.size() > limit;
        List<DatasetView> page = more ? rows.subList(0, limit) : rows;
        return new DatasetPage(page, more ? new PageCursor(page.getLast().createdAt(), page.getLast().id()).encode() : null);
    }

    /**
     * Deletes the dataset: its zip from the store, its row marked deleted (trainings that used it still name it).
     * Audited.
     *
     * @throws DatasetNotFound when it does not exist, was deleted, or is another team's
     * @throws DatasetInUse while a training that has not finished trains on it
     */
    @Transactional
    public void delete(Caller caller, String id) {
        get(caller, id);
        long using = trainings.unfinishedUsingDataset(id);
        if (using > 0) {
            throw new DatasetInUse(id, using);
        }
        if (jdbc.sql("update dataset set deleted_at = ? where id = ? and deleted_at is null")
                .params(Timestamp.from(clock.instant()), id).update() == 0) {
            throw new DatasetNotFound(id);
        }
        auditLog.record(caller.actor(), "dataset.deleted", "dataset:" + id);
        // After the row: a failed delete leaves an object no dataset names, never a dataset without its zip.
        deleteQuietly(key(id));
    }

    static ArtifactKey key(String datasetId) {
        return new ArtifactKey("datasets/" + datasetId + "/dataset.zip");
    }

    /** Inspects a zip once one of the instance's inspection turns is free. */
    DatasetInspection inspect(Path upload) throws DatasetInspector.NotAZip {
        boolean turn;
        try {
            turn = inspections.tryAcquire(properties.inspectionWait().toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DatasetInspectionsBusy();
        }
        if (!turn) {
            throw new DatasetInspectionsBusy();
        }
        try {
            return inspector.inspect(upload);
        }
        finally {
            inspections.release();
        }
    }

    /** Copies the body to {@code target}, at most {@code limit} bytes; returns its SHA-256. */
    private static String receive(InputStream body, Path target, long limit) throws IOException {
        MessageDigest digest = sha256();
        try (InputStream in = new LimitedInputStream(body, limit, TooLargeWhileReading::new);
                OutputStream out = new DigestOutputStream(Files.newOutputStream(target), digest)) {
            in.transferTo(out);
        }
        catch (TooLargeWhileReading e) {
            throw new DatasetTooLarge(limit);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static final class TooLargeWhileReading extends IOException {

        TooLargeWhileReading(long limit) {
            super("more than " + limit + " bytes");
        }
    }

    static String checkedFileName(@Nullable String fileName) {
        if (fileName == null || fileName.isBlank()) {
            return DEFAULT_FILE_NAME;
        }
        if (fileName.length() > 255 || fileName.chars().anyMatch(c -> c < 0x20 || c == 0x7f || c == '/' || c == '\\')) {
            throw new DatasetUploadInvalid("file_name", "file_name must be a file name of at most 255 characters, without / \\ or control characters");
        }
        return fileName;
    }

    void deleteQuietly(ArtifactKey key) {
        try {
            store.delete(key);
        }
        catch (RuntimeException e) {
            log.warn("Could not delete {} from the artifact store; it is named by no dataset: {}", key, e.getMessage());
        }
    }

    private DatasetView view(ResultSet rs) throws SQLException {
        UUID teamId = rs.getObject("team_id", UUID.class);
        List<Clip> clips = json.readValue(rs.getString("clips"), CLIPS);
        List<Problem> problems = json.readValue(rs.getString("problems"), PROBLEMS);
        return new DatasetView(rs.getString("id"), teams.slugOf(teamId).orElse(teamId.toString()), rs.getString("file_name"),
                rs.getLong("size_bytes"), rs.getString("sha256"), rs.getString("status"), clips, rs.getInt("captions"),
                DatasetInspection.shortestClipFrames(clips), problems, rs.getTimestamp("created_at").toInstant());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
