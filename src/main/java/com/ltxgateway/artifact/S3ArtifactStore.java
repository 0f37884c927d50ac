package com.ltxgateway.artifact;

import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import org.jspecify.annotations.Nullable;
import org.springframework.http.ContentDisposition;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * Objects in a bucket of any S3-compatible service (AWS S3, MinIO, Ceph, ...), through the AWS SDK v2. A put is one
 * {@code PutObject} of a file whose length is known, so the object appears whole or not at all; a read from an offset
 * is a ranged {@code GetObject}. Download links are presigned {@code GetObject} URLs that name the file to save.
 */
public final class S3ArtifactStore implements ArtifactStore, AutoCloseable {

    private final S3Client s3;
    private final S3Presigner presigner;
    private final String bucket;

    S3ArtifactStore(S3Client s3, S3Presigner presigner, String bucket) {
        this.s3 = s3;
        this.presigner = presigner;
        this.bucket = bucket;
    }

    /**
     * A store on {@code bucket} in {@code region}, at {@code endpoint} when the service is not AWS's own, addressing
     * the bucket by path ({@code endpoint/bucket/key}) when {@code pathStyle}, as most S3-compatible servers want.
     */
    public static S3ArtifactStore connect(@Nullable URI endpoint, String region, boolean pathStyle,
            AwsCredentialsProvider credentials, String bucket) {
        var client = S3Client.builder()
                .region(Region.of(region))
                .credentialsProvider(credentials)
                .forcePathStyle(pathStyle);
        var presigner = S3Presigner.builder()
                .region(Region.of(region))
                .credentialsProvider(credentials)
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(pathStyle).build());
        if (endpoint != null) {
            client.endpointOverride(endpoint);
            presigner.endpointOverride(endpoint);
        }
        return new S3ArtifactStore(client.build(), presigner.build(), bucket);
    }

    @Override
    public void put(ArtifactKey key, Path file, String contentType) {
        try {
            s3.putObject(put -> put.bucket(bucket).key(key.value()).contentType(contentType), RequestBody.fromFile(file));
        }
        catch (SdkException e) {
            throw new ArtifactStoreFailed("could not store " + key + " in bucket " + bucket + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<Long> size(ArtifactKey key) {
        try {
            return Optional.of(s3.headObject(head -> head.bucket(bucket).key(key.value())).contentLength());
        }
        catch (NoSuchKeyException e) {
            return Optional.empty();
        }
        catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw new ArtifactStoreFailed("could not read the size of " + key + ": " + e.getMessage(), e);
        }
        catch (SdkException e) {
            throw new ArtifactStoreFailed("could not read the size of " + key + ": " + e.getMessage(), e);
        }
    }

    @Override
    public InputStream open(ArtifactKey key, long offset) {
        try {
            return s3.getObject(get -> get.bucket(bucket).key(key.value()).range(offset > 0 ? "bytes=" + offset + "-" : null));
        }
        catch (NoSuchKeyException e) {
            throw new ArtifactMissing(key);
        }
        catch (SdkException e) {
            throw new ArtifactStoreFailed("could not read " + key + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<URI> downloadLink(ArtifactKey key, String fileName, String contentType, Duration validFor) {
        try {
            String disposition = ContentDisposition.attachment().filename(fileName, StandardCharsets.UTF_8).build().toString();
            return Optional.of(presigner.presignGetObject(presign -> presign
                    .signatureDuration(validFor)
                    .getObjectRequest(get -> get.bucket(bucket).key(key.value())
                            .responseContentDisposition(disposition)
                            .responseContentType(contentType)))
                    .url().toURI());
        }
        catch (SdkException | URISyntaxException e) {
            throw new ArtifactStoreFailed("could not sign a download link for " + key + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void delete(ArtifactKey key) {
        try {
            s3.deleteObject(delete -> delete.bucket(bucket).key(key.value()));
        }
        catch (SdkException e) {
            throw new ArtifactStoreFailed("could not delete " + key + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        presigner.close();
        s3.close();
    }
}
