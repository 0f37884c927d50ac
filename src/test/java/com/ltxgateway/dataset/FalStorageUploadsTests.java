package com.ltxgateway.dataset;

import java.net.URI;
import java.util.Map;

import com.ltxgateway.Hashing;
import com.ltxgateway.artifact.ArtifactKey;
import com.ltxgateway.artifact.ArtifactStore;
import com.ltxgateway.support.GatewayTestSupport;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;

/** Upload tickets of fal's storage protocol: an abandoned multipart upload leaves nothing behind once it expired. */
class FalStorageUploadsTests extends GatewayTestSupport {

    @Autowired
    FalStorageUploads uploads;

    @Autowired
    ArtifactStore store;

    @Autowired
    JdbcClient jdbc;

    @Test
    void anAbandonedMultipartUploadIsForgottenWithItsPartsADayAfterItExpired() {
        String key = newTeamKey("sandbox");
        String uploadUrl = api.send("POST", "/api/fal/proxy", null, "{\"content_type\": \"application/zip\", \"file_name\": \"left.zip\"}",
                Map.of("x-fal-target-url", "https://rest.fal.ai/storage/upload/initiate-multipart?storage_type=fal-cdn-v3",
                        "Authorization", "Key " + key)).json().get("upload_url").asString();
        String path = URI.create(uploadUrl).getPath();
        String token = path.substring(path.lastIndexOf('/') + 1);
        assertThat(api.uploadRaw("PUT", path + "/1", new byte[] { 1, 2, 3 }).status()).isEqualTo(200);
        ArtifactKey part = new ArtifactKey("uploads/" + Hashing.sha256Hex(token) + "/1");
        assertThat(store.size(part)).contains(3L);

        uploads.purgeExpired();
        assertThat(store.size(part)).as("not expired yet").isPresent();

        jdbc.sql("update dataset_upload set expires_at = now() - interval '2 days' where token = ?").param(token).update();
        uploads.purgeExpired();

        assertThat(store.size(part)).isEmpty();
        assertThat(jdbc.sql("select count(*) from dataset_upload where token = ?").param(token).query(Long.class).single()).isZero();
        assertThat(api.uploadRaw("PUT", path + "/2", new byte[] { 4 }).status()).isEqualTo(404);
    }
}
