package com.ltxgateway.artifact;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Where the gateway keeps copies of trainings' output files, and how it copies them.
 *
 * @param store {@code filesystem} (under {@code dir}) or {@code s3}
 * @param dir the filesystem store's directory; replicas must share it (a shared volume)
 * @param s3 the S3 store's bucket and service
 * @param sourceHosts hosts output files are copied from: each entry and its subdomains. fal's CDN by default; any other
 * URL in an output is recorded as refused, never fetched
 * @param maxFileSize the largest file copied; a larger one fails its copy
 * @param copyTimeout the longest one file's download may take
 * @param concurrency trainings whose copies one instance runs at the same time; a training's files are copied one
 * after the other and settled together
 * @param retryInitialInterval first wait after a copy failed (the source unreachable, a body cut short, the store down)
 * @param retryMaxInterval the longest wait between attempts; attempts go on until the copy succeeds
 * @param retention how long copies are kept after they were stored; unset keeps them forever
 * @param announceWithin how long the team's {@code training.succeeded} webhooks wait for copies that keep failing;
 * past it they are sent, the files not yet stored showing fal's URL
 */
@ConfigurationProperties("gateway.artifacts")
public record ArtifactProperties(
        @DefaultValue("filesystem") String store,
        @DefaultValue("./data/artifacts") Path dir,
        @DefaultValue S3 s3,
        @DefaultValue("fal.media") List<String> sourceHosts,
        @DefaultValue("10GB") DataSize maxFileSize,
        @DefaultValue("30m") Duration copyTimeout,
        @DefaultValue("4") int concurrency,
        @DefaultValue("10s") Duration retryInitialInterval,
        @DefaultValue("10m") Duration retryMaxInterval,
        @Nullable Duration retention,
        @DefaultValue("10m") Duration announceWithin) {

    public ArtifactProperties {
        if (!store.equals("filesystem") && !store.equals("s3")) {
            throw new IllegalArgumentException("gateway.artifacts.store must be filesystem or s3, not " + store);
        }
        if (store.equals("s3") && (s3.bucket() == null || s3.bucket().isBlank())) {
            throw new IllegalArgumentException("gateway.artifacts.s3.bucket is required with gateway.artifacts.store=s3");
        }
    }

    /**
     * @param bucket the bucket (it must exist)
     * @param endpoint the service's URL when it is not AWS's own (MinIO, Ceph, ...)
     * @param region the region; S3-compatible services mostly take any
     * @param pathStyle address the bucket by path ({@code endpoint/bucket/key}), as most S3-compatible services want
     * @param presignedDownloads when set, API downloads answer with a redirect to a presigned URL valid this long, so
     * the bytes flow from the bucket and not through the gateway (clients must reach the endpoint); unset, the gateway
     * streams them
     */
    public record S3(@Nullable String bucket, @Nullable URI endpoint, @DefaultValue("us-east-1") String region,
            @DefaultValue("false") boolean pathStyle, @Nullable Duration presignedDownloads) {

        public S3 {
            // SigV4 signatures are valid for at most seven days.
            if (presignedDownloads != null && (presignedDownloads.isNegative() || presignedDownloads.isZero()
                    || presignedDownloads.compareTo(Duration.ofDays(7)) > 0)) {
                throw new IllegalArgumentException(
                        "gateway.artifacts.s3.presigned-downloads must be more than 0 and at most 7d, not " + presignedDownloads);
            }
        }
    }

    /** How long presigned download links are valid; empty when downloads stream through the gateway. */
    Optional<Duration> presignedDownloads() {
        return store.equals("s3") ? Optional.ofNullable(s3.presignedDownloads()) : Optional.empty();
    }

    /** Whether {@code host} is one of the source hosts or a subdomain of one. */
    boolean allowsSource(@Nullable String host) {
        if (host == null) {
            return false;
        }
        String name = host.toLowerCase(Locale.ROOT);
        return sourceHosts.stream().map(allowed -> allowed.toLowerCase(Locale.ROOT).trim())
                .anyMatch(allowed -> name.equals(allowed) || name.endsWith("." + allowed));
    }
}
