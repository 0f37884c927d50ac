package com.ltxgateway.dataset;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

import com.ltxgateway.GatewayProperties;
import com.ltxgateway.Hashing;
import com.ltxgateway.access.Caller;
import com.ltxgateway.access.TeamKeyRequired;
import com.ltxgateway.artifact.ArtifactKey;
import com.ltxgateway.artifact.ArtifactStore;
import com.ltxgateway.artifact.StoredArtifact;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;

/**
 * fal's storage protocol ({@code fal.storage.upload} of fal's clients) on the gateway: an initiate through the proxy
 * gives an upload URL on the gateway, whose unguessable token stands for the team's key (the PUTs that follow carry
 * none, as fal's do), and the URL of a dataset that does not exist yet; the bytes put there become that dataset, and
 * its URL works as a training's {@code training_data_url}. Tickets are single-use and expire after an hour.
 */
@Service
public class FalStorageUploads {

    private static final Logger log = LoggerFactory.getLogger(FalStorageUploads.class);
    private static final Duration VALID_FOR = Duration.ofHours(1);
    private static final SecureRandom RANDOM = new SecureRandom();
    static final String PATH = "/api/fal/storage/uploads/";

    private final JdbcClient jdbc;
    private final Datasets datasets;
    private final ArtifactStore store;
    private final GatewayProperties gateway;
    private final Clock clock;

    FalStorageUploads(JdbcClient jdbc, Datasets datasets, ArtifactStore store, GatewayProperties gateway, Clock clock) {
        this.jdbc = jdbc;
        this.datasets = datasets;
        this.store = store;
        this.gateway = gateway;
        this.clock = clock;
    }

    /** fal's answer to an initiate: where to put the bytes, and where the file will be. */
    public record Initiated(URI uploadUrl, URI fileUrl) {
    }

    /** One uploaded part, as fal's storage names it (camel case, unlike the gateway's API). */
    public record Part(@JsonProperty("partNumber") int partNumber, @JsonProperty("etag") String etag) {
    }

    /**
     * @param base where the caller reached the gateway: the upload URL points there, so the client's PUT goes where its
     * initiate went. The file URL is the public URL's, the same wherever it was asked for.
     */
    public Initiated initiate(Caller caller, @Nullable String fileName, boolean multipart, URI base) {
        if (caller.teamId() == null) {
            throw new TeamKeyRequired("Datasets");
        }
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        String datasetId = Datasets.newId();
        Instant now = clock.instant();
        jdbc.sql("""
                insert into dataset_upload (token, team_id, created_by, dataset_id, file_name, multipart, created_at, expires_at)
                values (?, ?, ?, ?, ?, ?, ?, ?)""")
                .params(token, caller.teamId(), caller.actor(), datasetId, Datasets.checkedFileName(fileName), multipart,
                        Timestamp.from(now), Timestamp.from(now.plus(VALID_FOR)))
                .update();
        return new Initiated(URI.create(base.toString().replaceAll("/+$", "") + PATH + token),
                gateway.publicUrl("/v1/datasets/" + datasetId + "/file"));
    }

    private record Ticket(String token, UUID teamId, String actor, String datasetId, String fileName, boolean multipart) {
    }

    /** The whole file in one PUT; it becomes the dataset. */
    public void put(String token, InputStream body, long contentLength) throws IOException {
        Ticket ticket = open(token, false);
        datasets.upload(ticket.datasetId(), ticket.teamId(), ticket.actor(), ticket.fileName(), body, contentLength);
        complete(ticket);
    }

    /** One part of a multipart upload, kept in the artifact store until the upload is completed. */
    public Part putPart(String token, int partNumber, InputStream body) throws IOException {
        Ticket ticket = open(token, true);
        if (partNumber < 1 || partNumber > 10_000) {
            throw new DatasetUploadInvalid("part", "part numbers run from 1 to 10000");
        }
        Path part = Files.createTempFile("upload-part-", ".bin");
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            try (OutputStream out = new DigestOutputStream(Files.newOutputStream(part), digest)) {
                body.transferTo(out);
            }
            store.put(partKey(ticket.token(), partNumber), part, "application/octet-stream");
            jdbc.sql("update dataset_upload set parts = array_append(array_remove(parts, ?), ?) where token = ?")
                    .params(partNumber, partNumber, ticket.token()).update();
            return new Part(partNumber, HexFormat.of().formatHex(digest.digest()));
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        finally {
            Files.deleteIfExists(part);
        }
    }

    /** Puts the parts together in the order given and makes them the dataset. */
    public void completeMultipart(String token, List<Part> parts) throws IOException {
        Ticket ticket = open(token, true);
        if (parts.isEmpty()) {
            throw new DatasetUploadInvalid("parts", "a multipart upload needs at least one part");
        }
        List<InputStream> streams = new ArrayList<>();
        long size = 0;
        for (Part part : parts) {
            ArtifactKey key = partKey(ticket.token(), part.partNumber());
            Long partSize = store.size(key).orElseThrow(() -> new DatasetUploadInvalid("parts", "part " + part.partNumber() + " was not uploaded"));
            size += partSize;
            // Opened in the store only when the sequence reaches it.
            streams.add(new StoredArtifact(store, key, partSize).getInputStream());
        }
        try (InputStream whole = new SequenceInputStream(Collections.enumeration(streams))) {
            datasets.upload(ticket.datasetId(), ticket.teamId(), ticket.actor(), ticket.fileName(), whole, size);
        }
        complete(ticket);
        parts.forEach(part -> datasets.deleteQuietly(partKey(ticket.token(), part.partNumber())));
    }

    /**
     * Forgets tickets a day after they expired, deleting the parts an abandoned multipart upload left in the store;
     * every instance may run it, a ticket's row is deleted once.
     */
    @Scheduled(initialDelay = 300_000, fixedDelay = 3_600_000)
    void purgeExpired() {
        Timestamp before = Timestamp.from(clock.instant().minus(Duration.ofDays(1)));
        record Expired(String token, List<Integer> parts) {
        }
        List<Expired> expired = jdbc.sql("delete from dataset_upload where expires_at < ? returning token, parts")
                .param(before)
                .query((rs, n) -> new Expired(rs.getString("token"), List.of((Integer[]) rs.getArray("parts").getArray())))
                .list();
        expired.forEach(upload -> upload.parts().forEach(part -> datasets.deleteQuietly(partKey(upload.token(), part))));
        if (!expired.isEmpty()) {
            log.info("Forgot {} expired dataset upload tickets", expired.size());
        }
    }

    private Ticket open(String token, boolean multipart) {
        Ticket ticket = jdbc.sql("select * from dataset_upload where token = ? and completed_at is null and expires_at > ?")
                .params(token, Timestamp.from(clock.instant()))
                .query((rs, n) -> new Ticket(rs.getString("token"), rs.getObject("team_id", UUID.class), rs.getString("created_by"),
                        rs.getString("dataset_id"), rs.getString("file_name"), rs.getBoolean("multipart")))
                .optional()
                .orElseThrow(UploadTicketUnknown::new);
        if (ticket.multipart() != multipart) {
            throw new DatasetUploadInvalid("upload_url", multipart ? "this upload was initiated as one PUT, not in parts"
                    : "this upload was initiated in parts: PUT them to {upload_url}/{n}, then POST {upload_url}/complete");
        }
        return ticket;
    }

    private void complete(Ticket ticket) {
        jdbc.sql("update dataset_upload set completed_at = ? where token = ?").params(Timestamp.from(clock.instant()), ticket.token()).update();
    }

    private static ArtifactKey partKey(String token, int partNumber) {
        // The token's digest, not the token: a listing of the store does not hand out upload credentials.
        return new ArtifactKey("uploads/" + Hashing.sha256Hex(token) + "/" + partNumber);
    }
}
