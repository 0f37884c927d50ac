package com.ltxgateway.artifact;

import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Objects in a bucket of any S3-compatible service (AWS S3, MinIO, Ceph, ...), through the AWS SDK v2. A put is one
 * {@code PutObject} of a file whose length is known, so the object appears whole or not at all; a read from an offset
 * is a ranged {@code GetObject}.
 */
public final class S3ArtifactStore implements ArtifactStore, AutoCloseable {

    private final S3Client s3;
    private final String bucket;

    public S3ArtifactStore(S3Client s3, String bucket) {
        this.s3 = s3;
        this.bucket = bucket;
    }

    /**
     * A client for {@code region}, at {@code endpoint} when the service is not AWS's own, addressing buckets by path
     * ({@code endpoint/bucket/key}) when {@code pathStyle}, as most S3-compatible servers want.
     */
    public static S3Client client(@Nullable URI endpoint, String region, boolean pathStyle, AwsCredentialsProvider credentials) {
        var builder = S3Client.builder()
                .region(Region.of(region))
                .credentialsProvider(credentials)
                .forcePathStyle(pathStyle);
        if (endpoint != null) {
            builder.endpointOverride(endpoint);
        }
        return builder.build();
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
        s3.close();
    }
}
