package com.ltxgateway.dataset;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Limits on uploaded datasets and on what their inspection reads.
 *
 * @param maxSize the largest zip accepted; a larger upload is refused with 413
 * @param maxEntries the most entries (files and folders) a zip may have
 * @param maxUncompressedSize the most its entries may add up to once uncompressed
 * @param maxCompressionRatio the most an entry may shrink by when compressed: video and text never come close, a zip
 * bomb goes far past it
 * @param inspections inspections one instance runs at the same time; more uploads wait for a turn
 * @param inspectionWait how long an upload waits for a turn before it is refused with 503
 * @param falUploadReuse how long a dataset uploaded to fal's storage is reused by live trainings before it is
 * uploaded again; keep it below the account's media expiration
 * @param preflightTimeout the longest a pre-flight's download of a training_data_url may take
 */
@ConfigurationProperties("gateway.datasets")
public record DatasetProperties(
        @DefaultValue("2GB") DataSize maxSize,
        @DefaultValue("10000") int maxEntries,
        @DefaultValue("20GB") DataSize maxUncompressedSize,
        @DefaultValue("100") int maxCompressionRatio,
        @DefaultValue("2") int inspections,
        @DefaultValue("30s") Duration inspectionWait,
        @DefaultValue("1d") Duration falUploadReuse,
        @DefaultValue("5m") Duration preflightTimeout) {
}
