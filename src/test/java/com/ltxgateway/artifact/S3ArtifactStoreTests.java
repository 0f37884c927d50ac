package com.ltxgateway.artifact;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.time.Duration;

import com.ltxgateway.support.S3MockServer;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** The S3 store against a real S3-compatible server (S3Mock), addressed by path as MinIO and most such servers want. */
class S3ArtifactStoreTests extends ArtifactStoreContract {

    private static final String BUCKET = "gateway-artifacts";
    private static S3MockServer server;
    private static S3ArtifactStore store;

    @BeforeAll
    static void startServer() {
        server = S3MockServer.start(BUCKET);
        store = S3ArtifactStore.connect(server.endpoint(), "us-east-1", true,
                StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")), BUCKET);
    }

    @AfterAll
    static void stopServer() {
        if (store != null) {
            store.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Override
    ArtifactStore store() {
        return store;
    }

    @Test
    void aDownloadLinkServesTheFileAsAnAttachmentWithItsNameAndRangesWithoutCredentials() throws Exception {
        ArtifactKey key = ArtifactKey.of("trn_link_" + System.nanoTime(), "lora_file");
        byte[] bytes = "safetensors bytes of a LoRA".getBytes();
        store.put(key, Files.write(files.resolve("lora.bin"), bytes), "application/octet-stream");

        URI link = store.downloadLink(key, "pytorch_lora_weights.safetensors", "application/octet-stream", Duration.ofMinutes(5))
                .orElseThrow();

        assertThat(link.getQuery()).contains("X-Amz-Signature=", "X-Amz-Expires=300");
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<byte[]> whole = http.send(HttpRequest.newBuilder(link).build(), BodyHandlers.ofByteArray());
            assertThat(whole.statusCode()).isEqualTo(200);
            assertThat(whole.body()).isEqualTo(bytes);
            assertThat(whole.headers().firstValue("Content-Disposition")).hasValueSatisfying(
                    disposition -> assertThat(disposition).startsWith("attachment").contains("pytorch_lora_weights.safetensors"));

            HttpResponse<String> range = http.send(HttpRequest.newBuilder(link).header("Range", "bytes=18-").build(),
                    BodyHandlers.ofString());
            assertThat(range.statusCode()).isEqualTo(206);
            assertThat(range.body()).isEqualTo("of a LoRA");
        }
    }

    @Test
    void aStoreOnABucketThatDoesNotExistFailsAsTheStoresFault() throws Exception {
        S3ArtifactStore missing = S3ArtifactStore.connect(server.endpoint(), "us-east-1", true,
                StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")), "no-such-bucket");

        assertThat(catchThrowable(() -> missing.put(ArtifactKey.of("trn_x", "lora_file"),
                Files.write(files.resolve("x.bin"), new byte[] { 1 }), "application/octet-stream")))
                .isInstanceOf(ArtifactStoreFailed.class).hasMessageContaining("no-such-bucket");
        missing.close();
    }
}
